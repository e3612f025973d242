import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { files, type TFileStatus, type TStorageTier } from '@/db/schema/files';
import { tenants } from '@/db/schema/tenancy';
import { usageDaily, usageEvents, usageHourly } from '@/db/schema/usage';
import { readStorageSnapshots, recordAllStorageSnapshots, recordStorageSnapshot } from '@/lib/billing';
import { JOB_DEFINITIONS, STORAGE_SNAPSHOTS_JOB, USAGE_RETENTION_JOB, startJobs, stopJobs } from '@/lib/jobs';
import { logger } from '@/lib/telemetry';
import { withTenant } from '@/lib/tenancy';
import { pruneUsageEvents, recordUsageEvents, type TUsageEvent } from '@/lib/usage';
import { createTestTenant } from './support/state';

const DAY_MS = 86_400_000;

afterEach(() => {
  vi.restoreAllMocks();
});

async function storeFile(tenantId: string, sizeBytes: number, storageTier: TStorageTier = 'hot', status: TFileStatus = 'completed') {
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

const storageEvents = (tenantId: string) =>
  ownerDb()
    .select({ quantity: usageEvents.quantity, metadata: usageEvents.metadata, occurredAt: usageEvents.occurredAt })
    .from(usageEvents)
    .where(and(eq(usageEvents.tenantId, tenantId), eq(usageEvents.eventType, 'storage_bytes')))
    .orderBy(asc(usageEvents.occurredAt));

const storageDaily = (tenantId: string) =>
  ownerDb()
    .select({ day: usageDaily.day, route: usageDaily.route, count: usageDaily.count, quantitySum: usageDaily.quantitySum })
    .from(usageDaily)
    .where(and(eq(usageDaily.tenantId, tenantId), eq(usageDaily.eventType, 'storage_bytes')))
    .orderBy(asc(usageDaily.day));

const readPoints = (tenantId: string, fromDay: string, toDayExclusive: string) =>
  withTenant(tenantId, (tx) => readStorageSnapshots(tx, tenantId, fromDay, toDayExclusive));

describe('daily storage_bytes snapshots', () => {
  it('records hot + archived bytes stored now, with the split in metadata, stamped at the start of the day', async () => {
    const tenant = await createTestTenant('snap');
    await storeFile(tenant.id, 1_000, 'hot');
    await storeFile(tenant.id, 5_000, 'archived');
    await storeFile(tenant.id, 700, 'restoring');
    await storeFile(tenant.id, 9_999, 'hot', 'uploading');

    const snapshot = await withTenant(tenant.id, (tx) => recordStorageSnapshot(tx, tenant.id, '2026-03-10'));

    expect(snapshot).toEqual({ day: '2026-03-10', bytes: 6_700, hotBytes: 1_000, archivedBytes: 5_700, isNew: true });
    expect(await storageEvents(tenant.id)).toEqual([
      { quantity: 6_700, metadata: { hotBytes: 1_000, archivedBytes: 5_700 }, occurredAt: new Date('2026-03-10T00:00:00Z') },
    ]);
    expect(await storageDaily(tenant.id)).toEqual([{ day: '2026-03-10', route: '', count: 1, quantitySum: 6_700 }]);
  });

  it('adds nothing when run twice the same day, even if storage changed, and gives a second point the next day', async () => {
    const tenant = await createTestTenant('snaptwice');
    await storeFile(tenant.id, 2_000);
    const first = await recordAllStorageSnapshots(new Date('2026-03-10T00:10:00Z'));
    expect(first).toMatchObject({ day: '2026-03-10', tenantsFailed: 0 });
    expect(first.snapshotsRecorded).toBeGreaterThanOrEqual(1);
    const afterFirst = await storageDaily(tenant.id);

    await storeFile(tenant.id, 3_000);
    const again = await recordAllStorageSnapshots(new Date('2026-03-10T15:00:00Z'));
    expect(again).toMatchObject({ day: '2026-03-10', snapshotsRecorded: 0, tenantsFailed: 0 });
    expect(await storageDaily(tenant.id)).toEqual(afterFirst);
    expect(afterFirst).toEqual([{ day: '2026-03-10', route: '', count: 1, quantitySum: 2_000 }]);
    expect(await storageEvents(tenant.id)).toHaveLength(1);

    await recordAllStorageSnapshots(new Date('2026-03-11T00:10:00Z'));
    expect(await readPoints(tenant.id, '2026-03-01', '2026-04-01')).toEqual([
      { day: '2026-03-10', bytes: 2_000 },
      { day: '2026-03-11', bytes: 5_000 },
    ]);
  });

  it('records a zero point for a tenant that stores nothing, so every day has its figure', async () => {
    const tenant = await createTestTenant('snapempty');
    await recordAllStorageSnapshots(new Date('2026-03-12T00:10:00Z'));
    expect(await readPoints(tenant.id, '2026-03-12', '2026-03-13')).toEqual([{ day: '2026-03-12', bytes: 0 }]);
  });

  it('skips inactive tenants', async () => {
    const inactive = await createTestTenant('snapinactive');
    await storeFile(inactive.id, 4_000);
    await ownerDb().update(tenants).set({ isActive: false }).where(eq(tenants.id, inactive.id));

    const run = await recordAllStorageSnapshots(new Date('2026-03-13T00:10:00Z'));
    expect(run.tenantsFailed).toBe(0);
    expect(await storageEvents(inactive.id)).toEqual([]);
    expect(await storageDaily(inactive.id)).toEqual([]);
  });

  it("logs and counts one tenant's failure without stopping the others", async () => {
    const failing = await createTestTenant('snapfail');
    const healthy = await createTestTenant('snaphealthy');
    await storeFile(healthy.id, 1_234);
    // A test-only trigger makes this tenant's insert fail, as a broken row or a lost connection would.
    await ownerDb().execute(sql.raw(`
      CREATE FUNCTION test_refuse_usage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER test_refuse_usage BEFORE INSERT ON usage_events FOR EACH ROW
        WHEN (NEW.tenant_id = '${failing.id}') EXECUTE FUNCTION test_refuse_usage();`));
    const error = vi.spyOn(logger, 'error');
    try {
      const run = await recordAllStorageSnapshots(new Date('2026-03-14T00:10:00Z'));
      expect(run.tenantsFailed).toBe(1);
      expect(run.tenantsSnapshotted).toBeGreaterThanOrEqual(1);
    } finally {
      await ownerDb().execute(sql.raw('DROP TRIGGER test_refuse_usage ON usage_events; DROP FUNCTION test_refuse_usage();'));
    }
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ tenantId: failing.id }), 'storage snapshot failed');
    expect(await storageEvents(failing.id)).toEqual([]);
    expect(await readPoints(healthy.id, '2026-03-14', '2026-03-15')).toEqual([{ day: '2026-03-14', bytes: 1_234 }]);
  });

  it('reads the points of a range only, start included, end excluded, ignoring other usage', async () => {
    const tenant = await createTestTenant('snaprange');
    await storeFile(tenant.id, 100);
    for (const day of ['2026-02-28', '2026-03-01', '2026-03-31', '2026-04-01']) {
      await withTenant(tenant.id, (tx) => recordStorageSnapshot(tx, tenant.id, day));
    }
    await withTenant(tenant.id, (tx) =>
      recordUsageEvents(tx, tenant.id, [{ id: randomUUID(), type: 'file_upload', quantity: 50, occurredAt: new Date('2026-03-05T10:00:00Z') }]),
    );
    expect(await readPoints(tenant.id, '2026-03-01', '2026-04-01')).toEqual([
      { day: '2026-03-01', bytes: 100 },
      { day: '2026-03-31', bytes: 100 },
    ]);
    await expect(readPoints(tenant.id, '2026-3-1', '2026-04-01')).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('storage snapshots and row-level security', () => {
  it("never counts another tenant's files, nor records a snapshot for another tenant", async () => {
    const ours = await createTestTenant('snapours');
    const theirs = await createTestTenant('snaptheirs');
    await storeFile(ours.id, 10);
    await storeFile(theirs.id, 1_000_000, 'hot');
    await storeFile(theirs.id, 2_000_000, 'archived');

    const snapshot = await withTenant(ours.id, (tx) => recordStorageSnapshot(tx, ours.id, '2026-03-20'));
    expect(snapshot).toMatchObject({ bytes: 10, hotBytes: 10, archivedBytes: 0 });

    await expect(withTenant(ours.id, (tx) => recordStorageSnapshot(tx, theirs.id, '2026-03-20'))).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/row-level security/) }),
    });
    expect(await storageEvents(theirs.id)).toEqual([]);
    expect(await readPoints(ours.id, '2026-03-20', '2026-03-21')).toEqual([{ day: '2026-03-20', bytes: 10 }]);
    expect(await withTenant(ours.id, (tx) => readStorageSnapshots(tx, theirs.id, '2026-03-20', '2026-03-21'))).toEqual([]);
  });
});

describe('raw usage event retention', () => {
  const now = new Date();
  const olderThanDays = 400;
  const cutoff = now.getTime() - olderThanDays * DAY_MS;

  beforeAll(async () => {
    // Records every DELETE statement on usage_events and how many rows it removed, to see the batches.
    await ownerDb().execute(sql.raw(`
      CREATE TABLE test_delete_batches (seq bigserial PRIMARY KEY, tenant_id uuid, deleted int NOT NULL);
      CREATE FUNCTION test_count_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO test_delete_batches (tenant_id, deleted) SELECT min(tenant_id::text)::uuid, count(*) FROM old_rows;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_count_deletes AFTER DELETE ON usage_events REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION test_count_deletes();`));
  });

  afterAll(async () => {
    await ownerDb().execute(
      sql.raw('DROP TRIGGER test_count_deletes ON usage_events; DROP FUNCTION test_count_deletes(); DROP TABLE test_delete_batches;'),
    );
  });

  const uploads = (count: number, occurredAt: Date): TUsageEvent[] =>
    Array.from({ length: count }, () => ({ id: randomUUID(), type: 'file_upload', quantity: 10, occurredAt }));

  const rawCount = async (tenantId: string) =>
    (await ownerDb().select({ id: usageEvents.id }).from(usageEvents).where(eq(usageEvents.tenantId, tenantId))).length;

  async function rollups(tenantId: string) {
    const daily = await ownerDb().select().from(usageDaily).where(eq(usageDaily.tenantId, tenantId)).orderBy(asc(usageDaily.day));
    const hourly = await ownerDb().select().from(usageHourly).where(eq(usageHourly.tenantId, tenantId)).orderBy(asc(usageHourly.hourStart));
    return { daily, hourly };
  }

  async function batchesOf(tenantId: string) {
    const rows = await ownerDb().execute<{ deleted: number }>(
      sql`select deleted from test_delete_batches where tenant_id = ${tenantId}::uuid order by seq`,
    );
    return rows.map((row) => Number(row.deleted));
  }

  it('deletes only rows older than the cutoff, in batches, and keeps the rollups', async () => {
    const big = await createTestTenant('retbig');
    const small = await createTestTenant('retsmall');
    await withTenant(big.id, (tx) =>
      recordUsageEvents(tx, big.id, [
        ...uploads(7, new Date(cutoff - 30 * DAY_MS)),
        ...uploads(3, new Date(cutoff - 60_000)),
        ...uploads(2, new Date(cutoff + 60_000)),
        ...uploads(4, new Date(now.getTime() - DAY_MS)),
      ]),
    );
    await withTenant(small.id, (tx) =>
      recordUsageEvents(tx, small.id, [...uploads(4, new Date(cutoff - 2 * DAY_MS)), ...uploads(1, new Date(now.getTime() - DAY_MS))]),
    );
    const rollupsBefore = { big: await rollups(big.id), small: await rollups(small.id) };

    const result = await pruneUsageEvents({ olderThanDays, now, batchSize: 3 });

    expect(result.deleted).toBeGreaterThanOrEqual(14);
    expect(await rawCount(big.id)).toBe(6);
    expect(await rawCount(small.id)).toBe(1);
    const kept = await ownerDb().select({ occurredAt: usageEvents.occurredAt }).from(usageEvents).where(eq(usageEvents.tenantId, big.id));
    expect(kept.every((row) => row.occurredAt.getTime() >= cutoff)).toBe(true);
    // 10 rows in batches of 3: four statements, none larger than the batch size.
    expect(await batchesOf(big.id)).toEqual([3, 3, 3, 1]);
    expect(await batchesOf(small.id)).toEqual([3, 1]);
    expect({ big: await rollups(big.id), small: await rollups(small.id) }).toEqual(rollupsBefore);
    expect(rollupsBefore.big.daily.reduce((sum, row) => sum + row.count, 0)).toBe(16);

    expect(await pruneUsageEvents({ olderThanDays, now, batchSize: 3 })).toEqual({ deleted: 0 });
  });

  it('stops once a full batch leaves nothing behind', async () => {
    const tenant = await createTestTenant('retexact');
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, uploads(6, new Date(cutoff - DAY_MS))));
    await pruneUsageEvents({ olderThanDays, now, batchSize: 3 });
    expect(await rawCount(tenant.id)).toBe(0);
    expect(await batchesOf(tenant.id)).toEqual([3, 3]);
  });

  it('refuses a retention shorter than the 366 days scripts may report back, which would let a replayed id count twice', async () => {
    const tenant = await createTestTenant('retshort');
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, uploads(1, new Date(now.getTime() - 100 * DAY_MS))));
    await expect(pruneUsageEvents({ olderThanDays: 30, now })).rejects.toMatchObject({ code: 'bad_request' });
    expect(await rawCount(tenant.id)).toBe(1);
  });

  it('is not possible for the request role: sitework_app cannot delete usage events', async () => {
    const tenant = await createTestTenant('retrole');
    await withTenant(tenant.id, (tx) => recordUsageEvents(tx, tenant.id, uploads(1, new Date(cutoff - DAY_MS))));
    await expect(
      withTenant(tenant.id, (tx) => tx.delete(usageEvents).where(eq(usageEvents.tenantId, tenant.id))),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/permission denied/) }) });
    expect(await rawCount(tenant.id)).toBe(1);
    const [privileges] = await ownerDb().execute<{ app: boolean; owner: boolean }>(
      sql`select has_table_privilege('sitework_app', 'usage_events', 'DELETE') as app,
                 has_table_privilege(current_user, 'usage_events', 'DELETE') as owner`,
    );
    expect(privileges).toEqual({ app: false, owner: true });
  });
});

describe('the storage-snapshots and usage-retention jobs', () => {
  it('takes the snapshots when the job runs', async () => {
    const tenant = await createTestTenant('jobsnap');
    await storeFile(tenant.id, 321);
    const definition = JOB_DEFINITIONS.find((d) => d.name === STORAGE_SNAPSHOTS_JOB)!;
    await definition.run([{ id: randomUUID(), name: STORAGE_SNAPSHOTS_JOB, data: {} } as never]);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    expect(await readPoints(tenant.id, today, tomorrow)).toEqual([{ day: today, bytes: 321 }]);
  });

  it('prunes with USAGE_RAW_RETENTION_DAYS (400 by default) when the job runs', async () => {
    const tenant = await createTestTenant('jobret');
    await withTenant(tenant.id, (tx) =>
      recordUsageEvents(tx, tenant.id, [
        { id: randomUUID(), type: 'file_upload', quantity: 1, occurredAt: new Date(Date.now() - 401 * DAY_MS) },
        { id: randomUUID(), type: 'file_upload', quantity: 1, occurredAt: new Date(Date.now() - 399 * DAY_MS) },
      ]),
    );
    const definition = JOB_DEFINITIONS.find((d) => d.name === USAGE_RETENTION_JOB)!;
    await definition.run([{ id: randomUUID(), name: USAGE_RETENTION_JOB, data: {} } as never]);
    const kept = await ownerDb().select({ occurredAt: usageEvents.occurredAt }).from(usageEvents).where(eq(usageEvents.tenantId, tenant.id));
    expect(kept).toHaveLength(1);
    expect(kept[0].occurredAt.getTime()).toBeGreaterThan(Date.now() - 400 * DAY_MS);
  });

  describe('registered with pg-boss', () => {
    beforeAll(async () => {
      await startJobs({ catchUpAtStart: false });
    });

    afterAll(async () => {
      await stopJobs();
    });

    it('schedules snapshots daily at 00:10 UTC and retention nightly at 03:30 UTC, each a singleton queue', async () => {
      const schedules = await ownerDb().execute<{ name: string; cron: string; timezone: string }>(
        sql`select name, cron, timezone from pgboss.schedule where name in (${STORAGE_SNAPSHOTS_JOB}, ${USAGE_RETENTION_JOB}) order by name`,
      );
      expect([...schedules]).toEqual([
        { name: STORAGE_SNAPSHOTS_JOB, cron: '10 0 * * *', timezone: 'UTC' },
        { name: USAGE_RETENTION_JOB, cron: '30 3 * * *', timezone: 'UTC' },
      ]);
      const queues = await ownerDb().execute<{ name: string; policy: string }>(
        sql`select name, policy from pgboss.queue where name in (${STORAGE_SNAPSHOTS_JOB}, ${USAGE_RETENTION_JOB}) order by name`,
      );
      expect([...queues]).toEqual([
        { name: STORAGE_SNAPSHOTS_JOB, policy: 'singleton' },
        { name: USAGE_RETENTION_JOB, policy: 'singleton' },
      ]);
    });
  });
});
