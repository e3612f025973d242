import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { plans } from '@/db/schema/billing';
import { files, type TFileStatus, type TStorageTier } from '@/db/schema/files';
import { seedDemoData } from '@/db/seed';
import { billingPeriod, getCurrentUsage, listPlans, updatePlan } from '@/lib/billing';
import { changeTenantPlan, createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import { recordUsageEvents, type TUsageEvent } from '@/lib/usage';
import * as planRoute from '../app/api/v1/admin/plans/[id]/route';
import * as currentRoute from '../app/api/v1/usage/current/route';
import { callRoute, demoUsers, expectError, hostOf, type TDemo } from './support/http';
import { addMembership, createTestTenant, tenantRow } from './support/state';

const GiB = 1024 ** 3;
let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const fileUpload = (occurredAt: Date, sizeBytes: number): TUsageEvent => ({ id: randomUUID(), type: 'file_upload', quantity: sizeBytes, occurredAt });
const apiCall = (occurredAt: Date): TUsageEvent => ({
  id: randomUUID(),
  type: 'api_call',
  quantity: 1,
  occurredAt,
  route: '/api/v1/files',
  method: 'GET',
  status: 200,
});

async function storeFile(tenantId: string, sizeBytes: number, status: TFileStatus, storageTier: TStorageTier) {
  await ownerDb()
    .insert(files)
    .values({
      tenantId,
      filename: 'drawing.pdf',
      extension: 'pdf',
      contentType: 'application/pdf',
      sizeBytes,
      storageKey: `${tenantId}/${randomUUID()}`,
      status,
      storageTier,
    });
}

describe('seeded plans', () => {
  it('has the four plans with prices and overage in integer cents, storage in bytes, invitations per day and a cap on estimates (none on Enterprise)', async () => {
    const rows = await withPlatform((tx) => listPlans(tx));
    expect(rows.map(({ updatedAt: _updatedAt, ...plan }) => plan)).toEqual([
      {
        id: 'free', name: 'Free', priceCents: 0, filesPerMonth: 100, storageBytes: 10 * GiB, apiCallsPerMonth: 10_000,
        extraFileCents: 50, storageGibMonthCents: 1000, per1kApiCallsCents: 10, isHardLimit: true, requestsPerMinute: 600, invitationsPerDay: 20, maxEstimates: 1000, isActive: true,
      },
      {
        id: 'starter', name: 'Starter', priceCents: 2900, filesPerMonth: 300, storageBytes: 25 * GiB, apiCallsPerMonth: 30_000,
        extraFileCents: 50, storageGibMonthCents: 1000, per1kApiCallsCents: 10, isHardLimit: true, requestsPerMinute: 1200, invitationsPerDay: 100, maxEstimates: 10_000, isActive: true,
      },
      {
        id: 'professional', name: 'Professional', priceCents: 9900, filesPerMonth: 1000, storageBytes: 100 * GiB, apiCallsPerMonth: 100_000,
        extraFileCents: 50, storageGibMonthCents: 1000, per1kApiCallsCents: 10, isHardLimit: true, requestsPerMinute: 3000, invitationsPerDay: 500, maxEstimates: 100_000, isActive: true,
      },
      {
        id: 'enterprise', name: 'Enterprise', priceCents: 99_900, filesPerMonth: 10_000, storageBytes: 1024 * GiB, apiCallsPerMonth: 1_000_000,
        extraFileCents: 25, storageGibMonthCents: 500, per1kApiCallsCents: 5, isHardLimit: false, requestsPerMinute: 10_000, invitationsPerDay: 2000, maxEstimates: null, isActive: true,
      },
    ]);
  });

  it('lets request code read plans but never change them', async () => {
    const tenant = await createTestTenant('plans-read');
    const read = await withTenant(tenant.id, (tx) => listPlans(tx));
    expect(read).toHaveLength(4);
    await expect(withTenant(tenant.id, (tx) => updatePlan(tx, 'free', { priceCents: 1 }))).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/permission denied for table plans/) }),
    });
    const [free] = await ownerDb().select({ priceCents: plans.priceCents }).from(plans).where(eq(plans.id, 'free'));
    expect(free.priceCents).toBe(0);
  });
});

describe('quotas come from the plans table', () => {
  it("moves a tenant's quotas to the new plan's row when it changes plan", async () => {
    const { id } = await createTestTenant('plan-move');
    expect(await tenantRow(id)).toMatchObject({ plan: 'free', storageQuotaBytes: 10 * GiB, apiQuotaMonthly: 10_000 });
    await withPlatform((tx) => updatePlan(tx, 'professional', { storageBytes: 150 * GiB, apiCallsPerMonth: 123_456 }));
    await withPlatform((tx) => changeTenantPlan(tx, id, 'professional'));
    expect(await tenantRow(id)).toMatchObject({ plan: 'professional', storageQuotaBytes: 150 * GiB, apiQuotaMonthly: 123_456 });
  });

  it('gives new tenants what an operator set, and leaves tenants already on the plan alone', async () => {
    const before = await createTestTenant('before-edit');
    await withPlatform((tx) => updatePlan(tx, 'free', { storageBytes: 2 * GiB, apiCallsPerMonth: 500 }));
    const after = await createTestTenant('after-edit');
    expect(await tenantRow(after.id)).toMatchObject({ storageQuotaBytes: 2 * GiB, apiQuotaMonthly: 500 });
    expect(await tenantRow(before.id)).toMatchObject({ storageQuotaBytes: 10 * GiB, apiQuotaMonthly: 10_000 });
    await withPlatform((tx) => updatePlan(tx, 'free', { storageBytes: 10 * GiB, apiCallsPerMonth: 10_000 }));
  });

  it('refuses to put a tenant on a plan that is no longer offered, and creates nothing', async () => {
    await withPlatform((tx) => updatePlan(tx, 'starter', { isActive: false }));
    const slug = `retired-${randomUUID().slice(0, 8)}`;
    await expect(withPlatform((tx) => createTenant(tx, { name: 'Retired', slug, plan: 'starter' }))).rejects.toMatchObject({ code: 'conflict' });
    const { id } = await createTestTenant('retired-move');
    await expect(withPlatform((tx) => changeTenantPlan(tx, id, 'starter'))).rejects.toMatchObject({ code: 'conflict' });
    expect(await tenantRow(id)).toMatchObject({ plan: 'free' });
    await withPlatform((tx) => updatePlan(tx, 'starter', { isActive: true }));
  });

  it('refuses a negative or fractional price with 400 naming the field, and changes nothing', async () => {
    for (const body of [{ priceCents: -1 }, { priceCents: 29.5 }, { name: '' }, {}]) {
      const result = await callRoute(planRoute.PATCH, {
        method: 'PATCH',
        path: '/api/v1/admin/plans/starter',
        params: { id: 'starter' },
        body,
        cookieFor: demo.operator,
      });
      expectError(result, 400, 'validation_failed');
    }
    const [starter] = await ownerDb().select({ priceCents: plans.priceCents, name: plans.name }).from(plans).where(eq(plans.id, 'starter'));
    expect(starter).toEqual({ priceCents: 2900, name: 'Starter' });
  });

  it("sets and lifts a plan's cap on estimates (null: no limit), and refuses a negative or fractional one", async () => {
    const patch = (body: unknown) =>
      callRoute(planRoute.PATCH, { method: 'PATCH', path: '/api/v1/admin/plans/starter', params: { id: 'starter' }, body, cookieFor: demo.operator });
    const set = await patch({ maxEstimates: 25_000 });
    expect(set.status, set.text).toBe(200);
    expect(set.body.plan).toMatchObject({ id: 'starter', maxEstimates: 25_000 });
    const lifted = await patch({ maxEstimates: null });
    expect(lifted.body.plan).toMatchObject({ id: 'starter', maxEstimates: null });
    for (const maxEstimates of [-1, 2.5, '100']) expectError(await patch({ maxEstimates }), 400, 'validation_failed');
    const [starter] = await ownerDb().select({ maxEstimates: plans.maxEstimates }).from(plans).where(eq(plans.id, 'starter'));
    expect(starter.maxEstimates).toBeNull();
    await patch({ maxEstimates: 10_000 });
  });

  it('answers 400 for an unknown plan id', async () => {
    const result = await callRoute(planRoute.PATCH, {
      method: 'PATCH',
      path: '/api/v1/admin/plans/platinum',
      params: { id: 'platinum' },
      body: { priceCents: 1 },
      cookieFor: demo.operator,
    });
    expectError(result, 400, 'validation_failed');
  });
});

describe('GET /api/v1/usage/current', () => {
  it("reports this calendar month's uploads and API calls from the events, and storage stored now", async () => {
    const tenant = await createTestTenant('current');
    const now = new Date();
    const { start, end } = billingPeriod(now);
    const lastMonth = new Date(start.getTime() - 3_600_000);
    await withTenant(tenant.id, (tx) =>
      recordUsageEvents(tx, tenant.id, [
        fileUpload(now, 1000),
        fileUpload(now, 2000),
        fileUpload(start, 3000),
        fileUpload(lastMonth, 4000),
        ...Array.from({ length: 7 }, () => apiCall(now)),
        apiCall(lastMonth),
      ]),
    );
    // A duplicate id changes nothing.
    const duplicate = fileUpload(now, 5000);
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, [duplicate]));
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, [duplicate]));

    await storeFile(tenant.id, 3 * GiB, 'completed', 'hot');
    await storeFile(tenant.id, 2 * GiB, 'completed', 'archived');
    await storeFile(tenant.id, 1 * GiB, 'failed', 'restored');
    await storeFile(tenant.id, 7 * GiB, 'uploading', 'hot');

    await addMembership(tenant.id, demo.acme.viewer.id, 'viewer');
    const result = await callRoute(currentRoute.GET, { path: '/api/v1/usage/current', host: hostOf(tenant.slug), cookieFor: demo.acme.viewer });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toEqual({
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
      plan: { id: 'free', name: 'Free' },
      files: { used: 4, limit: 100, percentage: 4 },
      apiCalls: { used: 7, limit: 10_000, percentage: 0.1 },
      storage: { used: 6 * GiB, limit: 10 * GiB, percentage: 60, hotBytes: 3 * GiB, archivedBytes: 3 * GiB },
    });
    expect(await withTenant(tenant.id, (tx) => getCurrentUsage(tx, tenant.id, now))).toEqual(result.body);
  });

  it('rounds the percentage to one decimal and goes past 100 when over the limit', async () => {
    const tenant = await createTestTenant('over');
    const now = new Date();
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, Array.from({ length: 101 }, () => fileUpload(now, 1))));
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, Array.from({ length: 3 }, () => apiCall(now))));
    const usage = await withTenant(tenant.id, (tx) => getCurrentUsage(tx, tenant.id, now));
    expect(usage.files).toEqual({ used: 101, limit: 100, percentage: 101 });
    expect(usage.apiCalls).toEqual({ used: 3, limit: 10_000, percentage: 0 });
  });

  it("never counts another tenant's events or files", async () => {
    const ours = await createTestTenant('ours');
    const theirs = await createTestTenant('theirs');
    const now = new Date();
    await withTenant(theirs.id, (tx) => recordUsageEvents(tx, theirs.id, [fileUpload(now, 10), apiCall(now)]));
    await storeFile(theirs.id, GiB, 'completed', 'hot');
    const usage = await withTenant(ours.id, (tx) => getCurrentUsage(tx, ours.id, now));
    expect([usage.files.used, usage.apiCalls.used, usage.storage.used]).toEqual([0, 0, 0]);
    // Row-level security: even asking for the other tenant's id from our context sees nothing of theirs.
    await expect(withTenant(ours.id, (tx) => getCurrentUsage(tx, theirs.id, now))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('uses the period of the month asked about: the 1st 00:00 UTC up to the next 1st', () => {
    expect(billingPeriod(new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00.000Z'),
      end: new Date('2027-01-01T00:00:00.000Z'),
    });
  });
});
