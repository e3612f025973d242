import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { files } from '@/db/schema/files';
import { tenants } from '@/db/schema/tenancy';
import { usageWarnings } from '@/db/schema/usage';
import { billingPeriod, checkAllUsageWarnings, checkUsageWarnings, describeUsageWarning, listActiveWarnings } from '@/lib/billing';
import { JOB_DEFINITIONS, USAGE_WARNINGS_JOB } from '@/lib/jobs';
import { withTenant } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';
import { recordUsageEvents, type TUsageEvent } from '@/lib/usage';
import { createTestTenant } from './support/state';

const GiB = 1024 ** 3;

afterEach(() => {
  vi.restoreAllMocks();
});

const fileUploads = (count: number, occurredAt = new Date()): TUsageEvent[] =>
  Array.from({ length: count }, () => ({ id: randomUUID(), type: 'file_upload', quantity: 1, occurredAt }));

const apiCalls = (count: number, occurredAt = new Date()): TUsageEvent[] =>
  Array.from({ length: count }, () => ({
    id: randomUUID(),
    type: 'api_call',
    quantity: 1,
    occurredAt,
    route: '/api/v1/files',
    method: 'GET',
    status: 200,
  }));

/** A Free tenant (100 files a month) with small API and storage quotas so a test can cross them cheaply. */
async function tenantWithQuotas(label: string, quotas: { apiQuotaMonthly?: number; storageQuotaBytes?: number } = {}) {
  const tenant = await createTestTenant(label);
  await ownerDb()
    .update(tenants)
    .set({ apiQuotaMonthly: quotas.apiQuotaMonthly ?? 10_000, storageQuotaBytes: quotas.storageQuotaBytes ?? 10 * GiB })
    .where(eq(tenants.id, tenant.id));
  return tenant;
}

async function storeFile(tenantId: string, sizeBytes: number) {
  await ownerDb()
    .insert(files)
    .values({
      tenantId,
      filename: 'drawing.pdf',
      extension: 'pdf',
      contentType: 'application/pdf',
      sizeBytes,
      storageKey: `${tenantId}/${randomUUID()}`,
      status: 'completed',
      storageTier: 'hot',
    });
}

const check = (tenantId: string, now?: Date) => withTenant(tenantId, (tx) => checkUsageWarnings(tx, tenantId, now));
const fired = (warnings: { metric: string; thresholdPercent: number }[]) =>
  warnings.map((w) => `${w.metric}:${w.thresholdPercent}`).sort();

async function storedWarnings(tenantId: string) {
  const rows = await ownerDb()
    .select({ metric: usageWarnings.metric, thresholdPercent: usageWarnings.thresholdPercent, periodStart: usageWarnings.periodStart })
    .from(usageWarnings)
    .where(eq(usageWarnings.tenantId, tenantId));
  return rows.map((row) => `${row.periodStart} ${row.metric}:${row.thresholdPercent}`).sort();
}

const thisPeriod = () => billingPeriod().start.toISOString().slice(0, 10);

describe('usage warnings at 80, 90 and 100 % of each limit', () => {
  it('fires nothing at 79 %', async () => {
    const tenant = await tenantWithQuotas('w79', { apiQuotaMonthly: 100, storageQuotaBytes: 100 * GiB });
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, [...fileUploads(79), ...apiCalls(79)]));
    await storeFile(tenant.id, 79 * GiB);
    expect(await check(tenant.id)).toEqual([]);
    expect(await storedWarnings(tenant.id)).toEqual([]);
  });

  it('does not round 79.96 % up to 80 %', async () => {
    const tenant = await tenantWithQuotas('w7996', { storageQuotaBytes: 10_000 });
    await storeFile(tenant.id, 7996);
    expect(await check(tenant.id)).toEqual([]);
  });

  it('fires each crossed threshold once per period: a second check adds nothing', async () => {
    const tenant = await tenantWithQuotas('wonce', { apiQuotaMonthly: 10 });
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, [...fileUploads(85), ...apiCalls(9)]));
    expect(fired(await check(tenant.id))).toEqual(['api_calls:80', 'api_calls:90', 'files:80']);
    expect(await check(tenant.id)).toEqual([]);

    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, fileUploads(5)));
    expect(fired(await check(tenant.id))).toEqual(['files:90']);
    expect(await check(tenant.id)).toEqual([]);
    const period = thisPeriod();
    expect(await storedWarnings(tenant.id)).toEqual(
      [`${period} api_calls:80`, `${period} api_calls:90`, `${period} files:80`, `${period} files:90`].sort(),
    );
  });

  it('fires all three thresholds at once when a limit is reached in one step, with the figures at that moment', async () => {
    const tenant = await tenantWithQuotas('w100', { storageQuotaBytes: 2 * GiB });
    await storeFile(tenant.id, 2 * GiB);
    const warnings = await check(tenant.id);
    expect(fired(warnings)).toEqual(['storage:100', 'storage:80', 'storage:90']);
    expect(warnings[0]).toMatchObject({ periodStart: thisPeriod(), used: 2 * GiB, limit: 2 * GiB });
  });

  it("fires again in a new month: last month's warning does not silence this month's", async () => {
    const tenant = await tenantWithQuotas('wmonth', { storageQuotaBytes: GiB });
    const lastMonth = new Date(billingPeriod().start.getTime() - 86_400_000);
    const lastPeriod = billingPeriod(lastMonth).start.toISOString().slice(0, 10);
    await ownerDb()
      .insert(usageWarnings)
      .values({ tenantId: tenant.id, metric: 'files', thresholdPercent: 80, periodStart: lastPeriod, used: 80, limit: 100 });
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, fileUploads(80)));
    expect(fired(await check(tenant.id))).toEqual(['files:80']);

    // Storage is a gauge: still over next month, so it warns again then (and only once).
    await storeFile(tenant.id, GiB);
    expect(fired(await check(tenant.id))).toEqual(['storage:100', 'storage:80', 'storage:90']);
    const nextMonth = billingPeriod().end;
    expect(fired(await check(tenant.id, nextMonth))).toEqual(['storage:100', 'storage:80', 'storage:90']);
    expect(await check(tenant.id, nextMonth)).toEqual([]);
  });

  it("lists this period's highest threshold per metric, ignoring earlier periods", async () => {
    const tenant = await tenantWithQuotas('wlist', { apiQuotaMonthly: 100_000 });
    await ownerDb()
      .insert(usageWarnings)
      .values([
        { tenantId: tenant.id, metric: 'api_calls', thresholdPercent: 80, periodStart: thisPeriod(), used: 80_000, limit: 100_000 },
        { tenantId: tenant.id, metric: 'api_calls', thresholdPercent: 90, periodStart: thisPeriod(), used: 90_000, limit: 100_000 },
        { tenantId: tenant.id, metric: 'files', thresholdPercent: 100, periodStart: '2020-01-01', used: 100, limit: 100 },
        { tenantId: tenant.id, metric: 'storage', thresholdPercent: 80, periodStart: thisPeriod(), used: 8 * GiB, limit: 10 * GiB },
      ]);
    const active = await withTenant(tenant.id, (tx) => listActiveWarnings(tx, tenant.id));
    expect(active.map((w) => describeUsageWarning(w))).toEqual(['API calls at 90 % of 100,000 this month', 'Storage at 80 % of 10 GiB']);
  });
});

describe('usage warnings and row-level security', () => {
  it("never shows or records one tenant's warnings from another tenant's context", async () => {
    const ours = await tenantWithQuotas('wours');
    const theirs = await tenantWithQuotas('wtheirs', { storageQuotaBytes: GiB });
    await storeFile(theirs.id, GiB);
    expect(await check(theirs.id)).toHaveLength(3);

    expect(await withTenant(ours.id, (tx) => listActiveWarnings(tx, theirs.id))).toEqual([]);
    expect(await withTenant(ours.id, (tx) => tx.select().from(usageWarnings))).toEqual([]);
    await expect(withTenant(ours.id, (tx) => checkUsageWarnings(tx, theirs.id))).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      withTenant(ours.id, (tx) =>
        tx.insert(usageWarnings).values({ tenantId: theirs.id, metric: 'files', thresholdPercent: 80, periodStart: thisPeriod(), used: 1, limit: 1 }),
      ),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/row-level security/) }) });
    await expect(
      withTenant(theirs.id, (tx) => tx.delete(usageWarnings).where(eq(usageWarnings.tenantId, theirs.id))),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/permission denied/) }) });
    expect(await storedWarnings(ours.id)).toEqual([]);
    expect(await storedWarnings(theirs.id)).toHaveLength(3);
  });
});

describe('the usage-warnings job', () => {
  it('is scheduled every 5 minutes', () => {
    expect(JOB_DEFINITIONS.find((definition) => definition.name === USAGE_WARNINGS_JOB)).toMatchObject({
      cron: '*/5 * * * *',
      queue: expect.objectContaining({ policy: 'singleton' }),
    });
  });

  it('checks every active tenant, logs each newly fired warning once, and skips inactive tenants', async () => {
    const near = await tenantWithQuotas('jnear', { apiQuotaMonthly: 10 });
    const full = await tenantWithQuotas('jfull', { storageQuotaBytes: GiB });
    const quiet = await tenantWithQuotas('jquiet');
    const inactive = await tenantWithQuotas('jinactive', { storageQuotaBytes: GiB });
    await withTenant(near.id, (tx) => recordUsageEvents(tx, near.id, apiCalls(8)));
    await storeFile(full.id, GiB);
    await storeFile(inactive.id, GiB);
    await ownerDb().update(tenants).set({ isActive: false }).where(eq(tenants.id, inactive.id));

    const warn = vi.spyOn(logger, 'warn');
    const definition = JOB_DEFINITIONS.find((d) => d.name === USAGE_WARNINGS_JOB)!;
    await definition.run([{ id: randomUUID(), name: USAGE_WARNINGS_JOB, data: {} } as never]);

    const period = thisPeriod();
    expect(await storedWarnings(near.id)).toEqual([`${period} api_calls:80`]);
    expect(await storedWarnings(full.id)).toEqual([`${period} storage:100`, `${period} storage:80`, `${period} storage:90`]);
    expect(await storedWarnings(quiet.id)).toEqual([]);
    expect(await storedWarnings(inactive.id)).toEqual([]);
    const loggedFor = (tenantId: string) =>
      warn.mock.calls.filter(([fields]) => (fields as { tenantId?: string }).tenantId === tenantId).length;
    expect([loggedFor(near.id), loggedFor(full.id), loggedFor(quiet.id)]).toEqual([1, 3, 0]);

    warn.mockClear();
    const again = await checkAllUsageWarnings();
    expect(again.tenantsFailed).toBe(0);
    expect([loggedFor(near.id), loggedFor(full.id)]).toEqual([0, 0]);
    expect(await storedWarnings(full.id)).toHaveLength(3);
  });
});
