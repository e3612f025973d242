import 'server-only';
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { invoiceLines, invoices, type TInvoiceLineKind, type TInvoiceStatus } from '@/db/schema/billing';
import { tenantPlanChanges, tenants, type TPlanId } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { recordAudit, SYSTEM_ACTOR } from '@/lib/audit';
import { config } from '@/lib/config';
import { listPlanRows, withPlatform } from '@/lib/tenancy';
import { countUsage } from './current-usage';
import { computeInvoice, type TComputedInvoice, type TInvoiceInput, type TPlanPricing, type TPlanSegment } from './invoice-math';

/** A billing period is a calendar month in UTC, named YYYY-MM. */
export const ZInvoicePeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

export function periodBounds(period: string): { start: Date; end: Date } {
  const [year, month] = period.split('-').map(Number);
  return { start: new Date(Date.UTC(year, month - 1, 1)), end: new Date(Date.UTC(year, month, 1)) };
}

export const periodOf = (date: Date) => date.toISOString().slice(0, 7);

/** The month before the one `now` is in: what the run on the 1st bills. */
export function previousPeriod(now: Date = new Date()): string {
  return periodOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export interface TInvoiceLine {
  position: number;
  kind: TInvoiceLineKind;
  description: string;
  quantity: string;
  unit: string;
  unitPriceCents: number;
  amountCents: number;
  metadata: Record<string, unknown>;
}

export interface TInvoice {
  id: string;
  tenantId: string;
  number: string | null;
  periodStart: string;
  periodEnd: string;
  status: TInvoiceStatus;
  /** Open and past its due date. */
  isOverdue: boolean;
  currency: string;
  subtotalCents: number;
  taxRateBps: number;
  taxCents: number;
  totalCents: number;
  issuedAt: Date | null;
  dueAt: Date | null;
  paidAt: Date | null;
  voidedAt: Date | null;
  uncollectibleAt: Date | null;
  stripeInvoiceId: string | null;
  createdAt: Date;
}

const invoiceColumns = {
  id: invoices.id,
  tenantId: invoices.tenantId,
  number: invoices.number,
  periodStart: invoices.periodStart,
  periodEnd: invoices.periodEnd,
  status: invoices.status,
  currency: invoices.currency,
  subtotalCents: invoices.subtotalCents,
  taxRateBps: invoices.taxRateBps,
  taxCents: invoices.taxCents,
  totalCents: invoices.totalCents,
  issuedAt: invoices.issuedAt,
  dueAt: invoices.dueAt,
  paidAt: invoices.paidAt,
  voidedAt: invoices.voidedAt,
  uncollectibleAt: invoices.uncollectibleAt,
  stripeInvoiceId: invoices.stripeInvoiceId,
  createdAt: invoices.createdAt,
};

type TInvoiceRow = Omit<TInvoice, 'isOverdue'>;

const withOverdue = (row: TInvoiceRow, now = new Date()): TInvoice => ({
  ...row,
  isOverdue: row.status === 'open' && row.dueAt !== null && row.dueAt.getTime() < now.getTime(),
});

// ---------------------------------------------------------------------------------------------------------
// Gathering what an invoice is computed from

async function loadPricing(tx: TTx): Promise<Map<TPlanId, TPlanPricing>> {
  return new Map((await listPlanRows(tx)).map((plan) => [plan.id, plan]));
}

/** The plans in force over [start, end) from the tenant's plan history; nothing before the tenant existed. */
async function planSegments(tx: TTx, tenantId: string, start: Date, end: Date, pricing: Map<TPlanId, TPlanPricing>): Promise<TPlanSegment[]> {
  const changes = await tx
    .select({ toPlan: tenantPlanChanges.toPlan, effectiveAt: tenantPlanChanges.effectiveAt })
    .from(tenantPlanChanges)
    .where(and(eq(tenantPlanChanges.tenantId, tenantId), lt(tenantPlanChanges.effectiveAt, end)))
    .orderBy(asc(tenantPlanChanges.effectiveAt), asc(tenantPlanChanges.id));
  const segments: TPlanSegment[] = [];
  let current: { plan: TPlanId; from: Date } | null = null;
  for (const change of changes) {
    const at = change.effectiveAt.getTime() <= start.getTime() ? start : change.effectiveAt;
    if (current && at.getTime() > current.from.getTime()) segments.push(segmentOf(current.plan, current.from, at, pricing));
    current = { plan: change.toPlan, from: at };
  }
  if (current && current.from.getTime() < end.getTime()) segments.push(segmentOf(current.plan, current.from, end, pricing));
  return segments;
}

function segmentOf(planId: TPlanId, from: Date, to: Date, pricing: Map<TPlanId, TPlanPricing>): TPlanSegment {
  const plan = pricing.get(planId);
  if (!plan) throw new AppError('internal', `Plan ${planId} is missing from the plans table`);
  return { plan, from, to };
}

/** Everything computeInvoice needs, read from the plan history and the daily rollup (never the raw events). */
export async function gatherInvoiceInput(
  tx: TTx,
  tenantId: string,
  period: string,
  options: { pricing?: Map<TPlanId, TPlanPricing>; taxRateBps?: number; until?: Date } = {},
): Promise<TInvoiceInput> {
  const { start, end } = periodBounds(period);
  const pricing = options.pricing ?? (await loadPricing(tx));
  const { filesUploaded, apiCalls } = await countUsage(tx, tenantId, start, end);

  const snapshotRows = await tx.execute<{ day: string; bytes: string }>(sql`
    (SELECT day::text, quantity_sum AS bytes FROM usage_daily
      WHERE tenant_id = ${tenantId} AND event_type = 'storage_bytes' AND route = ''
        AND day < ${isoDay(start)}::date
      ORDER BY day DESC LIMIT 1)
    UNION ALL
    (SELECT day::text, quantity_sum FROM usage_daily
      WHERE tenant_id = ${tenantId} AND event_type = 'storage_bytes' AND route = ''
        AND day >= ${isoDay(start)}::date AND day < ${isoDay(end)}::date)`);

  return {
    periodStart: start,
    periodEnd: end,
    segments: await planSegments(tx, tenantId, start, options.until ?? end, pricing),
    filesUploaded,
    apiCalls,
    storageSnapshots: [...snapshotRows].map((row) => ({ day: row.day, bytes: Number(row.bytes) })),
    taxRateBps: options.taxRateBps ?? config().BILLING_TAX_RATE_BPS,
  };
}

/**
 * What this period's invoice comes to so far (inside withTenant or withPlatform): the base price prorated up to
 * now is shown as the whole period's, since the plan runs to the end of the month unless changed.
 */
export async function estimateCurrentInvoice(tx: TTx, tenantId: string, now: Date = new Date()): Promise<TComputedInvoice & { period: string }> {
  const period = periodOf(now);
  const input = await gatherInvoiceInput(tx, tenantId, period);
  return { period, ...computeInvoice(input) };
}

// ---------------------------------------------------------------------------------------------------------
// The run

export interface TBillTenantResult {
  tenantId: string;
  invoiceId: string;
  created: boolean;
  status: TInvoiceStatus;
}

/**
 * One tenant's invoice for one period: created as a draft with its lines in one transaction, or left as it is
 * when the period already has one (the unique key decides even when two runs race), then finalized.
 */
export async function billTenantPeriod(tenantId: string, period: string, now: Date = new Date()): Promise<TBillTenantResult> {
  const { start, end } = periodBounds(period);
  const created = await withPlatform(async (tx) => {
    const [existing] = await tx
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.tenantId, tenantId), eq(invoices.periodStart, isoDay(start))));
    if (existing) return { id: existing.id, created: false };

    const computed = computeInvoice(await gatherInvoiceInput(tx, tenantId, period));
    const [invoice] = await tx
      .insert(invoices)
      .values({
        tenantId,
        periodStart: isoDay(start),
        periodEnd: isoDay(end),
        status: 'draft',
        currency: config().BILLING_CURRENCY,
        subtotalCents: computed.subtotalCents,
        taxRateBps: computed.taxRateBps,
        taxCents: computed.taxCents,
        totalCents: computed.totalCents,
      })
      .onConflictDoNothing({ target: [invoices.tenantId, invoices.periodStart] })
      .returning({ id: invoices.id });
    if (!invoice) {
      const [raced] = await tx
        .select({ id: invoices.id })
        .from(invoices)
        .where(and(eq(invoices.tenantId, tenantId), eq(invoices.periodStart, isoDay(start))));
      return { id: raced.id, created: false };
    }
    if (computed.lines.length > 0) {
      await tx.insert(invoiceLines).values(computed.lines.map((line, position) => ({ ...line, invoiceId: invoice.id, tenantId, position })));
    }
    return { id: invoice.id, created: true };
  });
  const finalized = await finalizeInvoice(created.id, now);
  return { tenantId, invoiceId: created.id, created: created.created, status: finalized.status };
}

/**
 * draft → open: numbered, issued now and due INVOICE_DUE_DAYS later. A zero-total invoice is paid on issue
 * (nothing to collect). Finalizing an invoice that is no longer a draft returns it unchanged.
 */
export async function finalizeInvoice(invoiceId: string, now: Date = new Date()): Promise<TInvoice> {
  return withPlatform(async (tx) => {
    const dueAt = new Date(now.getTime() + config().INVOICE_DUE_DAYS * 86_400_000);
    const [row] = await tx
      .update(invoices)
      .set({
        status: sql`case when ${invoices.totalCents} = 0 then 'paid' else 'open' end`,
        number: sql`'SW-' || to_char(${invoices.periodStart}, 'YYYYMM') || '-' || lpad(nextval('invoice_number_seq')::text, 6, '0')`,
        issuedAt: now,
        dueAt,
        paidAt: sql`case when ${invoices.totalCents} = 0 then ${now.toISOString()}::timestamptz end`,
        updatedAt: now,
      })
      .where(and(eq(invoices.id, invoiceId), eq(invoices.status, 'draft')))
      .returning(invoiceColumns);
    if (row) {
      await recordAudit(tx, {
        tenantId: row.tenantId,
        type: 'workflow_execution',
        action: 'invoice.issue',
        actor: SYSTEM_ACTOR('Invoice run'),
        target: { type: 'invoice', id: row.id, name: row.number },
        metadata: { periodStart: row.periodStart, totalCents: row.totalCents, status: row.status },
      });
      return withOverdue(row, now);
    }
    const [current] = await tx.select(invoiceColumns).from(invoices).where(eq(invoices.id, invoiceId));
    if (!current) throw new AppError('not_found', 'Invoice not found');
    return withOverdue(current, now);
  });
}

/** A period can be invoiced once it is a well-formed month that has ended; a 400 naming `period` otherwise. */
export function assertBillablePeriod(period: string, now: Date = new Date()): { start: Date; end: Date } {
  if (!ZInvoicePeriod.safeParse(period).success) {
    throw new AppError('validation_failed', 'period must be a month as YYYY-MM', { fields: [{ field: 'period', message: 'must be a month as YYYY-MM' }] });
  }
  const bounds = periodBounds(period);
  if (bounds.end.getTime() > now.getTime()) {
    throw new AppError('validation_failed', `The period ${period} has not ended yet: it can be invoiced from ${bounds.end.toISOString()}`, {
      fields: [{ field: 'period', message: 'has not ended yet' }],
    });
  }
  return bounds;
}

export interface TInvoiceRunResult {
  period: string;
  tenants: number;
  created: number;
  existing: number;
  failed: { tenantId: string; message: string }[];
  invoiceIds: string[];
}

/**
 * Bills every tenant that was active during the period and is active now. Idempotent: a second run for the
 * same period creates nothing and only finishes what a crashed run left (drafts are finalized). Tenants are
 * independent: one failing is reported and the others are still billed. `after` hooks (the Stripe push) run
 * for each invoice the run touched.
 */
export async function runInvoices(
  options: { period?: string; now?: Date; tenantIds?: string[]; after?: (invoiceId: string) => Promise<void> } = {},
): Promise<TInvoiceRunResult> {
  const now = options.now ?? new Date();
  const period = options.period ?? previousPeriod(now);
  const { end } = assertBillablePeriod(period, now);
  const rows = await withPlatform((tx) =>
    tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(
        and(
          eq(tenants.isActive, true),
          lt(tenants.createdAt, end),
          options.tenantIds ? inArray(tenants.id, options.tenantIds) : undefined,
        ),
      )
      .orderBy(tenants.id),
  );
  const result: TInvoiceRunResult = { period, tenants: rows.length, created: 0, existing: 0, failed: [], invoiceIds: [] };
  const queue = [...rows];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const billed = await billTenantPeriod(next.id, period, now);
        if (billed.created) result.created += 1;
        else result.existing += 1;
        result.invoiceIds.push(billed.invoiceId);
        await options.after?.(billed.invoiceId);
      } catch (error) {
        result.failed.push({ tenantId: next.id, message: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Reading and state changes

/**
 * A tenant's invoices, newest period first, keyset-paginated by (period start, id): returns up to limit + 1
 * rows so the caller can tell there is a next page; `after` is the last row's (periodStart, id).
 */
export async function listInvoices(
  tx: TTx,
  tenantId: string,
  query: { limit: number; after?: { periodStart: string; id: string }; status?: TInvoiceStatus },
): Promise<TInvoice[]> {
  const rows = await tx
    .select(invoiceColumns)
    .from(invoices)
    .where(
      and(
        eq(invoices.tenantId, tenantId),
        query.status ? eq(invoices.status, query.status) : undefined,
        query.after ? sql`(${invoices.periodStart}, ${invoices.id}) < (${query.after.periodStart}::date, ${query.after.id}::uuid)` : undefined,
      ),
    )
    // NULLS LAST like invoices_tenant_list_idx, so the index gives the order.
    .orderBy(sql`${invoices.periodStart} desc nulls last`, sql`${invoices.id} desc nulls last`)
    .limit(query.limit + 1);
  return rows.map((row) => withOverdue(row));
}

export async function getInvoice(tx: TTx, tenantId: string, invoiceId: string): Promise<TInvoice & { lines: TInvoiceLine[] }> {
  const [row] = await tx
    .select(invoiceColumns)
    .from(invoices)
    .where(and(eq(invoices.tenantId, tenantId), eq(invoices.id, invoiceId)));
  if (!row) throw new AppError('not_found', 'Invoice not found');
  const lines = await tx
    .select({
      position: invoiceLines.position,
      kind: invoiceLines.kind,
      description: invoiceLines.description,
      quantity: invoiceLines.quantity,
      unit: invoiceLines.unit,
      unitPriceCents: invoiceLines.unitPriceCents,
      amountCents: invoiceLines.amountCents,
      metadata: invoiceLines.metadata,
    })
    .from(invoiceLines)
    .where(and(eq(invoiceLines.tenantId, tenantId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.position));
  return { ...withOverdue(row), lines };
}

/** The moves an operator (or Stripe) may make; anything else is a 409. */
const TRANSITIONS: Record<TInvoiceStatus, readonly TInvoiceStatus[]> = {
  draft: ['open', 'void'],
  open: ['paid', 'void', 'uncollectible'],
  uncollectible: ['paid', 'void'],
  paid: [],
  void: [],
};

/** Whether an invoice in `from` may move to `to` (moving to the state it is in is allowed: a no-op). */
export const canMoveInvoice = (from: TInvoiceStatus, to: TInvoiceStatus): boolean => from === to || TRANSITIONS[from].includes(to);

export const ZInvoiceStatusChange = z.object({ status: z.enum(['open', 'paid', 'void', 'uncollectible']) }).strict();

/**
 * Moves an invoice to another state (platform path: operators, Stripe webhooks). Moving to the state it is
 * already in is a no-op that returns it (a redelivered webhook, a double click); an illegal move is a 409.
 */
export async function setInvoiceStatus(tx: TTx, invoiceId: string, status: TInvoiceStatus, now: Date = new Date()): Promise<TInvoice & { changed: boolean }> {
  if (status === 'open') {
    const invoice = await finalizeInvoice(invoiceId, now);
    return { ...invoice, changed: true };
  }
  const [current] = await tx.select(invoiceColumns).from(invoices).where(eq(invoices.id, invoiceId)).for('update');
  if (!current) throw new AppError('not_found', 'Invoice not found');
  if (current.status === status) return { ...withOverdue(current, now), changed: false };
  if (!canMoveInvoice(current.status, status)) {
    throw new AppError('conflict', `A ${current.status} invoice cannot become ${status}`, { status: current.status });
  }
  const stamp = { paid: { paidAt: now }, void: { voidedAt: now }, uncollectible: { uncollectibleAt: now } }[status as 'paid' | 'void' | 'uncollectible'];
  const [row] = await tx
    .update(invoices)
    .set({ status, ...stamp, updatedAt: now })
    .where(eq(invoices.id, invoiceId))
    .returning(invoiceColumns);
  return { ...withOverdue(row, now), changed: true };
}

/** Operators' view: invoices of every tenant, newest period first, with the tenant's name. */
export type TAdminInvoice = TInvoice & { tenantName: string; tenantSlug: string };

function encodeAdminInvoiceCursor(row: TAdminInvoice): string {
  return Buffer.from(JSON.stringify([row.periodStart, row.tenantName, row.id])).toString('base64url');
}

function decodeAdminInvoiceCursor(cursor: string): { periodStart: string; tenantName: string; id: string } {
  try {
    const [periodStart, tenantName, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string, string];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(periodStart) || typeof tenantName !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { periodStart, tenantName, id };
  } catch {
    throw new AppError('validation_failed', 'Invalid cursor: pass back the nextCursor of the previous page', {
      fields: [{ field: 'cursor', message: 'is not a cursor this API issued' }],
    });
  }
}

/**
 * Every tenant's invoices for operators: newest period first, tenants by name within a period, in keyset pages
 * (the cursor is the last row's period, tenant name and id).
 */
export async function listAllInvoices(
  tx: TTx,
  query: { limit: number; period?: string; status?: TInvoiceStatus; cursor?: string },
): Promise<{ items: TAdminInvoice[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeAdminInvoiceCursor(query.cursor) : undefined;
  const rows = await tx
    .select({ ...invoiceColumns, tenantName: tenants.name, tenantSlug: tenants.slug })
    .from(invoices)
    .innerJoin(tenants, eq(tenants.id, invoices.tenantId))
    .where(
      and(
        query.period ? eq(invoices.periodStart, isoDay(periodBounds(query.period).start)) : undefined,
        query.status ? eq(invoices.status, query.status) : undefined,
        after
          ? sql`(${invoices.periodStart} < ${after.periodStart}::date or (${invoices.periodStart} = ${after.periodStart}::date and (${tenants.name}, ${invoices.id}) > (${after.tenantName}, ${after.id}::uuid)))`
          : undefined,
      ),
    )
    .orderBy(desc(invoices.periodStart), asc(tenants.name), asc(invoices.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map((row) => ({ ...withOverdue(row), tenantName: row.tenantName, tenantSlug: row.tenantSlug }));
  return { items, nextCursor: rows.length > query.limit ? encodeAdminInvoiceCursor(items[items.length - 1]) : null };
}

export interface TOpenInvoiceTotals {
  open: { count: number; totalCents: number };
  overdue: { count: number; totalCents: number };
}

/** Open and overdue invoices (all tenants, or one period): counted and summed by PostgreSQL, whatever their number. */
export async function openInvoiceTotals(tx: TTx, query: { period?: string } = {}): Promise<TOpenInvoiceTotals> {
  const isOverdue = sql`${invoices.dueAt} < now()`;
  const [row] = await tx
    .select({
      openCount: sql<string>`count(*)`,
      openCents: sql<string>`coalesce(sum(${invoices.totalCents}), 0)`,
      overdueCount: sql<string>`count(*) filter (where ${isOverdue})`,
      overdueCents: sql<string>`coalesce(sum(${invoices.totalCents}) filter (where ${isOverdue}), 0)`,
    })
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), query.period ? eq(invoices.periodStart, isoDay(periodBounds(query.period).start)) : undefined));
  return {
    open: { count: Number(row.openCount), totalCents: Number(row.openCents) },
    overdue: { count: Number(row.overdueCount), totalCents: Number(row.overdueCents) },
  };
}
