import 'server-only';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import Stripe from 'stripe';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { invoiceLines, invoices, stripeEvents, type TInvoiceStatus } from '@/db/schema/billing';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { config } from '@/lib/config';
import { recordAudit, recordRepeatedFailure, SYSTEM_ACTOR, type TAuditOrigin } from '@/lib/audit';
import { logger } from '@/lib/telemetry';
import { ZPlanId, changeTenantPlan, withPlatform } from '@/lib/tenancy';
import { setInvoiceStatus } from './invoices';

/**
 * Stripe collects what Sitework invoices: our invoices are pushed as Stripe invoices (one invoice item per line
 * and one for tax), and Stripe's webhooks move them to paid or uncollectible. Every POST carries an idempotency
 * key derived from our ids, so a push that crashed anywhere is finished by pushing again.
 */

/** True when STRIPE_SECRET_KEY is set; without it pushes are no-ops and nothing talks to Stripe. */
export const stripeEnabled = (): boolean => Boolean(config().STRIPE_SECRET_KEY);

let client: { key: string; apiUrl: string | undefined; stripe: Stripe } | undefined;

/**
 * STRIPE_API_URL (a stand-in, stripe-mock) as the SDK's host, port and protocol; unset means api.stripe.com. A
 * path in the URL is not used: the SDK always calls /v1/... on the host.
 */
function stripeApiAddress(apiUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** The Stripe client of this process, built on first use from the configuration. */
export function stripeClient(): Stripe {
  const { STRIPE_SECRET_KEY: key, STRIPE_API_URL: apiUrl, STRIPE_TIMEOUT_MS } = config();
  if (!key) throw new AppError('unavailable', 'Stripe is not configured: set STRIPE_SECRET_KEY');
  if (!client || client.key !== key || client.apiUrl !== apiUrl) {
    const stripe = new Stripe(key, {
      ...stripeApiAddress(apiUrl),
      // Retries reuse the request's idempotency key, so they cannot charge or create twice.
      maxNetworkRetries: 2,
      timeout: STRIPE_TIMEOUT_MS,
      appInfo: { name: 'Sitework' },
    });
    client = { key, apiUrl, stripe };
  }
  return client.stripe;
}

const customerKey = (tenantId: string) => `sitework-customer-${tenantId}`;
const invoiceKey = (invoiceId: string, suffix = '') => `sitework-invoice-${invoiceId}${suffix}`;

/** The tenant's Stripe customer, created once (the idempotency key makes a concurrent second call get the same one). */
export async function ensureStripeCustomer(tenantId: string): Promise<string> {
  const [tenant] = await withPlatform((tx) =>
    tx.select({ name: tenants.name, slug: tenants.slug, stripeCustomerId: tenants.stripeCustomerId }).from(tenants).where(eq(tenants.id, tenantId)),
  );
  if (!tenant) throw new AppError('not_found', 'Tenant not found');
  if (tenant.stripeCustomerId) return tenant.stripeCustomerId;

  const customer = await stripeClient().customers.create(
    { name: tenant.name, metadata: { tenant_id: tenantId, tenant_slug: tenant.slug } },
    { idempotencyKey: customerKey(tenantId) },
  );
  return withPlatform(async (tx) => {
    const [stored] = await tx
      .update(tenants)
      .set({ stripeCustomerId: customer.id })
      .where(and(eq(tenants.id, tenantId), isNull(tenants.stripeCustomerId)))
      .returning({ stripeCustomerId: tenants.stripeCustomerId });
    if (stored?.stripeCustomerId) return stored.stripeCustomerId;
    // Another push stored one first: keep the one on record.
    const [current] = await tx.select({ stripeCustomerId: tenants.stripeCustomerId }).from(tenants).where(eq(tenants.id, tenantId));
    return current?.stripeCustomerId ?? customer.id;
  });
}

export type TStripePushOutcome = 'disabled' | 'skipped' | 'already_synced' | 'synced';

export interface TStripePushResult {
  invoiceId: string;
  outcome: TStripePushOutcome;
  stripeInvoiceId: string | null;
}

interface TPushItem {
  /** Names the item in its idempotency key and in Stripe's metadata, so a resumed push can tell it exists. */
  ref: string;
  description: string;
  amountCents: number;
}

async function loadInvoiceForPush(invoiceId: string) {
  return withPlatform(async (tx) => {
    const [invoice] = await tx
      .select({
        id: invoices.id,
        tenantId: invoices.tenantId,
        number: invoices.number,
        status: invoices.status,
        currency: invoices.currency,
        periodStart: invoices.periodStart,
        taxRateBps: invoices.taxRateBps,
        taxCents: invoices.taxCents,
        totalCents: invoices.totalCents,
        stripeInvoiceId: invoices.stripeInvoiceId,
        stripeSyncedAt: invoices.stripeSyncedAt,
      })
      .from(invoices)
      .where(eq(invoices.id, invoiceId));
    if (!invoice) throw new AppError('not_found', 'Invoice not found');
    const lines = await tx
      .select({ position: invoiceLines.position, description: invoiceLines.description, amountCents: invoiceLines.amountCents })
      .from(invoiceLines)
      .where(eq(invoiceLines.invoiceId, invoiceId))
      .orderBy(asc(invoiceLines.position));
    return { ...invoice, lines };
  });
}

const describeTaxRate = (bps: number) => `Tax (${(bps / 100).toFixed(2).replace(/\.?0+$/, '')} %)`;

/**
 * Sends an open invoice with something to pay to Stripe and finalizes it there: customer (once per tenant),
 * invoice, one item per line with an amount plus one for tax, finalize, send (Stripe e-mails it). The Stripe invoice id is stored as soon
 * as it exists and stripe_synced_at once finalized; called again after a crash, it resumes: items already on the
 * Stripe invoice are not sent again, and every POST repeats its idempotency key.
 */
export async function pushInvoiceToStripe(invoiceId: string, now: Date = new Date()): Promise<TStripePushResult> {
  if (!stripeEnabled()) return { invoiceId, outcome: 'disabled', stripeInvoiceId: null };
  const invoice = await loadInvoiceForPush(invoiceId);
  if (invoice.stripeSyncedAt) return { invoiceId, outcome: 'already_synced', stripeInvoiceId: invoice.stripeInvoiceId };
  if (invoice.status !== 'open' || invoice.totalCents <= 0) return { invoiceId, outcome: 'skipped', stripeInvoiceId: invoice.stripeInvoiceId };

  const stripe = stripeClient();
  const customer = await ensureStripeCustomer(invoice.tenantId);
  const metadata = { sitework_invoice_id: invoice.id, sitework_invoice_number: invoice.number ?? '' };

  let stripeInvoiceId = invoice.stripeInvoiceId;
  let isDraft = true;
  const itemsOnStripe = new Set<string>();
  if (!stripeInvoiceId) {
    const created = await stripe.invoices.create(
      {
        customer,
        currency: invoice.currency,
        collection_method: 'send_invoice',
        days_until_due: config().INVOICE_DUE_DAYS,
        auto_advance: false,
        pending_invoice_items_behavior: 'exclude',
        description: `Sitework invoice ${invoice.number ?? invoice.id} for ${invoice.periodStart.slice(0, 7)}`,
        metadata,
      },
      { idempotencyKey: invoiceKey(invoice.id) },
    );
    stripeInvoiceId = created.id;
    await withPlatform((tx) =>
      tx
        .update(invoices)
        .set({ stripeInvoiceId: created.id })
        .where(and(eq(invoices.id, invoice.id), isNull(invoices.stripeInvoiceId))),
    );
  } else {
    // A push that stopped half-way: idempotency keys expire after a day, so look at what Stripe already has.
    const existing = await stripe.invoices.retrieve(stripeInvoiceId);
    isDraft = existing.status === 'draft';
    if (isDraft) {
      for await (const item of stripe.invoiceItems.list({ invoice: stripeInvoiceId, limit: 100 })) {
        if (item.metadata?.sitework_item) itemsOnStripe.add(item.metadata.sitework_item);
      }
    }
  }

  if (isDraft) {
    const items: TPushItem[] = invoice.lines
      .filter((line) => line.amountCents > 0)
      .map((line) => ({ ref: `line-${line.position}`, description: line.description, amountCents: line.amountCents }));
    if (invoice.taxCents > 0) items.push({ ref: 'tax', description: describeTaxRate(invoice.taxRateBps), amountCents: invoice.taxCents });
    for (const item of items) {
      if (itemsOnStripe.has(item.ref)) continue;
      await stripe.invoiceItems.create(
        {
          customer,
          invoice: stripeInvoiceId,
          currency: invoice.currency,
          amount: item.amountCents,
          description: item.description,
          metadata: { sitework_invoice_id: invoice.id, sitework_item: item.ref },
        },
        { idempotencyKey: invoiceKey(invoice.id, item.ref === 'tax' ? '-tax' : `-${item.ref}`) },
      );
    }
    await stripe.invoices.finalizeInvoice(stripeInvoiceId, { auto_advance: false }, { idempotencyKey: invoiceKey(invoice.id, '-finalize') });
  }
  // Stripe e-mails the invoice with its hosted payment page (auto_advance is off, so only when asked). A resumed
  // push sends again under the same key: within Stripe's 24 h key window that is a replay, not a second e-mail.
  await stripe.invoices.sendInvoice(stripeInvoiceId, {}, { idempotencyKey: invoiceKey(invoice.id, '-send') });

  await withPlatform((tx) =>
    tx
      .update(invoices)
      .set({ stripeInvoiceId, stripeSyncedAt: now })
      .where(and(eq(invoices.id, invoice.id), isNull(invoices.stripeSyncedAt))),
  );
  return { invoiceId, outcome: 'synced', stripeInvoiceId };
}

export interface TStripePushRun {
  pushed: number;
  failed: { invoiceId: string; message: string }[];
}

/** Pushes every open invoice with something to pay that Stripe does not have yet (a failed push is retried here). */
export async function pushOpenInvoicesToStripe(now: Date = new Date()): Promise<TStripePushRun> {
  const result: TStripePushRun = { pushed: 0, failed: [] };
  if (!stripeEnabled()) return result;
  const rows = await withPlatform((tx) =>
    tx
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.status, 'open'), gt(invoices.totalCents, 0), isNull(invoices.stripeSyncedAt)))
      .orderBy(asc(invoices.periodStart), asc(invoices.id)),
  );
  for (const { id } of rows) {
    try {
      const pushed = await pushInvoiceToStripe(id, now);
      if (pushed.outcome === 'synced') result.pushed += 1;
    } catch (error) {
      logger.error({ err: error, invoiceId: id }, 'stripe invoice push failed');
      result.failed.push({ invoiceId: id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

// Plan changes through Checkout

const ZCheckoutMetadata = z.object({ tenant_id: z.uuid(), plan: ZPlanId, user_id: z.uuid().optional() });

/**
 * A Checkout Session (setup mode: Stripe saves a payment method; the invoices stay ours) whose completion moves
 * the tenant to `plan`; the change is made by the checkout.session.completed webhook, not here.
 */
export async function createPlanCheckout(input: {
  tenantId: string;
  plan: z.infer<typeof ZPlanId>;
  userId: string;
  successUrl: string;
  cancelUrl: string;
}): Promise<{ id: string; url: string }> {
  const customer = await ensureStripeCustomer(input.tenantId);
  const metadata = { tenant_id: input.tenantId, plan: input.plan, user_id: input.userId };
  const session = await stripeClient().checkout.sessions.create({
    mode: 'setup',
    customer,
    currency: config().BILLING_CURRENCY,
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
    client_reference_id: input.tenantId,
    metadata,
    setup_intent_data: { metadata },
  });
  if (!session.url) throw new AppError('internal', 'Stripe returned a Checkout Session without a URL');
  return { id: session.id, url: session.url };
}

// Webhooks

export interface TStripeWebhookResult {
  eventId: string;
  type: string;
  duplicate: boolean;
  /** What the event did: applied, or ignored (a type we do not act on, an unknown invoice, a move not allowed). */
  outcome: 'applied' | 'ignored' | 'duplicate';
}

async function findInvoiceFor(tx: TTx, stripeInvoice: Stripe.Invoice): Promise<string | null> {
  const [byStripeId] = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.stripeInvoiceId, stripeInvoice.id));
  if (byStripeId) return byStripeId.id;
  const ours = z.uuid().safeParse(stripeInvoice.metadata?.sitework_invoice_id);
  if (!ours.success) return null;
  const [byMetadata] = await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.id, ours.data));
  return byMetadata?.id ?? null;
}

async function applyInvoiceStatus(tx: TTx, event: Stripe.Event, stripeInvoice: Stripe.Invoice, status: TInvoiceStatus): Promise<'applied' | 'ignored'> {
  const invoiceId = await findInvoiceFor(tx, stripeInvoice);
  if (!invoiceId) {
    logger.warn({ eventId: event.id, type: event.type, stripeInvoiceId: stripeInvoice.id }, 'stripe event for an invoice Sitework does not know: ignored');
    return 'ignored';
  }
  try {
    const moved = await setInvoiceStatus(tx, invoiceId, status, new Date(event.created * 1000));
    if (moved.changed) {
      await recordAudit(tx, {
        tenantId: moved.tenantId,
        type: 'data_modify',
        action: `invoice.${status}`,
        actor: STRIPE_ACTOR,
        target: { type: 'invoice', id: moved.id, name: moved.number },
        metadata: { stripeEventId: event.id, stripeEventType: event.type, stripeInvoiceId: stripeInvoice.id },
      });
    }
    return 'applied';
  } catch (error) {
    // Stripe's view contradicts ours (paid after void, failed after paid): acknowledged, left to an operator.
    if (error instanceof AppError && error.code === 'conflict') {
      logger.warn({ eventId: event.id, type: event.type, invoiceId, err: error }, 'stripe event would make an invoice move that is not allowed: ignored');
      return 'ignored';
    }
    throw error;
  }
}

async function applyCheckoutCompleted(tx: TTx, event: Stripe.Event, session: Stripe.Checkout.Session): Promise<'applied' | 'ignored'> {
  const metadata = ZCheckoutMetadata.safeParse(session.metadata ?? {});
  if (!metadata.success) {
    logger.warn({ eventId: event.id, sessionId: session.id }, 'checkout session without Sitework plan metadata: ignored');
    return 'ignored';
  }
  const { tenant_id: tenantId, plan, user_id: userId } = metadata.data;
  try {
    const changed = await changeTenantPlan(tx, tenantId, plan, { source: 'checkout', userId: userId ?? null });
    if (changed.previousPlan !== plan) {
      await recordAudit(tx, {
        tenantId,
        type: 'config_change',
        action: 'billing.plan_change',
        actor: STRIPE_ACTOR,
        target: { type: 'plan', id: plan, name: plan },
        metadata: { from: changed.previousPlan, to: plan, requestedBy: userId ?? null, stripeEventId: event.id, checkoutSessionId: session.id },
      });
    }
    return 'applied';
  } catch (error) {
    if (error instanceof AppError && (error.code === 'not_found' || error.code === 'conflict')) {
      logger.warn({ eventId: event.id, tenantId, plan, err: error }, 'checkout completed for a tenant or plan that cannot take it: ignored');
      return 'ignored';
    }
    throw error;
  }
}

const STRIPE_ACTOR = SYSTEM_ACTOR('Stripe');

/**
 * A webhook whose signature does not hold is a security event in the platform's log; anyone can send one, so they
 * are recorded once a minute per client address with a count (lib/audit's recordRepeatedFailure).
 */
async function refuseSignature(message: string, origin: TAuditOrigin): Promise<never> {
  await recordRepeatedFailure({
    tenantId: null,
    type: 'security_event',
    action: 'stripe.webhook_signature_failure',
    outcome: 'failure',
    actor: { type: 'system', id: null, name: 'Unverified Stripe webhook caller' },
    target: { type: 'webhook', id: 'stripe', name: 'POST /api/webhooks/stripe' },
    metadata: { reason: message },
    ...origin,
  });
  throw new AppError('bad_request', message);
}

async function verifyEvent(rawBody: string, signatureHeader: string | null, origin: TAuditOrigin): Promise<Stripe.Event> {
  const secret = config().STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError('unavailable', 'Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET');
  if (!signatureHeader) return refuseSignature('The Stripe-Signature header is missing', origin);
  try {
    return Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret);
  } catch {
    return refuseSignature('The Stripe-Signature header does not match the body', origin);
  }
}

/**
 * Verifies a Stripe webhook and applies it once: the event id is recorded in the same transaction as its effect,
 * so a redelivery after a crash applies it, and a redelivery after success changes nothing.
 */
export async function handleStripeWebhook(rawBody: string, signatureHeader: string | null, origin: TAuditOrigin = {}): Promise<TStripeWebhookResult> {
  const event = await verifyEvent(rawBody, signatureHeader, origin);
  return withPlatform(async (tx) => {
    const [recorded] = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type })
      .onConflictDoNothing({ target: stripeEvents.id })
      .returning({ id: stripeEvents.id });
    if (!recorded) return { eventId: event.id, type: event.type, duplicate: true, outcome: 'duplicate' };

    let outcome: 'applied' | 'ignored';
    switch (event.type) {
      case 'invoice.paid':
        outcome = await applyInvoiceStatus(tx, event, event.data.object, 'paid');
        break;
      case 'invoice.payment_failed':
        outcome = await applyInvoiceStatus(tx, event, event.data.object, 'uncollectible');
        break;
      case 'checkout.session.completed':
        outcome = await applyCheckoutCompleted(tx, event, event.data.object);
        break;
      default:
        outcome = 'ignored';
    }
    logger.info({ eventId: event.id, type: event.type, outcome }, 'stripe webhook');
    return { eventId: event.id, type: event.type, duplicate: false, outcome };
  });
}
