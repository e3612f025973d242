import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files, storageDeletions } from '@/db/schema/files';
import { bucketNames, deleteObject } from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { platformDb, withPlatform } from '@/lib/tenancy';
import { stagingKeyOf } from './validation';

/**
 * Failed deletions are retried with exponential backoff (the n-th retry once the row is 2^n - 1 seconds old,
 * so an S3 outage is not hammered every sweep); after MAX_ATTEMPTS (about 12 days) a deletion stays pending
 * for an operator to look at (last_error says why).
 */
const MAX_ATTEMPTS = 20;
const SWEEP_BATCH = 100;
const SWEEP_INTERVAL_MS = 5_000;
/** Presigned uploads never completed (and uploads cut off by a crash) are given up after a day. */
const STALE_UPLOAD_HOURS = 24;
/** When the just-committed deletions are looked for: the request's commit usually lands before the first. */
const FOLLOW_UP_DELAYS_MS = [20, 200, 1_000, 3_000];

/** How long a claimed deletion is left to its sweep: far longer than one S3 call may take (S3 timeouts bound it). */
const CLAIM_LEASE_SECONDS = 300;

/**
 * Deletes the objects of up to SWEEP_BATCH due rows: claim (a short transaction: rows locked SKIP LOCKED so two
 * sweeps never share one, keys a file still serves settled at once, the rest leased through claimed_until) →
 * delete from S3 (no transaction held, however slow S3 is) → record each outcome in its own statement. A sweep
 * that dies leaves its rows claimed until the lease is over; deleting twice is harmless.
 */
async function deletePending(ids?: string[]): Promise<{ deleted: number; failed: number; pendingIds: Set<string> }> {
  const { rows, claimed } = await withPlatform(async (tx) => {
    const due = await tx
      .select({ id: storageDeletions.id, bucket: storageDeletions.bucket, objectKey: storageDeletions.objectKey })
      .from(storageDeletions)
      .where(
        and(
          isNull(storageDeletions.deletedAt),
          lt(storageDeletions.attempts, MAX_ATTEMPTS),
          sql`${storageDeletions.notBefore} <= now()`,
          sql`(${storageDeletions.claimedUntil} is null or ${storageDeletions.claimedUntil} <= now())`,
          sql`${storageDeletions.createdAt} <= now() - make_interval(secs => power(2, ${storageDeletions.attempts}) - 1)`,
          ids ? inArray(storageDeletions.id, ids) : undefined,
        ),
      )
      .orderBy(storageDeletions.createdAt)
      .limit(SWEEP_BATCH)
      .for('update', { skipLocked: true });
    // A key that a file still serves from is never deleted (a restore may have brought it back): settled as done.
    const live = await liveKeys(tx, due);
    const isLive = (row: (typeof due)[number]) => live.has(`${row.bucket}/${row.objectKey}`);
    const served = due.filter(isLive).map((row) => row.id);
    const toDelete = due.filter((row) => !isLive(row));
    if (served.length > 0) await tx.update(storageDeletions).set({ deletedAt: sql`now()`, lastError: null }).where(inArray(storageDeletions.id, served));
    if (toDelete.length > 0) {
      await tx
        .update(storageDeletions)
        .set({ claimedUntil: sql`now() + make_interval(secs => ${CLAIM_LEASE_SECONDS})` })
        .where(
          inArray(
            storageDeletions.id,
            toDelete.map((row) => row.id),
          ),
        );
    }
    return { rows: due, claimed: toDelete };
  });
  let deleted = rows.length - claimed.length;
  let failed = 0;
  const handled = new Set(rows.map((row) => row.id));
  for (const [index, row] of claimed.entries()) {
    try {
      await deleteObject(row.bucket, row.objectKey);
      await platformDb().update(storageDeletions).set({ deletedAt: sql`now()`, claimedUntil: null, lastError: null }).where(eq(storageDeletions.id, row.id));
      deleted += 1;
    } catch (error) {
      failed += 1;
      await platformDb()
        .update(storageDeletions)
        .set({ attempts: sql`${storageDeletions.attempts} + 1`, claimedUntil: null, lastError: String((error as Error).message ?? error).slice(0, 500) })
        .where(eq(storageDeletions.id, row.id));
      // S3 is likely down: the rest is handed back untouched rather than each waiting out its own timeout.
      const rest = claimed.slice(index + 1).map((other) => other.id);
      if (rest.length > 0) await platformDb().update(storageDeletions).set({ claimedUntil: null }).where(inArray(storageDeletions.id, rest));
      for (const id of rest) handled.delete(id);
      break;
    }
  }
  return { deleted, failed, pendingIds: handled };
}

/**
 * The keys among `rows` that a file row still serves: its hot key while the tier is hot or restored (or an
 * upload is pending), its archive key while archived, restoring or restored.
 */
async function liveKeys(tx: TTx, rows: { bucket: string; objectKey: string }[]): Promise<Set<string>> {
  const { files: hotBucket, archive: archiveBucket } = bucketNames();
  const hotKeys = rows.filter((r) => r.bucket === hotBucket).map((r) => r.objectKey);
  const archiveKeys = rows.filter((r) => r.bucket === archiveBucket).map((r) => r.objectKey);
  const live = new Set<string>();
  if (hotKeys.length > 0) {
    const found = await tx
      .select({ key: files.storageKey })
      .from(files)
      .where(and(inArray(files.storageKey, hotKeys), inArray(files.storageTier, ['hot', 'restored'])));
    for (const { key } of found) live.add(`${hotBucket}/${key}`);
  }
  if (archiveKeys.length > 0) {
    const found = await tx
      .select({ key: files.archiveKey })
      .from(files)
      .where(and(inArray(files.archiveKey, archiveKeys), inArray(files.storageTier, ['archived', 'restoring', 'restored'])));
    for (const { key } of found) if (key) live.add(`${archiveBucket}/${key}`);
  }
  return live;
}

/**
 * Before an upload streams, its key's cleanup is booked for later (platform path: the outbox is not request
 * code's to read). If the process dies before the file row commits, the sweep removes the object then.
 */
export async function reserveUploadCleanup(tenantId: string, storageKey: string): Promise<string> {
  const [row] = await withPlatform((tx) =>
    tx
      .insert(storageDeletions)
      .values({
        tenantId,
        bucket: bucketNames().files,
        objectKey: storageKey,
        notBefore: sql`now() + make_interval(hours => ${STALE_UPLOAD_HOURS})`,
      })
      .returning({ id: storageDeletions.id }),
  );
  return row.id;
}

/** The upload's row committed: the booked cleanup is not needed. */
export async function cancelUploadCleanup(reservationId: string): Promise<void> {
  await withPlatform((tx) => tx.delete(storageDeletions).where(eq(storageDeletions.id, reservationId))).catch((err: unknown) =>
    // Harmless if it stays: the sweep sees a file row serving the key and leaves the object alone.
    logger.warn({ err, reservationId }, 'could not cancel an upload cleanup reservation'),
  );
}

/**
 * A presigned upload's staging key, booked for deletion a day ahead in the transaction (request code's) that
 * ends the upload: its URL may still be used until it expires, and whatever it writes there is removed then.
 */
export async function bookStagingCleanup(tx: TTx, stagingKey: string): Promise<void> {
  await tx.insert(storageDeletions).values({
    id: randomUUID(),
    tenantId: sql`current_setting('app.tenant_id')::uuid`,
    bucket: bucketNames().files,
    objectKey: stagingKey,
    notBefore: sql`now() + make_interval(hours => ${STALE_UPLOAD_HOURS})`,
  });
}

/** Stale `uploading` rows: removed, their (possible) objects, staged and final, queued for deletion. */
async function dropStaleUploads(tx: TTx): Promise<number> {
  const stale = await tx
    .delete(files)
    .where(and(eq(files.status, 'uploading'), lt(files.createdAt, sql`now() - make_interval(hours => ${STALE_UPLOAD_HOURS})`)))
    .returning({ id: files.id, tenantId: files.tenantId, storageKey: files.storageKey });
  if (stale.length > 0) {
    const bucket = bucketNames().files;
    await tx.insert(storageDeletions).values(
      stale.flatMap((s) => [
        { tenantId: s.tenantId, bucket, objectKey: s.storageKey },
        { tenantId: s.tenantId, bucket, objectKey: stagingKeyOf(s.tenantId, s.id) },
      ]),
    );
  }
  return stale.length;
}

/**
 * One sweep (platform path): gives up stale uploads, then deletes pending objects. Idempotent and safe to
 * run from several processes at once.
 */
export async function processStorageDeletions(): Promise<{ deleted: number; failed: number; staleUploads: number }> {
  const staleUploads = await withPlatform(dropStaleUploads);
  const { deleted, failed } = await deletePending();
  return { deleted, failed, staleUploads };
}

/** Deletes the objects of just-queued deletions once their transaction has committed (the sweep is the backstop). */
export function finishStorageDeletionsSoon(ids: string[]): void {
  let remaining = new Set(ids);
  const attempt = async (index: number) => {
    try {
      const { pendingIds } = await deletePending([...remaining]);
      remaining = new Set([...remaining].filter((id) => !pendingIds.has(id)));
    } catch (err) {
      logger.warn({ err }, 'storage deletion follow-up failed; the sweep will retry');
    }
    const next = FOLLOW_UP_DELAYS_MS[index + 1];
    if (remaining.size > 0 && next !== undefined) setTimeout(() => void attempt(index + 1), next).unref();
  };
  setTimeout(() => void attempt(0), FOLLOW_UP_DELAYS_MS[0]).unref();
}

let sweepTimer: NodeJS.Timeout | undefined;

/** Runs processStorageDeletions every few seconds in this process (server start-up). */
export function startStorageDeletionSweep(): void {
  if (sweepTimer) return;
  let isRunning = false;
  sweepTimer = setInterval(() => {
    if (isRunning) return;
    isRunning = true;
    processStorageDeletions()
      .then((result) => {
        if (result.deleted || result.failed || result.staleUploads) logger.info(result, 'storage deletion sweep');
      })
      .catch((err: unknown) => logger.warn({ err }, 'storage deletion sweep failed'))
      .finally(() => {
        isRunning = false;
      });
  }, SWEEP_INTERVAL_MS);
  sweepTimer.unref();
}
