import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditLogs } from '@/db/schema/audit';
import { invoices, stripeEvents } from '@/db/schema/billing';
import { tenantPlanChanges, tenants } from '@/db/schema/tenancy';

/**
 * Billing's Stripe side against a node:http stand-in that answers like Stripe (and replays a repeated
 * idempotency key's first answer, as Stripe does), with webhooks signed by the real SDK. The app is pointed at
 * the stand-in (STRIPE_API_URL) before its configuration is first read.
 */
interface TStripeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
}

type TStripeObject = Record<string, unknown> & { id: string };
type TFault = { matches: (request: TStripeRequest) => boolean; kind: 'fail' | 'drop_response' };

const seen: TStripeRequest[] = [];
const replies = new Map<string, { status: number; body: unknown }>();
const customers = new Map<string, TStripeObject>();
const stripeInvoices = new Map<string, TStripeObject>();
const invoiceItems: TStripeObject[] = [];
let fault: TFault | null = null;
let sequence = 0;
const nextId = (prefix: string) => `${prefix}_standin${(sequence += 1).toString().padStart(6, '0')}`;

/** metadata[a]=1&metadata[b]=2 back into { a: '1', b: '2' }. */
const nested = (params: Record<string, string>, name: string) =>
  Object.fromEntries(
    Object.entries(params)
      .filter(([key]) => key.startsWith(`${name}[`))
      .map(([key, value]) => [key.slice(name.length + 1, -1), value]),
  );

function answer(request: TStripeRequest): { status: number; body: unknown } {
  const { method, path, params } = request;
  const notFound = { status: 404, body: { error: { type: 'invalid_request_error', message: `No such object: ${path}` } } };
  if (method === 'POST' && path === '/v1/customers') {
    const customer = { id: nextId('cus'), object: 'customer', name: params.name, metadata: nested(params, 'metadata') };
    customers.set(customer.id, customer);
    return { status: 200, body: customer };
  }
  if (method === 'POST' && path === '/v1/invoices') {
    const invoice = {
      id: nextId('in'),
      object: 'invoice',
      status: 'draft',
      customer: params.customer,
      currency: params.currency,
      collection_method: params.collection_method,
      days_until_due: Number(params.days_until_due),
      auto_advance: params.auto_advance === 'true',
      metadata: nested(params, 'metadata'),
    };
    stripeInvoices.set(invoice.id, invoice);
    return { status: 200, body: invoice };
  }
  const invoicePath = path.match(/^\/v1\/invoices\/([^/]+)(\/finalize|\/send)?$/);
  if (invoicePath) {
    const invoice = stripeInvoices.get(invoicePath[1]);
    if (!invoice) return notFound;
    if (method === 'GET' && !invoicePath[2]) return { status: 200, body: invoice };
    if (method === 'POST' && invoicePath[2] === '/send') {
      if (invoice.status !== 'open') return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Only open invoices can be sent' } } };
      Object.assign(invoice, { sent: true });
      return { status: 200, body: invoice };
    }
    if (method === 'POST' && invoicePath[2] === '/finalize') {
      const total = invoiceItems.filter((item) => item.invoice === invoice.id).reduce((sum, item) => sum + Number(item.amount), 0);
      Object.assign(invoice, { status: 'open', total, number: `STANDIN-${invoice.id}` });
      return { status: 200, body: invoice };
    }
  }
  if (method === 'POST' && path === '/v1/invoiceitems') {
    if (!stripeInvoices.has(params.invoice)) return notFound;
    const item = {
      id: nextId('ii'),
      object: 'invoiceitem',
      customer: params.customer,
      invoice: params.invoice,
      amount: Number(params.amount),
      currency: params.currency,
      description: params.description,
      metadata: nested(params, 'metadata'),
    };
    invoiceItems.push(item);
    return { status: 200, body: item };
  }
  if (method === 'GET' && path === '/v1/invoiceitems') {
    const data = invoiceItems.filter((item) => item.invoice === request.query.get('invoice'));
    return { status: 200, body: { object: 'list', url: '/v1/invoiceitems', has_more: false, data } };
  }
  if (method === 'POST' && path === '/v1/checkout/sessions') {
    const id = nextId('cs');
    return {
      status: 200,
      body: { id, object: 'checkout.session', mode: params.mode, customer: params.customer, currency: params.currency, metadata: nested(params, 'metadata'), url: `https://checkout.stripe.test/c/pay/${id}` },
    };
  }
  return notFound;
}

const standIn = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url!, 'http://stand-in');
    const key = req.headers['idempotency-key'];
    const request: TStripeRequest = {
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      idempotencyKey: typeof key === 'string' ? key : undefined,
    };
    seen.push(request);
    const send = (reply: { status: number; body: unknown }, headers: Record<string, string> = {}) =>
      res.writeHead(reply.status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(reply.body));

    const replayed = request.idempotencyKey ? replies.get(request.idempotencyKey) : undefined;
    if (replayed) return send(replayed, { 'idempotent-replayed': 'true' });
    const injected = fault?.matches(request) ? fault : null;
    if (injected) fault = null;
    if (injected?.kind === 'fail') {
      // Nothing done, nothing saved under the key, and the SDK told not to retry: the push itself fails.
      return send({ status: 500, body: { error: { type: 'api_error', message: 'The stand-in failed this request' } } }, { 'stripe-should-retry': 'false' });
    }
    const reply = answer(request);
    if (request.method === 'POST' && request.idempotencyKey) replies.set(request.idempotencyKey, reply);
    // Done and saved, but the answer is lost on the way back.
    if (injected?.kind === 'drop_response') return req.socket.destroy();
    send(reply);
  });
});
await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));

const WEBHOOK_SECRET = 'whsec_standin_0123456789abcdef';
Object.assign(process.env, {
  STRIPE_SECRET_KEY: 'sk_test_standin',
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_API_URL: `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`,
});

const { billTenantPeriod, createPlanCheckout, ensureStripeCustomer, pushInvoiceToStripe, pushOpenInvoicesToStripe, setInvoiceStatus } = await import('@/lib/billing');
const { config } = await import('@/lib/config');
const { changeTenantPlan, withPlatform, withTenant } = await import('@/lib/tenancy');
const { recordUsageEvents } = await import('@/lib/usage');
const { flushRepeatedFailures } = await import('@/lib/audit');
const { callRoute, expectError } = await import('./support/http');
const { createBackdatedTenant, utc } = await import('./support/billing');
const { addMember, tenantRow } = await import('./support/state');
const webhookRoute = await import('../app/api/webhooks/stripe/route');

afterAll(async () => {
  await new Promise((resolve) => standIn.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  fault = null;
});

const RUN_AT = new Date('2026-10-01T01:00:00Z');

/**
 * A Starter tenant since July with 303 uploads in September: its September invoice has the base line (2,900 ¢),
 * 3 extra files (150 ¢), storage and API calls at 0 ¢, and 10 % tax (305 ¢): 3,355 ¢.
 */
async function openInvoice(label = 'stripe', periods: string[] = ['2026-09']) {
  const tenant = await createBackdatedTenant('starter', utc('2026-07-01'), label);
  const uploads = Array.from({ length: 303 }, (_, i) => ({
    id: randomUUID(),
    type: 'file_upload' as const,
    quantity: 1000,
    occurredAt: new Date(Date.UTC(2026, 8, 1 + (i % 30), 12)),
  }));
  await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, uploads));
  const invoiceIds: string[] = [];
  for (const period of periods) invoiceIds.push((await billTenantPeriod(tenant.id, period, RUN_AT)).invoiceId);
  return { tenantId: tenant.id, invoiceId: invoiceIds.at(-1)!, invoiceIds };
}

const invoiceRow = async (id: string) => (await ownerDb().select().from(invoices).where(eq(invoices.id, id)))[0];
const posts = () => seen.filter((request) => request.method === 'POST');
const requestsTo = (method: string, path: string | RegExp) =>
  seen.filter((request) => request.method === method && (typeof path === 'string' ? request.path === path : path.test(request.path)));
const itemsOf = (stripeInvoiceId: string) => invoiceItems.filter((item) => item.invoice === stripeInvoiceId);
const stripeInvoicesFor = (invoiceId: string) => [...stripeInvoices.values()].filter((invoice) => (invoice.metadata as Record<string, string>).sitework_invoice_id === invoiceId);

describe('Stripe customers', () => {
  it("creates a tenant's customer once, named after it, with its tenant id and an idempotency key, and stores it", async () => {
    const { id, slug } = await createBackdatedTenant('starter', utc('2026-07-01'), 'customer');
    const first = await ensureStripeCustomer(id);
    const second = await ensureStripeCustomer(id);
    expect(second).toBe(first);
    const created = requestsTo('POST', '/v1/customers');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      idempotencyKey: `sitework-customer-${id}`,
      params: { name: `Billed ${slug}`, 'metadata[tenant_id]': id },
    });
    expect(await tenantRow(id)).toMatchObject({ stripeCustomerId: first });
  });
});

describe('pushing invoices to Stripe', () => {
  it('creates a send_invoice invoice with one item per line with an amount plus tax, in cents summing to the total, and finalizes it', async () => {
    const { tenantId, invoiceId } = await openInvoice();
    const before = await invoiceRow(invoiceId);
    expect(before).toMatchObject({ status: 'open', subtotalCents: 3050, taxCents: 305, totalCents: 3355, stripeInvoiceId: null, stripeSyncedAt: null });

    const result = await pushInvoiceToStripe(invoiceId, RUN_AT);
    expect(result.outcome).toBe('synced');

    const customer = (await tenantRow(tenantId)).stripeCustomerId;
    const [created] = requestsTo('POST', '/v1/invoices');
    expect(created).toMatchObject({
      idempotencyKey: `sitework-invoice-${invoiceId}`,
      params: {
        customer,
        currency: 'usd',
        collection_method: 'send_invoice',
        days_until_due: '30',
        auto_advance: 'false',
        pending_invoice_items_behavior: 'exclude',
        'metadata[sitework_invoice_id]': invoiceId,
      },
    });
    const [stripeInvoice] = stripeInvoicesFor(invoiceId);
    expect(result.stripeInvoiceId).toBe(stripeInvoice.id);

    const items = requestsTo('POST', '/v1/invoiceitems');
    expect(items.map((item) => [item.idempotencyKey, item.params.amount, item.params.invoice, item.params.customer, item.params.currency])).toEqual([
      [`sitework-invoice-${invoiceId}-line-0`, '2900', stripeInvoice.id, customer, 'usd'],
      [`sitework-invoice-${invoiceId}-line-1`, '150', stripeInvoice.id, customer, 'usd'],
      [`sitework-invoice-${invoiceId}-tax`, '305', stripeInvoice.id, customer, 'usd'],
    ]);
    expect(items.map((item) => item.params.description)).toEqual([
      'Starter plan, Sep 1, 2026 – Sep 30, 2026',
      'Files uploaded beyond 300 (303 uploaded)',
      'Tax (10 %)',
    ]);
    expect(items.reduce((sum, item) => sum + Number(item.params.amount), 0)).toBe(before.totalCents);

    const finalized = requestsTo('POST', `/v1/invoices/${stripeInvoice.id}/finalize`);
    expect(finalized).toHaveLength(1);
    expect(finalized[0].idempotencyKey).toBe(`sitework-invoice-${invoiceId}-finalize`);
    expect(stripeInvoice).toMatchObject({ status: 'open', total: 3355 });
    // Then Stripe e-mails it to the customer with its payment page.
    const sent = requestsTo('POST', `/v1/invoices/${stripeInvoice.id}/send`);
    expect(sent.map((request) => request.idempotencyKey)).toEqual([`sitework-invoice-${invoiceId}-send`]);
    expect(stripeInvoice).toMatchObject({ sent: true });

    expect(posts().length).toBe(7);
    expect(posts().every((request) => request.idempotencyKey)).toBe(true);
    expect(await invoiceRow(invoiceId)).toMatchObject({ stripeInvoiceId: stripeInvoice.id, stripeSyncedAt: RUN_AT, status: 'open' });
  });

  it('sends nothing when the invoice is already in Stripe', async () => {
    const { invoiceId } = await openInvoice();
    const first = await pushInvoiceToStripe(invoiceId, RUN_AT);
    seen.length = 0;
    const again = await pushInvoiceToStripe(invoiceId, RUN_AT);
    expect(again).toEqual({ invoiceId, outcome: 'already_synced', stripeInvoiceId: first.stripeInvoiceId });
    expect(seen).toEqual([]);
    expect(stripeInvoicesFor(invoiceId)).toHaveLength(1);
  });

  it("creates one customer for all of a tenant's invoices", async () => {
    const { tenantId, invoiceIds } = await openInvoice('two-periods', ['2026-08', '2026-09']);
    for (const id of invoiceIds) expect((await pushInvoiceToStripe(id, RUN_AT)).outcome).toBe('synced');
    expect(requestsTo('POST', '/v1/customers')).toHaveLength(1);
    expect(requestsTo('POST', '/v1/invoices')).toHaveLength(2);
    const customer = (await tenantRow(tenantId)).stripeCustomerId;
    expect(invoiceIds.flatMap(stripeInvoicesFor).map((invoice) => invoice.customer)).toEqual([customer, customer]);
  });

  it('skips an invoice with nothing to pay, and one that is no longer open', async () => {
    const free = await createBackdatedTenant('free', utc('2026-07-01'), 'free');
    const { invoiceId: paidOnIssue } = await billTenantPeriod(free.id, '2026-09', RUN_AT);
    expect((await invoiceRow(paidOnIssue)).status).toBe('paid');
    expect(await pushInvoiceToStripe(paidOnIssue, RUN_AT)).toMatchObject({ outcome: 'skipped' });

    const { invoiceId: voided } = await openInvoice('voided');
    await withPlatform((tx) => setInvoiceStatus(tx, voided, 'void', RUN_AT));
    expect(await pushInvoiceToStripe(voided, RUN_AT)).toMatchObject({ outcome: 'skipped' });

    expect(seen).toEqual([]);
    expect(await invoiceRow(voided)).toMatchObject({ stripeInvoiceId: null, stripeSyncedAt: null });
  });

  it('finishes a push that failed at finalize on the next run, with the same keys and no second invoice', async () => {
    const { invoiceId } = await openInvoice('finalize-fails');
    fault = { kind: 'fail', matches: (request) => request.path.endsWith('/finalize') };
    await expect(pushInvoiceToStripe(invoiceId, RUN_AT)).rejects.toThrow(/stand-in failed/);
    const [stripeInvoice] = stripeInvoicesFor(invoiceId);
    // The Stripe invoice id is kept as soon as it exists; the invoice is not synced yet.
    expect(await invoiceRow(invoiceId)).toMatchObject({ stripeInvoiceId: stripeInvoice.id, stripeSyncedAt: null });
    expect(stripeInvoice.status).toBe('draft');
    const keysOfFirstPush = posts().map((request) => request.idempotencyKey);

    const run = await pushOpenInvoicesToStripe(RUN_AT);
    expect(run.failed).toEqual([]);
    expect(await invoiceRow(invoiceId)).toMatchObject({ stripeInvoiceId: stripeInvoice.id, stripeSyncedAt: RUN_AT });
    expect(stripeInvoicesFor(invoiceId)).toHaveLength(1);
    expect(stripeInvoice.status).toBe('open');
    expect(itemsOf(stripeInvoice.id).map((item) => item.amount)).toEqual([2900, 150, 305]);
    const finalizes = requestsTo('POST', `/v1/invoices/${stripeInvoice.id}/finalize`);
    expect(finalizes.map((request) => request.idempotencyKey)).toEqual([`sitework-invoice-${invoiceId}-finalize`, `sitework-invoice-${invoiceId}-finalize`]);
    // Every request of the retry repeats a key of the first push (nothing new was created), then the invoice is sent.
    const retryKeys = posts().slice(keysOfFirstPush.length).map((request) => request.idempotencyKey);
    expect(retryKeys.slice(0, -1).every((key) => keysOfFirstPush.includes(key))).toBe(true);
    expect(retryKeys.at(-1)).toBe(`sitework-invoice-${invoiceId}-send`);
  });

  it('resumes a push that failed between invoice items, creating each item once', async () => {
    const { invoiceId } = await openInvoice('item-fails');
    fault = { kind: 'fail', matches: (request) => request.idempotencyKey === `sitework-invoice-${invoiceId}-line-1` };
    await expect(pushInvoiceToStripe(invoiceId, RUN_AT)).rejects.toThrow(/stand-in failed/);
    const [stripeInvoice] = stripeInvoicesFor(invoiceId);
    expect(itemsOf(stripeInvoice.id).map((item) => item.amount)).toEqual([2900]);

    seen.length = 0;
    expect((await pushInvoiceToStripe(invoiceId, RUN_AT)).outcome).toBe('synced');
    // Stripe is asked what the draft already has, and only the rest is sent, under the same keys as before.
    expect(requestsTo('POST', '/v1/invoices')).toEqual([]);
    expect(requestsTo('POST', '/v1/invoiceitems').map((request) => request.idempotencyKey)).toEqual([
      `sitework-invoice-${invoiceId}-line-1`,
      `sitework-invoice-${invoiceId}-tax`,
    ]);
    expect(itemsOf(stripeInvoice.id).map((item) => item.amount)).toEqual([2900, 150, 305]);
    expect(stripeInvoice).toMatchObject({ status: 'open', total: 3355 });
  });

  it("gets the same Stripe invoice back when the answer to its creation is lost (the retry repeats the key; Stripe replays)", async () => {
    const { invoiceId } = await openInvoice('answer-lost');
    fault = { kind: 'drop_response', matches: (request) => request.path === '/v1/invoices' };
    expect((await pushInvoiceToStripe(invoiceId, RUN_AT)).outcome).toBe('synced');
    const creations = requestsTo('POST', '/v1/invoices');
    expect(creations.map((request) => request.idempotencyKey)).toEqual([`sitework-invoice-${invoiceId}`, `sitework-invoice-${invoiceId}`]);
    const [stripeInvoice] = stripeInvoicesFor(invoiceId);
    expect(stripeInvoicesFor(invoiceId)).toHaveLength(1);
    expect(await invoiceRow(invoiceId)).toMatchObject({ stripeInvoiceId: stripeInvoice.id, stripeSyncedAt: RUN_AT });
  });
});

// Webhooks

const stripeEvent = (type: string, object: Record<string, unknown>, id = `evt_${randomUUID().replace(/-/g, '')}`) => ({
  id,
  object: 'event',
  api_version: '2025-01-01',
  created: Math.floor(Date.now() / 1000),
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  data: { object },
});

async function deliver(event: object, options: { secret?: string; signature?: string | null; clientAddress?: string } = {}) {
  const payload = JSON.stringify(event);
  const signature =
    options.signature === undefined ? Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? WEBHOOK_SECRET }) : options.signature;
  return callRoute(webhookRoute.POST, {
    method: 'POST',
    path: '/api/webhooks/stripe',
    body: payload,
    headers: {
      ...(signature !== null && { 'stripe-signature': signature }),
      ...(options.clientAddress && { 'x-sitework-client-address': options.clientAddress }),
    },
  });
}

const handledEvents = (id: string) => ownerDb().select().from(stripeEvents).where(eq(stripeEvents.id, id));

async function pushedInvoice(label: string) {
  const { tenantId, invoiceId } = await openInvoice(label);
  const { stripeInvoiceId } = await pushInvoiceToStripe(invoiceId, RUN_AT);
  return { tenantId, invoiceId, stripeInvoiceId: stripeInvoiceId! };
}

const invoiceObject = (stripeInvoiceId: string, invoiceId: string) => ({ id: stripeInvoiceId, object: 'invoice', metadata: { sitework_invoice_id: invoiceId } });

describe('POST /api/webhooks/stripe', () => {
  it('marks the invoice paid on invoice.paid, at the time of the event', async () => {
    const { invoiceId, stripeInvoiceId } = await pushedInvoice('paid');
    const event = stripeEvent('invoice.paid', invoiceObject(stripeInvoiceId, invoiceId));
    const result = await deliver(event);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ received: true, duplicate: false });
    expect(await invoiceRow(invoiceId)).toMatchObject({ status: 'paid', paidAt: new Date(event.created * 1000) });
    expect(await handledEvents(event.id)).toEqual([expect.objectContaining({ id: event.id, type: 'invoice.paid' })]);
  });

  it('finds the invoice by its Sitework id in the metadata when the Stripe id is not stored yet', async () => {
    const { invoiceId } = await openInvoice('metadata-only');
    const result = await deliver(stripeEvent('invoice.paid', invoiceObject('in_not_stored_yet', invoiceId)));
    expect(result.status).toBe(200);
    expect((await invoiceRow(invoiceId)).status).toBe('paid');
  });

  it('marks the invoice uncollectible on invoice.payment_failed', async () => {
    const { invoiceId, stripeInvoiceId } = await pushedInvoice('failed');
    const result = await deliver(stripeEvent('invoice.payment_failed', { id: stripeInvoiceId, object: 'invoice', metadata: {} }));
    expect(result.status).toBe(200);
    expect(await invoiceRow(invoiceId)).toMatchObject({ status: 'uncollectible', uncollectibleAt: expect.any(Date) });
  });

  it('refuses a bad or missing signature with 400 and changes nothing', async () => {
    const { invoiceId, stripeInvoiceId } = await pushedInvoice('forged');
    const event = stripeEvent('invoice.paid', invoiceObject(stripeInvoiceId, invoiceId));
    const payload = JSON.stringify(event);
    const tampered = Stripe.webhooks.generateTestHeaderString({ payload: payload.replace('invoice.paid', 'invoice.paid '), secret: WEBHOOK_SECRET });
    for (const options of [{ secret: 'whsec_someone_else' }, { signature: null }, { signature: 'nonsense' }, { signature: tampered }]) {
      const result = await deliver(event, options);
      expectError(result, 400, 'bad_request', /signature/i);
    }
    expect((await invoiceRow(invoiceId)).status).toBe('open');
    expect(await handledEvents(event.id)).toEqual([]);
  });

  it("records refused signatures in the platform's log once a minute per client address, the rest with their count", async () => {
    const forger = '198.51.100.66';
    const refusalsFrom = (address: string) =>
      ownerDb()
        .select()
        .from(auditLogs)
        .where(and(sql`${auditLogs.tenantId} is null`, eq(auditLogs.action, 'stripe.webhook_signature_failure'), eq(auditLogs.ip, address)))
        .orderBy(auditLogs.seq);
    for (let i = 0; i < 25; i += 1) {
      expectError(await deliver(stripeEvent('invoice.paid', { id: `in_forged_${i}` }), { signature: 'nonsense', clientAddress: forger }), 400, 'bad_request');
    }
    const first = await refusalsFrom(forger);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ eventType: 'security_event', outcome: 'failure', targetType: 'webhook' });

    await flushRepeatedFailures({ nowMs: Date.now() + 61_000 });
    const rows = await refusalsFrom(forger);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ eventType: 'security_event', actorType: 'system', actorId: null, targetId: 'stripe' });
    expect(rows[1].metadata).toMatchObject({ repeated: 24, reasons: { 'The Stripe-Signature header does not match the body': 24 } });
  });

  it('acknowledges a redelivered event as a duplicate and applies it only once', async () => {
    const { invoiceId, stripeInvoiceId } = await pushedInvoice('redelivered');
    const event = stripeEvent('invoice.paid', invoiceObject(stripeInvoiceId, invoiceId));
    expect((await deliver(event)).body).toEqual({ received: true, duplicate: false });
    const paidAt = (await invoiceRow(invoiceId)).paidAt;
    const again = await deliver({ ...event, created: event.created + 3600 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(await invoiceRow(invoiceId)).toMatchObject({ status: 'paid', paidAt });
    expect(await handledEvents(event.id)).toHaveLength(1);
  });

  it('acknowledges an event for an invoice Sitework does not know, and one of a type it does not act on', async () => {
    const unknown = stripeEvent('invoice.paid', { id: 'in_from_elsewhere', object: 'invoice', metadata: {} });
    const other = stripeEvent('customer.created', { id: 'cus_elsewhere', object: 'customer' });
    for (const event of [unknown, other]) {
      const result = await deliver(event);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ received: true, duplicate: false });
      expect(await handledEvents(event.id)).toHaveLength(1);
    }
  });

  it('acknowledges a payment failure after the invoice was paid without moving it back', async () => {
    const { invoiceId, stripeInvoiceId } = await pushedInvoice('late-failure');
    await deliver(stripeEvent('invoice.paid', invoiceObject(stripeInvoiceId, invoiceId)));
    const late = await deliver(stripeEvent('invoice.payment_failed', invoiceObject(stripeInvoiceId, invoiceId)));
    expect(late.status).toBe(200);
    expect((await invoiceRow(invoiceId)).status).toBe('paid');
  });

  it('answers 503 when STRIPE_WEBHOOK_SECRET is not set', async () => {
    const settings = config();
    settings.STRIPE_WEBHOOK_SECRET = undefined;
    try {
      const result = await deliver(stripeEvent('invoice.paid', { id: 'in_x', object: 'invoice', metadata: {} }));
      expectError(result, 503, 'unavailable', /STRIPE_WEBHOOK_SECRET/);
    } finally {
      settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET;
    }
  });
});

describe('changing plan through Stripe Checkout', () => {
  it('opens a setup-mode Checkout Session for the tenant with the plan in its metadata', async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-07-01'), 'checkout');
    const owner = await addMember(id, 'owner');
    const session = await createPlanCheckout({
      tenantId: id,
      plan: 'professional',
      userId: owner.id,
      successUrl: 'http://localhost:3000/billing?checkout=done',
      cancelUrl: 'http://localhost:3000/billing',
    });
    expect(session.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_/);
    const [request] = requestsTo('POST', '/v1/checkout/sessions');
    expect(request.params).toMatchObject({
      mode: 'setup',
      customer: (await tenantRow(id)).stripeCustomerId,
      currency: 'usd',
      success_url: 'http://localhost:3000/billing?checkout=done',
      cancel_url: 'http://localhost:3000/billing',
      'metadata[tenant_id]': id,
      'metadata[plan]': 'professional',
      'metadata[user_id]': owner.id,
    });
    // Nothing changes until Stripe says the session completed.
    expect((await tenantRow(id)).plan).toBe('starter');
  });

  it('moves the tenant to the plan on checkout.session.completed, recorded as a checkout change by the user, once', async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-07-01'), 'checkout-done');
    const owner = await addMember(id, 'owner');
    const event = stripeEvent('checkout.session.completed', {
      id: 'cs_completed',
      object: 'checkout.session',
      mode: 'setup',
      status: 'complete',
      metadata: { tenant_id: id, plan: 'professional', user_id: owner.id },
    });
    expect((await deliver(event)).body).toEqual({ received: true, duplicate: false });
    expect(await tenantRow(id)).toMatchObject({ plan: 'professional' });
    const checkoutChanges = () =>
      ownerDb()
        .select({ fromPlan: tenantPlanChanges.fromPlan, toPlan: tenantPlanChanges.toPlan, changedBy: tenantPlanChanges.changedBy })
        .from(tenantPlanChanges)
        .where(and(eq(tenantPlanChanges.tenantId, id), eq(tenantPlanChanges.source, 'checkout')));
    expect(await checkoutChanges()).toEqual([{ fromPlan: 'starter', toPlan: 'professional', changedBy: owner.id }]);

    // An operator moves the tenant back; Stripe redelivering the old event must not undo that.
    await withPlatform((tx) => changeTenantPlan(tx, id, 'starter'));
    expect((await deliver(event)).body).toEqual({ received: true, duplicate: true });
    expect(await tenantRow(id)).toMatchObject({ plan: 'starter' });
    expect(await checkoutChanges()).toHaveLength(1);
  });

  it('records the event only with its effect: a crash while applying it leaves it for the redelivery to apply', async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-07-01'), 'checkout-crash');
    // The crash: the plan history refuses this tenant's checkout row until the trigger is dropped.
    await ownerDb().execute(sql.raw(`
      create function stripe_test_crash() returns trigger language plpgsql as $$
      begin raise exception 'simulated crash while applying the event'; end $$;
      create trigger stripe_test_crash before insert on tenant_plan_changes
        for each row when (new.tenant_id = '${id}' and new.source = 'checkout') execute function stripe_test_crash();`));
    const event = stripeEvent('checkout.session.completed', { id: 'cs_crash', object: 'checkout.session', metadata: { tenant_id: id, plan: 'professional' } });
    try {
      expectError(await deliver(event), 500, 'internal');
      expect(await handledEvents(event.id)).toEqual([]);
      expect(await tenantRow(id)).toMatchObject({ plan: 'starter' });
    } finally {
      await ownerDb().execute(sql.raw('drop trigger stripe_test_crash on tenant_plan_changes; drop function stripe_test_crash();'));
    }

    expect((await deliver(event)).body).toEqual({ received: true, duplicate: false });
    expect(await tenantRow(id)).toMatchObject({ plan: 'professional' });
    expect(await handledEvents(event.id)).toHaveLength(1);
  });

  it('acknowledges a completed session without Sitework metadata and changes no tenant', async () => {
    const before = await ownerDb().select({ id: tenants.id, plan: tenants.plan }).from(tenants);
    const result = await deliver(stripeEvent('checkout.session.completed', { id: 'cs_other', object: 'checkout.session', metadata: { plan: 'enterprise' } }));
    expect(result.status).toBe(200);
    expect(await ownerDb().select({ id: tenants.id, plan: tenants.plan }).from(tenants)).toEqual(before);
  });
});
