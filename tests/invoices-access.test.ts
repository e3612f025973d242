import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { invoices, plans } from '@/db/schema/billing';
import { tenantPlanChanges, tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { permissionsOf } from '@/lib/auth';
import { withPlatform } from '@/lib/tenancy';
import { billTenantPeriod, openInvoiceTotals } from '@/lib/billing';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as adminInvoiceRoute from '../app/api/v1/admin/invoices/[id]/route';
import * as adminInvoicesRoute from '../app/api/v1/admin/invoices/route';
import * as adminRunRoute from '../app/api/v1/admin/invoices/run/route';
import * as planRoute from '../app/api/v1/billing/plan/route';
import * as summaryRoute from '../app/api/v1/billing/summary/route';
import * as invoiceRoute from '../app/api/v1/invoices/[id]/route';
import * as invoicesRoute from '../app/api/v1/invoices/route';
import { APEX_HOST, callRoute, createKey, demoUsers, expectError, hostOf, type TCallOptions, type TDemo, type TRouteHandler } from './support/http';
import { v1Operations } from './support/routes';

/**
 * Who may read invoices, see the billing summary, change plan, and run or move invoices, across roles,
 * tenants and the platform line; plus what each answers. Billing data is admins' and owners' (billing:read);
 * changing plan is owners' (billing:manage); running and moving invoices is operators'.
 */

let demo: TDemo;
const SINCE = new Date('2026-06-01T00:00:00Z');
const invoiceIdOf: Record<string, string> = {};

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  const ids = [demo.acme.id, demo.globex.id];
  await ownerDb().update(tenants).set({ createdAt: SINCE }).where(inArray(tenants.id, ids));
  await ownerDb().update(tenantPlanChanges).set({ effectiveAt: SINCE }).where(inArray(tenantPlanChanges.tenantId, ids));
  for (const period of ['2026-07', '2026-08', '2026-09']) {
    const now = new Date(`${period === '2026-09' ? '2026-10' : period === '2026-08' ? '2026-09' : '2026-08'}-01T01:00:00Z`);
    invoiceIdOf[`acme ${period}`] = (await billTenantPeriod(demo.acme.id, period, now)).invoiceId;
  }
  invoiceIdOf['globex 2026-09'] = (await billTenantPeriod(demo.globex.id, '2026-09', new Date('2026-10-01T01:00:00Z'))).invoiceId;
});

const tested = new Set<string>();
const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const canReadBilling = (role: TRole) => permissionsOf(role).includes('billing:read');

describe('GET /api/v1/invoices', () => {
  tested.add('GET /api/v1/invoices');
  const list = (options: Partial<TCallOptions> = {}) => callRoute(invoicesRoute.GET, { path: '/api/v1/invoices', host: hostOf('acme'), ...options });

  for (const role of ROLES) {
    it(`${canReadBilling(role) ? 'lets' : 'refuses'} an ${role} session`, async () => {
      const result = await list({ cookieFor: demo.acme[role] });
      if (!canReadBilling(role)) return expectError(result, 403, 'forbidden');
      expect(result.status, result.text).toBe(200);
      expect(result.body.invoices.map((i: { periodStart: string }) => i.periodStart)).toEqual(['2026-09-01', '2026-08-01', '2026-07-01']);
    });
  }

  it('answers 401 without credentials and 403 for a key without billing:read; a key with it works', async () => {
    expectError(await list(), 401, 'unauthorized');
    const without = await createKey('acme', 'owner', permissionsOf('owner').filter((p) => p !== 'billing:read'));
    expectError(await list({ apiKey: without }), 403, 'forbidden');
    const withRead = await createKey('acme', 'owner', ['billing:read']);
    expect((await list({ apiKey: withRead })).body.invoices).toHaveLength(3);
  });

  it('shows each tenant only its own invoices', async () => {
    const result = await list({ host: hostOf('globex'), cookieFor: demo.globex.owner });
    expect(result.body.invoices.map((i: { id: string }) => i.id)).toEqual([invoiceIdOf['globex 2026-09']]);
    // An acme member calling on globex's host is not a member there.
    expectError(await list({ host: hostOf('globex'), cookieFor: demo.acme.owner }), 403, 'forbidden');
  });

  it('pages with a cursor, without gaps or repeats, and filters by status', async () => {
    const first = await list({ path: '/api/v1/invoices?limit=2', cookieFor: demo.acme.owner });
    expect(first.body.invoices).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list({ path: `/api/v1/invoices?limit=2&cursor=${first.body.nextCursor}`, cookieFor: demo.acme.owner });
    expect(second.body.invoices.map((i: { periodStart: string }) => i.periodStart)).toEqual(['2026-07-01']);
    expect(second.body.nextCursor).toBeNull();
    const paid = await list({ path: '/api/v1/invoices?status=paid', cookieFor: demo.acme.owner });
    expect(paid.body.invoices).toEqual([]);
    expectError(await list({ path: '/api/v1/invoices?status=late', cookieFor: demo.acme.owner }), 400, 'validation_failed');
    expectError(await list({ path: '/api/v1/invoices?cursor=nonsense', cookieFor: demo.acme.owner }), 400, 'validation_failed');
  });
});

describe('GET /api/v1/invoices/{id}', () => {
  tested.add('GET /api/v1/invoices/{id}');
  const get = (id: string, options: Partial<TCallOptions> = {}) =>
    callRoute(invoiceRoute.GET, { path: `/api/v1/invoices/${id}`, params: { id }, host: hostOf('acme'), ...options });

  it('gives an admin the invoice with its lines in order, amounts in cents', async () => {
    const result = await get(invoiceIdOf['acme 2026-09'], { cookieFor: demo.acme.admin });
    expect(result.status, result.text).toBe(200);
    expect(result.body.invoice).toMatchObject({ status: 'open', subtotalCents: 9900, taxCents: 990, totalCents: 10_890, currency: 'usd' });
    expect(result.body.invoice.lines.map((l: { kind: string }) => l.kind)).toEqual(['base', 'extra_files', 'storage', 'api_calls']);
  });

  it('answers 404 for another tenant’s invoice, 400 for a malformed id, 403 for a viewer', async () => {
    expectError(await get(invoiceIdOf['globex 2026-09'], { cookieFor: demo.acme.owner }), 404, 'not_found');
    expectError(await get(invoiceIdOf['acme 2026-09'], { host: hostOf('globex'), cookieFor: demo.globex.owner }), 404, 'not_found');
    expectError(await get('not-a-uuid', { cookieFor: demo.acme.owner }), 400, 'validation_failed');
    expectError(await get(invoiceIdOf['acme 2026-09'], { cookieFor: demo.acme.viewer }), 403, 'forbidden');
  });
});

describe('GET /api/v1/billing/summary', () => {
  tested.add('GET /api/v1/billing/summary');

  it('gives an owner the plan, this period’s estimate and the plans on offer; refuses an editor', async () => {
    const result = await callRoute(summaryRoute.GET, { path: '/api/v1/billing/summary', host: hostOf('acme'), cookieFor: demo.acme.owner });
    expect(result.status, result.text).toBe(200);
    expect(result.body.plan).toMatchObject({ id: 'professional', priceCents: 9900 });
    expect(result.body.estimate).toMatchObject({ period: new Date().toISOString().slice(0, 7), subtotalCents: expect.any(Number) });
    expect(result.body.estimate.totalCents).toBe(result.body.estimate.subtotalCents + result.body.estimate.taxCents);
    expect(result.body.plans.map((p: { id: string }) => p.id)).toEqual(['free', 'starter', 'professional', 'enterprise']);
    const editor = await callRoute(summaryRoute.GET, { path: '/api/v1/billing/summary', host: hostOf('acme'), cookieFor: demo.acme.editor });
    expectError(editor, 403, 'forbidden');
  });
});

describe('POST /api/v1/billing/plan', () => {
  tested.add('POST /api/v1/billing/plan');
  const change = (body: unknown, options: Partial<TCallOptions> = {}) =>
    callRoute(planRoute.POST, { method: 'POST', path: '/api/v1/billing/plan', host: hostOf('globex'), body, ...options });
  const planOf = async (id: string) => (await ownerDb().select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, id)))[0].plan;

  it('refuses admins and below (403) and anonymous callers (401), changing nothing', async () => {
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      expectError(await change({ plan: 'starter' }, { cookieFor: demo.globex[role] }), 403, 'forbidden');
    }
    expectError(await change({ plan: 'starter' }), 401, 'unauthorized');
    expect(await planOf(demo.globex.id)).toBe('free');
  });

  it('refuses an unknown plan or extra fields with 400, changing nothing', async () => {
    expectError(await change({ plan: 'platinum' }, { cookieFor: demo.globex.owner }), 400, 'validation_failed');
    expectError(await change({ plan: 'starter', priceCents: 0 }, { cookieFor: demo.globex.owner }), 400, 'validation_failed');
    expect(await planOf(demo.globex.id)).toBe('free');
  });

  it('refuses a plan no longer offered with 409', async () => {
    await ownerDb().update(plans).set({ isActive: false }).where(eq(plans.id, 'enterprise'));
    try {
      expectError(await change({ plan: 'enterprise' }, { cookieFor: demo.globex.owner }), 409, 'conflict');
    } finally {
      await ownerDb().update(plans).set({ isActive: true }).where(eq(plans.id, 'enterprise'));
    }
  });

  it('lets the owner move the tenant at once, with its quotas, and records who and when for the invoice', async () => {
    const before = new Date();
    const result = await change({ plan: 'starter' }, { cookieFor: demo.globex.owner });
    expect(result.status, result.text).toBe(200);
    expect(result.body.result).toMatchObject({ kind: 'changed', plan: 'starter', previousPlan: 'free' });
    const [tenant] = await ownerDb().select().from(tenants).where(eq(tenants.id, demo.globex.id));
    expect(tenant).toMatchObject({ plan: 'starter', apiQuotaMonthly: 30_000 });
    const history = await ownerDb()
      .select()
      .from(tenantPlanChanges)
      .where(and(eq(tenantPlanChanges.tenantId, demo.globex.id), eq(tenantPlanChanges.source, 'owner')));
    expect(history).toEqual([expect.objectContaining({ fromPlan: 'free', toPlan: 'starter', changedBy: demo.globex.owner.id })]);
    expect(history[0].effectiveAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    // The same plan again: nothing to do, nothing recorded.
    expect((await change({ plan: 'starter' }, { cookieFor: demo.globex.owner })).body.result).toEqual({ kind: 'unchanged', plan: 'starter' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Operators

interface TPlatformCase {
  operation: string;
  handler: TRouteHandler;
  request: () => Omit<TCallOptions, 'cookieFor' | 'apiKey'>;
  expectedStatus: number;
}

const invoiceState = async () => ownerDb().select({ id: invoices.id, status: invoices.status }).from(invoices).orderBy(invoices.id);

const platformCases: TPlatformCase[] = [
  { operation: 'GET /api/v1/admin/invoices', handler: adminInvoicesRoute.GET, request: () => ({ path: '/api/v1/admin/invoices' }), expectedStatus: 200 },
  {
    operation: 'POST /api/v1/admin/invoices/run',
    handler: adminRunRoute.POST,
    request: () => ({ method: 'POST', path: '/api/v1/admin/invoices/run', body: { period: '2026-09' } }),
    expectedStatus: 202,
  },
  {
    operation: 'PATCH /api/v1/admin/invoices/{id}',
    handler: adminInvoiceRoute.PATCH,
    request: () => ({
      method: 'PATCH',
      path: `/api/v1/admin/invoices/${invoiceIdOf['acme 2026-07']}`,
      params: { id: invoiceIdOf['acme 2026-07'] },
      body: { status: 'paid' },
    }),
    expectedStatus: 200,
  },
];

describe.each(platformCases)('$operation', (c) => {
  tested.add(c.operation);

  it("refuses a tenant owner's session (403), no session (401) and an owner's all-scopes key (401), changing nothing", async () => {
    const before = await invoiceState();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.acme.owner }), 403, 'forbidden');
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST }), 401, 'unauthorized');
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner'));
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST, apiKey }), 401, 'unauthorized');
    expect(await invoiceState()).toEqual(before);
  });

  it('lets a platform operator through', async () => {
    const result = await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.operator });
    expect(result.status, result.text).toBe(c.expectedStatus);
  });
});

describe('what the operator endpoints answer', () => {
  const operator = () => ({ host: APEX_HOST, cookieFor: demo.operator });

  it('lists every tenant’s invoices for a period with the tenant’s name', async () => {
    const result = await callRoute(adminInvoicesRoute.GET, { path: '/api/v1/admin/invoices?period=2026-09', ...operator() });
    expect(result.body.invoices.map((i: { tenantSlug: string; status: string }) => [i.tenantSlug, i.status]).sort()).toEqual([
      ['acme', 'open'],
      ['globex', 'paid'],
    ]);
    expectError(await callRoute(adminInvoicesRoute.GET, { path: '/api/v1/admin/invoices?period=2026-13', ...operator() }), 400, 'validation_failed');
  });

  it('pages through every invoice once, newest period first and by tenant, and totals the open ones in SQL', async () => {
    const all = (await callRoute(adminInvoicesRoute.GET, { path: '/api/v1/admin/invoices?limit=500', ...operator() })).body.invoices;
    const seen: { id: string; periodStart: string; tenantName: string; status: string; totalCents: number; isOverdue: boolean }[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/admin/invoices?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await callRoute(adminInvoicesRoute.GET, { path, ...operator() });
      expect(page.status, page.text).toBe(200);
      expect(page.body.invoices.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.invoices);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((i) => i.id)).toEqual(all.map((i: { id: string }) => i.id));
    expect(new Set(seen.map((i) => i.id)).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      expect(a.periodStart > b.periodStart || (a.periodStart === b.periodStart && a.tenantName <= b.tenantName)).toBe(true);
    }
    const open = seen.filter((i) => i.status === 'open');
    const overdue = open.filter((i) => i.isOverdue);
    const totals = await withPlatform((tx) => openInvoiceTotals(tx));
    expect(totals).toEqual({
      open: { count: open.length, totalCents: open.reduce((sum, i) => sum + i.totalCents, 0) },
      overdue: { count: overdue.length, totalCents: overdue.reduce((sum, i) => sum + i.totalCents, 0) },
    });
    expectError(await callRoute(adminInvoicesRoute.GET, { path: '/api/v1/admin/invoices?cursor=not-a-cursor', ...operator() }), 400, 'validation_failed');
  });

  it('runs a period again without creating anything, and refuses a period that has not ended', async () => {
    const before = await invoiceState();
    const again = await callRoute(adminRunRoute.POST, { method: 'POST', path: '/api/v1/admin/invoices/run', body: { period: '2026-09' }, ...operator() });
    expect(again.status, again.text).toBe(202);
    expect(again.body.run).toMatchObject({ period: '2026-09', queued: false, created: 0, existing: 2, failed: [] });
    expect(await invoiceState()).toEqual(before);
    const future = new Date().toISOString().slice(0, 7);
    const early = await callRoute(adminRunRoute.POST, { method: 'POST', path: '/api/v1/admin/invoices/run', body: { period: future }, ...operator() });
    expectError(early, 400, 'validation_failed');
  });

  it('marks an open invoice paid, and answers 409 for a move the states do not allow and 404 for no invoice', async () => {
    const id = invoiceIdOf['acme 2026-08'];
    const patch = (status: string, invoiceId = id) =>
      callRoute(adminInvoiceRoute.PATCH, { method: 'PATCH', path: `/api/v1/admin/invoices/${invoiceId}`, params: { id: invoiceId }, body: { status }, ...operator() });
    const paid = await patch('paid');
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body.invoice).toMatchObject({ status: 'paid', paidAt: expect.any(String) });
    expectError(await patch('void'), 409, 'conflict');
    expectError(await patch('draft'), 400, 'validation_failed');
    expectError(await patch('paid', '00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});

describe('coverage of this table', () => {
  it('checks every handler under /api/v1/invoices, /api/v1/billing and /api/v1/admin/invoices', async () => {
    const prefixes = ['/api/v1/invoices', '/api/v1/billing', '/api/v1/admin/invoices'];
    const ours = (await v1Operations()).filter((operation) => prefixes.some((prefix) => operation.split(' ')[1].startsWith(prefix)));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
