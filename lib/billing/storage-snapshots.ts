import 'server-only';
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { tenants } from '@/db/schema/tenancy';
import { usageDaily } from '@/db/schema/usage';
import { AppError } from '@/lib/app-error';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';
import { recordUsageEvents, usageEventId } from '@/lib/usage';
import { storedBytes } from './current-usage';

export interface TStorageSnapshot {
  /** The UTC day the snapshot stands for (YYYY-MM-DD). */
  day: string;
  bytes: number;
  hotBytes: number;
  archivedBytes: number;
  /** False when the day already had its snapshot: the stored one is kept, nothing changes. */
  isNew: boolean;
}

export interface TStorageSnapshotRun {
  day: string;
  tenantsSnapshotted: number;
  snapshotsRecorded: number;
  tenantsFailed: number;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Only the canonical spelling: '2026-1-5' would give the same day another event id. */
function assertIsoDay(day: string): void {
  const parsed = new Date(`${day}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(parsed.getTime()) || isoDay(parsed) !== day) {
    throw new AppError('bad_request', `Not a day (YYYY-MM-DD): ${day}`);
  }
}

/**
 * Records the day's storage_bytes point: hot + archived bytes stored now (the same figure as getCurrentUsage's
 * storage; uploads still in progress do not count), the split in metadata. The event id is derived from the
 * tenant and the day, so the first snapshot of a day is the day's value and a re-run adds nothing. Stamped at
 * the start of the day so it falls in that day's rollup whenever it is taken. A snapshot whose `takenAt` is after
 * its day (catching up after downtime) holds the bytes stored when it is taken, the best figure left, and says so
 * in metadata (`takenLate`, `takenAt`). Inside withTenant.
 */
export async function recordStorageSnapshot(tx: TTx, tenantId: string, day: string, takenAt?: Date): Promise<TStorageSnapshot> {
  assertIsoDay(day);
  const { hotBytes, archivedBytes } = await storedBytes(tx, tenantId);
  const lateAt = takenAt && isoDay(takenAt) > day ? takenAt : undefined;
  const { accepted } = await recordUsageEvents(tx, tenantId, [
    {
      id: usageEventId('storage_bytes', tenantId, day),
      type: 'storage_bytes',
      quantity: hotBytes + archivedBytes,
      occurredAt: new Date(`${day}T00:00:00.000Z`),
      metadata: lateAt ? { hotBytes, archivedBytes, takenLate: true, takenAt: lateAt.toISOString() } : { hotBytes, archivedBytes },
    },
  ]);
  return { day, bytes: hotBytes + archivedBytes, hotBytes, archivedBytes, isNew: accepted === 1 };
}

/**
 * The daily job: a snapshot of `day` (by default today) for every active tenant, each in its own withTenant
 * transaction so one tenant's failure neither rolls back nor stops the others. A past day (a late snapshot) skips
 * tenants created after it ended.
 */
export async function recordAllStorageSnapshots(now: Date = new Date(), day: string = isoDay(now)): Promise<TStorageSnapshotRun> {
  assertIsoDay(day);
  const dayEnd = new Date(new Date(`${day}T00:00:00.000Z`).getTime() + 86_400_000);
  const isPastDay = day < isoDay(now);
  const active = await withPlatform((tx) =>
    tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.isActive, true), isPastDay ? lt(tenants.createdAt, dayEnd) : undefined)),
  );
  const run: TStorageSnapshotRun = { day, tenantsSnapshotted: 0, snapshotsRecorded: 0, tenantsFailed: 0 };
  for (const { id } of active) {
    try {
      const snapshot = await withTenant(id, (tx) => recordStorageSnapshot(tx, id, day, now));
      run.tenantsSnapshotted += 1;
      if (snapshot.isNew) run.snapshotsRecorded += 1;
    } catch (error) {
      run.tenantsFailed += 1;
      logger.error({ err: error, tenantId: id, day }, 'storage snapshot failed');
    }
  }
  return run;
}

/**
 * The tenant's daily storage points from the daily rollup, oldest first; days without a snapshot are absent
 * (the caller decides how to fill them). Days are YYYY-MM-DD, `toDayExclusive` excluded. Inside withTenant.
 */
export async function readStorageSnapshots(
  tx: TTx,
  tenantId: string,
  fromDay: string,
  toDayExclusive: string,
): Promise<{ day: string; bytes: number }[]> {
  assertIsoDay(fromDay);
  assertIsoDay(toDayExclusive);
  return tx
    .select({ day: usageDaily.day, bytes: usageDaily.quantitySum })
    .from(usageDaily)
    .where(
      and(
        eq(usageDaily.tenantId, tenantId),
        eq(usageDaily.eventType, 'storage_bytes'),
        eq(usageDaily.route, ''),
        gte(usageDaily.day, fromDay),
        lt(usageDaily.day, toDayExclusive),
      ),
    )
    .orderBy(asc(usageDaily.day));
}
