import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { invoices } from '@/db/schema/billing';
import { tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { billTenantPeriod, periodOf } from '@/lib/billing';
// Server actions are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import { changeInvoiceStatusAction, runInvoicesAction } from '../app/admin/invoices/actions';
import { createBackdatedTenant, utc } from './support/billing';
import { demoUsers, sessionCookie, type TDemo, type TSessionSubject } from './support/http';

/**
 * Server actions read the caller from the request headers (next/headers), which only exist inside a Next
 * request: here they are the headers a browser on the console would send, with the session of `signIn`.
 */
const request = vi.hoisted(() => ({ cookie: null as string | null }));
vi.mock('next/headers', () => ({
  headers: async () =>
    new Headers({ host: 'localhost:3000', origin: 'http://localhost:3000', ...(request.cookie && { cookie: request.cookie }) }),
}));

async function signIn(user: TSessionSubject | null): Promise<void> {
  request.cookie = user ? await sessionCookie(user) : null;
}

const PERIOD = '2025-06';
const PERIOD_START = '2025-06-01';

let demo: TDemo;
let billed: { id: string; slug: string }[];
let inactive: { id: string; slug: string };
let newcomer: { id: string; slug: string };

const invoicesOf = (tenantId: string) =>
  ownerDb()
    .select({ id: invoices.id, periodStart: invoices.periodStart, status: invoices.status, paidAt: invoices.paidAt, voidedAt: invoices.voidedAt })
    .from(invoices)
    .where(eq(invoices.tenantId, tenantId));
const statusOf = async (invoiceId: string) => (await ownerDb().select({ status: invoices.status }).from(invoices).where(eq(invoices.id, invoiceId)))[0].status;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  // Customers since before the period, one deactivated since, and one that signed up after it ended.
  billed = [await createBackdatedTenant('starter', utc('2025-03-01')), await createBackdatedTenant('professional', utc('2025-03-01'))];
  inactive = await createBackdatedTenant('starter', utc('2025-03-01'));
  await ownerDb().update(tenants).set({ isActive: false }).where(eq(tenants.id, inactive.id));
  newcomer = await createBackdatedTenant('starter', utc('2025-07-01'));
});

describe('operators’ invoices page: who may act', () => {
  it('refuses a tenant owner and a visitor without a session, and invoices nothing', async () => {
    await signIn(demo.acme.owner);
    expect(await runInvoicesAction({ period: PERIOD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/platform operators/) } });
    await signIn(null);
    expect(await runInvoicesAction({ period: PERIOD })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    for (const tenant of [...billed, inactive, newcomer]) expect(await invoicesOf(tenant.id)).toEqual([]);
  });

  it('refuses a tenant owner who tries to mark an invoice paid, and leaves it open', async () => {
    const { invoiceId } = await billTenantPeriod(billed[0].id, '2025-04', utc('2025-05-01'));
    expect(await statusOf(invoiceId)).toBe('open');
    await signIn(demo.acme.owner);
    expect(await changeInvoiceStatusAction({ invoiceId, status: 'paid' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await statusOf(invoiceId)).toBe('open');
  });
});

describe('operators’ invoices page: running a month', () => {
  it('invoices every active tenant that existed in the month, inline when there is no queue, and nothing more when run again', async () => {
    await signIn(demo.operator);
    const first = await runInvoicesAction({ period: PERIOD });
    expect(first).toEqual({
      ok: true,
      data: { period: PERIOD, queued: false, tenants: 2, created: 2, existing: 0, failed: 0, pushedToStripe: 0 },
    });
    for (const tenant of billed) {
      expect((await invoicesOf(tenant.id)).filter((i) => i.periodStart === PERIOD_START)).toEqual([expect.objectContaining({ status: 'open' })]);
    }
    expect(await invoicesOf(inactive.id)).toEqual([]);
    expect(await invoicesOf(newcomer.id)).toEqual([]);

    const again = await runInvoicesAction({ period: PERIOD });
    expect(again).toMatchObject({ ok: true, data: { tenants: 2, created: 0, existing: 2, failed: 0 } });
    for (const tenant of billed) expect((await invoicesOf(tenant.id)).filter((i) => i.periodStart === PERIOD_START)).toHaveLength(1);
  });

  it('names the period field when the month is malformed or has not ended, and invoices nothing', async () => {
    await signIn(demo.operator);
    const countBefore = (await ownerDb().select({ id: invoices.id }).from(invoices)).length;
    const malformed = await runInvoicesAction({ period: '2025-13' });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: [{ field: 'period', message: 'must be a month as YYYY-MM' }] } });
    const current = await runInvoicesAction({ period: periodOf(new Date()) });
    expect(current).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringMatching(/has not ended yet/), fields: [{ field: 'period', message: 'has not ended yet' }] },
    });
    expect((await ownerDb().select({ id: invoices.id }).from(invoices)).length).toBe(countBefore);
  });
});

describe('operators’ invoices page: moving an invoice', () => {
  const invoiceOf = async (tenantId: string, periodStart = PERIOD_START) =>
    (await invoicesOf(tenantId)).find((i) => i.periodStart === periodStart)!;

  it('marks an open invoice paid, then refuses to void it with a 409 saying why, leaving it paid', async () => {
    await signIn(demo.operator);
    const { id } = await invoiceOf(billed[0].id);
    expect(await changeInvoiceStatusAction({ invoiceId: id, status: 'paid' })).toMatchObject({ ok: true, data: { id, status: 'paid' } });
    expect(await invoiceOf(billed[0].id)).toMatchObject({ status: 'paid', paidAt: expect.any(Date) });

    const voided = await changeInvoiceStatusAction({ invoiceId: id, status: 'void' });
    expect(voided).toMatchObject({ ok: false, error: { code: 'conflict', message: 'A paid invoice cannot become void' } });
    expect(await invoiceOf(billed[0].id)).toMatchObject({ status: 'paid', voidedAt: null });
  });

  it('finalizes a draft into a numbered open invoice, and voids an uncollectible one', async () => {
    await signIn(demo.operator);
    const { invoiceId } = await billTenantPeriod(billed[1].id, '2025-05', utc('2025-06-01'));
    // As if a run had died between creating the draft and finalizing it.
    await ownerDb().update(invoices).set({ status: 'draft', number: null, issuedAt: null, dueAt: null }).where(eq(invoices.id, invoiceId));
    const finalized = await changeInvoiceStatusAction({ invoiceId, status: 'open' });
    expect(finalized).toMatchObject({ ok: true, data: { status: 'open', number: expect.stringMatching(/^SW-202505-/) } });

    expect(await changeInvoiceStatusAction({ invoiceId, status: 'uncollectible' })).toMatchObject({ ok: true, data: { status: 'uncollectible' } });
    expect(await changeInvoiceStatusAction({ invoiceId, status: 'void' })).toMatchObject({ ok: true, data: { status: 'void' } });
    expect(await statusOf(invoiceId)).toBe('void');
  });

  it('refuses a status that is not a move an operator makes, naming the field', async () => {
    await signIn(demo.operator);
    const { id } = await invoiceOf(billed[1].id);
    // draft is where an invoice starts, never where an operator sends one.
    const result = await changeInvoiceStatusAction({ invoiceId: id, status: 'draft' as 'open' });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: [expect.objectContaining({ field: 'status' })] } });
    expect(await statusOf(id)).toBe('open');
  });
});
