import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { invoiceLines, invoices } from '@/db/schema/billing';
import { tenants } from '@/db/schema/tenancy';
import { billTenantPeriod, getInvoice, runInvoices, setInvoiceStatus, updatePlan } from '@/lib/billing';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { recordUsageEvents, type TUsageEvent } from '@/lib/usage';
import { backdatePlanChange, createBackdatedTenant, utc } from './support/billing';

const GiB = 1024 ** 3;
const SEPTEMBER = '2026-09';
const RUN_AT = new Date('2026-10-01T01:00:00Z');

const event = (type: TUsageEvent['type'], occurredAt: Date, quantity = 1): TUsageEvent => ({
  id: randomUUID(),
  type,
  quantity,
  occurredAt,
  ...(type === 'api_call' ? { route: '/api/v1/files', method: 'GET', status: 200 } : {}),
});
const record = (tenantId: string, events: TUsageEvent[]) => withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, events));
const invoicesOf = (tenantId: string) => ownerDb().select().from(invoices).where(eq(invoices.tenantId, tenantId));
const bill = async (tenantId: string) => {
  const { invoiceId } = await billTenantPeriod(tenantId, SEPTEMBER, RUN_AT);
  return withTenant(tenantId, (tx) => getInvoice(tx, tenantId, invoiceId));
};
const line = (invoice: Awaited<ReturnType<typeof bill>>, kind: string) => invoice.lines.find((l) => l.kind === kind)!;

describe('an invoice for a whole month on one plan', () => {
  it('has the base price, three usage lines at zero, 10 % tax, a number, and is open until 30 days after issue', async () => {
    const { id } = await createBackdatedTenant('professional', utc('2026-08-15'));
    const invoice = await bill(id);
    expect(invoice).toMatchObject({
      periodStart: '2026-09-01',
      periodEnd: '2026-10-01',
      status: 'open',
      currency: 'usd',
      subtotalCents: 9900,
      taxRateBps: 1000,
      taxCents: 990,
      totalCents: 10_890,
      issuedAt: RUN_AT,
      dueAt: new Date('2026-10-31T01:00:00Z'),
    });
    expect(invoice.number).toMatch(/^SW-202609-\d{6}$/);
    expect(invoice.lines.map((l) => [l.kind, l.quantity, l.unitPriceCents, l.amountCents])).toEqual([
      ['base', '1.000000', 9900, 9900],
      ['extra_files', '0.000000', 50, 0],
      ['storage', '0.000000', 1000, 0],
      ['api_calls', '0.000000', 10, 0],
    ]);
    expect(line(invoice, 'base').description).toBe('Professional plan, Sep 1, 2026 – Sep 30, 2026');
  });

  it('is paid on issue when there is nothing to collect (Free, no overage)', async () => {
    const { id } = await createBackdatedTenant('free', utc('2026-01-01'));
    const invoice = await bill(id);
    expect(invoice).toMatchObject({ status: 'paid', totalCents: 0, paidAt: RUN_AT });
  });
});

describe('usage lines', () => {
  it('bills files and API calls beyond the allowance, thousands of calls rounded once, half up', async () => {
    await withPlatform((tx) => updatePlan(tx, 'starter', { filesPerMonth: 3, apiCallsPerMonth: 100 }));
    const { id } = await createBackdatedTenant('starter', utc('2026-08-01'));
    await record(id, [
      ...Array.from({ length: 5 }, (_, i) => event('file_upload', new Date(`2026-09-0${i + 1}T12:00:00Z`), 1000)),
      ...Array.from({ length: 1234 }, (_, i) => event('api_call', new Date(Date.UTC(2026, 8, 1 + (i % 30), 8)))),
      // Outside the period: never billed here.
      event('file_upload', new Date('2026-08-31T23:59:59Z'), 10),
      event('api_call', new Date('2026-10-01T00:00:00Z')),
    ]);
    const invoice = await bill(id);
    expect(line(invoice, 'extra_files')).toMatchObject({ quantity: '2.000000', amountCents: 100, metadata: { used: 5, included: 3 } });
    // 1,134 extra calls × 10 ¢ per 1,000 = 11.34 ¢ → 11 ¢.
    expect(line(invoice, 'api_calls')).toMatchObject({ quantity: '1.134000', amountCents: 11, metadata: { used: 1234, included: 100 } });
    expect(invoice.subtotalCents).toBe(2900 + 100 + 11);
    // 3,011 × 10 % = 301.1 → 301.
    expect(invoice).toMatchObject({ taxCents: 301, totalCents: 3312 });
  });

  it('bills storage as GiB-months over the allowance from daily snapshots, carrying a snapshot over days without one', async () => {
    const { id } = await createBackdatedTenant('free', utc('2026-08-01'));
    await record(id, [
      event('storage_bytes', new Date('2026-08-25T00:10:00Z'), 99 * GiB), // before the period, superseded on the 1st
      event('storage_bytes', new Date('2026-09-01T00:10:00Z'), 20 * GiB), // days 1–10: 10 GiB over
      event('storage_bytes', new Date('2026-09-11T00:10:00Z'), 40 * GiB), // days 11–20: 30 GiB over
      event('storage_bytes', new Date('2026-09-21T00:10:00Z'), 10 * GiB), // days 21–30: at the allowance
    ]);
    const invoice = await bill(id);
    // (10 × 10 + 30 × 10) GiB-days / 30 days = 13.333333 GiB-months × $10 = $133.333… → 13,333 ¢.
    expect(line(invoice, 'storage')).toMatchObject({
      quantity: '13.333333',
      unit: 'GiB-month',
      amountCents: 13_333,
      metadata: { includedBytes: 10 * GiB, days: 30 },
    });
    expect(line(invoice, 'storage').description).toContain('average 23.33 GiB stored');
  });

  it('carries the last snapshot before the period into its first days', async () => {
    const { id } = await createBackdatedTenant('free', utc('2026-08-01'));
    await record(id, [event('storage_bytes', new Date('2026-08-20T00:10:00Z'), 13 * GiB)]);
    const invoice = await bill(id);
    // 3 GiB over for all 30 days = 3 GiB-months × $10.
    expect(line(invoice, 'storage')).toMatchObject({ quantity: '3.000000', amountCents: 3000 });
  });

  it('counts a snapshot reported twice (same id) once, and a day’s largest snapshot', async () => {
    const { id } = await createBackdatedTenant('free', utc('2026-08-01'));
    const snapshot = event('storage_bytes', new Date('2026-09-01T00:10:00Z'), 16 * GiB);
    await record(id, [snapshot, snapshot, event('storage_bytes', new Date('2026-09-01T12:00:00Z'), 13 * GiB)]);
    await record(id, [snapshot]);
    const invoice = await bill(id);
    expect(line(invoice, 'storage')).toMatchObject({ quantity: '6.000000', amountCents: 6000 });
  });
});

describe('plan changes in the period', () => {
  it('prorates each plan’s base price by the time it was in force, with the allowances of the plan at the end', async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-08-01'));
    await backdatePlanChange(id, 'professional', utc('2026-09-11'));
    const invoice = await bill(id);
    expect(invoice.lines.filter((l) => l.kind === 'base').map((l) => [l.description, l.quantity, l.amountCents])).toEqual([
      ['Starter plan, Sep 1, 2026 – Sep 10, 2026 (prorated)', '0.333333', 967], // 2,900 × 10/30 = 966.67
      ['Professional plan, Sep 11, 2026 – Sep 30, 2026 (prorated)', '0.666667', 6600],
    ]);
    expect(line(invoice, 'extra_files').metadata).toMatchObject({ included: 1000 });
    expect(invoice).toMatchObject({ subtotalCents: 7567, taxCents: 757, totalCents: 8324 });
  });

  it('bills a tenant created during the period from its creation only', async () => {
    const { id } = await createBackdatedTenant('professional', new Date('2026-09-16T00:00:00Z'));
    const invoice = await bill(id);
    expect(invoice.lines.filter((l) => l.kind === 'base')).toEqual([
      expect.objectContaining({ quantity: '0.500000', amountCents: 4950, description: 'Professional plan, Sep 16, 2026 – Sep 30, 2026 (prorated)' }),
    ]);
  });
});

describe('the run', () => {
  it('creates one invoice per tenant and period however often it runs, even concurrently', async () => {
    const a = await createBackdatedTenant('starter', utc('2026-07-01'));
    const b = await createBackdatedTenant('professional', utc('2026-07-01'));
    const first = await runInvoices({ period: SEPTEMBER, now: RUN_AT, tenantIds: [a.id, b.id] });
    expect(first).toMatchObject({ period: SEPTEMBER, tenants: 2, created: 2, existing: 0, failed: [] });
    const [second, third] = await Promise.all([
      runInvoices({ period: SEPTEMBER, now: RUN_AT, tenantIds: [a.id, b.id] }),
      runInvoices({ period: SEPTEMBER, now: RUN_AT, tenantIds: [a.id, b.id] }),
    ]);
    expect(second.created + third.created).toBe(0);
    expect(second.existing + third.existing).toBe(4);
    for (const { id } of [a, b]) {
      const rows = await invoicesOf(id);
      expect(rows).toHaveLength(1);
      expect(await ownerDb().select().from(invoiceLines).where(eq(invoiceLines.invoiceId, rows[0].id))).toHaveLength(4);
    }
  });

  it('bills the previous month by default, and only active tenants that existed in it', async () => {
    const billed = await createBackdatedTenant('starter', utc('2026-07-01'));
    const inactive = await createBackdatedTenant('starter', utc('2026-07-01'));
    await ownerDb().update(tenants).set({ isActive: false }).where(eq(tenants.id, inactive.id));
    const newcomer = await createBackdatedTenant('starter', utc('2026-10-01'));
    const result = await runInvoices({ now: RUN_AT, tenantIds: [billed.id, inactive.id, newcomer.id] });
    expect(result).toMatchObject({ period: SEPTEMBER, tenants: 1, created: 1 });
    expect(await invoicesOf(billed.id)).toHaveLength(1);
    expect(await invoicesOf(inactive.id)).toHaveLength(0);
    expect(await invoicesOf(newcomer.id)).toHaveLength(0);
  });

  it('refuses a period that has not ended', async () => {
    await expect(runInvoices({ period: '2026-10', now: RUN_AT })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('finalizes a draft a crashed run left behind, without recomputing or duplicating it', async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-07-01'));
    await billTenantPeriod(id, SEPTEMBER, RUN_AT);
    // As if the process died between creating the draft and finalizing it.
    await ownerDb().update(invoices).set({ status: 'draft', number: null, issuedAt: null, dueAt: null }).where(eq(invoices.tenantId, id));
    const result = await runInvoices({ period: SEPTEMBER, now: RUN_AT, tenantIds: [id] });
    expect(result).toMatchObject({ created: 0, existing: 1 });
    const [row] = await invoicesOf(id);
    expect(row).toMatchObject({ status: 'open', totalCents: 3190 });
    expect(row.number).toMatch(/^SW-202609-/);
  });

  it('reports a tenant that fails and still bills the others', async () => {
    const ok = await createBackdatedTenant('starter', utc('2026-07-01'));
    const broken = await createBackdatedTenant('starter', utc('2026-07-01'));
    const result = await runInvoices({
      period: SEPTEMBER,
      now: RUN_AT,
      tenantIds: [ok.id, broken.id],
      after: async (invoiceId) => {
        const [row] = await ownerDb().select({ tenantId: invoices.tenantId }).from(invoices).where(eq(invoices.id, invoiceId));
        if (row.tenantId === broken.id) throw new Error('Stripe is down');
      },
    });
    expect(result.created).toBe(2);
    expect(result.failed).toEqual([{ tenantId: broken.id, message: 'Stripe is down' }]);
  });
});

describe('states', () => {
  const openInvoice = async () => {
    const { id } = await createBackdatedTenant('starter', utc('2026-07-01'));
    const { invoiceId } = await billTenantPeriod(id, SEPTEMBER, RUN_AT);
    return { tenantId: id, invoiceId };
  };
  const move = (invoiceId: string, status: 'paid' | 'void' | 'uncollectible' | 'open', at = new Date('2026-10-05T00:00:00Z')) =>
    withPlatform((tx) => setInvoiceStatus(tx, invoiceId, status, at));

  it('goes open → paid, and a paid invoice cannot be voided', async () => {
    const { invoiceId } = await openInvoice();
    expect(await move(invoiceId, 'paid')).toMatchObject({ status: 'paid', changed: true, paidAt: new Date('2026-10-05T00:00:00Z') });
    expect(await move(invoiceId, 'paid')).toMatchObject({ status: 'paid', changed: false });
    await expect(move(invoiceId, 'void')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('goes open → uncollectible → paid, and open → void', async () => {
    const first = await openInvoice();
    expect(await move(first.invoiceId, 'uncollectible')).toMatchObject({ status: 'uncollectible' });
    expect(await move(first.invoiceId, 'paid')).toMatchObject({ status: 'paid' });
    const second = await openInvoice();
    expect(await move(second.invoiceId, 'void')).toMatchObject({ status: 'void' });
    await expect(move(second.invoiceId, 'paid')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('is overdue when open past its due date', async () => {
    const { tenantId, invoiceId } = await openInvoice();
    const [row] = await ownerDb().select({ dueAt: invoices.dueAt }).from(invoices).where(eq(invoices.id, invoiceId));
    expect(row.dueAt).toEqual(new Date('2026-10-31T01:00:00Z'));
    await ownerDb().update(invoices).set({ dueAt: new Date(Date.now() - 1000) }).where(eq(invoices.id, invoiceId));
    expect(await withTenant(tenantId, (tx) => getInvoice(tx, tenantId, invoiceId))).toMatchObject({ status: 'open', isOverdue: true });
  });
});

describe('tenancy', () => {
  it('never shows one tenant another’s invoice, even by id, and request code cannot write invoices', async () => {
    const a = await createBackdatedTenant('starter', utc('2026-07-01'));
    const b = await createBackdatedTenant('starter', utc('2026-07-01'));
    const { invoiceId } = await billTenantPeriod(b.id, SEPTEMBER, RUN_AT);
    await expect(withTenant(a.id, (tx) => getInvoice(tx, a.id, invoiceId))).rejects.toMatchObject({ code: 'not_found' });
    await expect(withTenant(a.id, (tx) => getInvoice(tx, b.id, invoiceId))).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      withTenant(b.id, (tx) => tx.update(invoices).set({ status: 'paid' }).where(and(eq(invoices.id, invoiceId), eq(invoices.tenantId, b.id)))),
    ).rejects.toSatisfy((error: Error) => /permission denied for table invoices/.test(String(error.cause)));
  });
});
