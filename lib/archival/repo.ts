import 'server-only';
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { archivalRuns, files, storageDeletions, type TArchivalStep, type TFileStatus, type TStorageTier } from '@/db/schema/files';
import { bucketNames, type TArchiveStorageClass } from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { platformDb, withPlatform } from '@/lib/tenancy';
import { RUN_LOCK_NAMESPACE } from './run-lock';

// Archival's SQL: run rows, claiming files and recording each step (the platform path, as the owner role).

export type TArchivalTrigger = 'cron' | 'manual';
export type TArchivalRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TArchivalRun {
  id: string;
  trigger: TArchivalTrigger;
  status: TArchivalRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  filesConsidered: number;
  filesArchived: number;
  filesFailed: number;
  bytesArchived: number;
  error: string | null;
}

const runColumns = {
  id: archivalRuns.id,
  trigger: archivalRuns.trigger,
  status: archivalRuns.status,
  startedAt: archivalRuns.startedAt,
  finishedAt: archivalRuns.finishedAt,
  filesConsidered: archivalRuns.filesConsidered,
  filesArchived: archivalRuns.filesArchived,
  filesFailed: archivalRuns.filesFailed,
  bytesArchived: archivalRuns.bytesArchived,
  error: archivalRuns.error,
};

export async function listArchivalRuns(tx: TTx, limit = 20): Promise<TArchivalRun[]> {
  const rows = await tx.select(runColumns).from(archivalRuns).orderBy(desc(archivalRuns.startedAt)).limit(limit);
  return rows as TArchivalRun[];
}

export async function getArchivalRun(tx: TTx, runId: string): Promise<TArchivalRun | null> {
  const [row] = await tx.select(runColumns).from(archivalRuns).where(eq(archivalRuns.id, runId));
  return (row as TArchivalRun | undefined) ?? null;
}

/** The operator's trigger: a run row shown at once as queued, processed by the job that carries its id. */
export async function createQueuedArchivalRun(trigger: TArchivalTrigger): Promise<TArchivalRun> {
  const [row] = await platformDb().insert(archivalRuns).values({ trigger, status: 'queued' }).returning(runColumns);
  return row as TArchivalRun;
}

/** A run that could not be handed to the job queue. */
export async function failQueuedArchivalRun(runId: string, error: string): Promise<void> {
  await platformDb()
    .update(archivalRuns)
    .set({ status: 'failed', finishedAt: new Date(), error })
    .where(and(eq(archivalRuns.id, runId), eq(archivalRuns.status, 'queued')));
}

/** Starts a run: a new row, or the queued row of the operator's trigger (false when that one already ran). */
export async function startRunRow(runId: string, trigger: TArchivalTrigger, isQueued: boolean): Promise<boolean> {
  if (!isQueued) {
    await platformDb().insert(archivalRuns).values({ id: runId, trigger, status: 'running' });
    return true;
  }
  // The caller holds the run's lock: a row still 'running' is then one whose process died mid-run (its job handed
  // back to the queue), and this process takes it over, with the files it had claimed.
  const rows = await platformDb()
    .update(archivalRuns)
    .set({ status: 'running', startedAt: sql`coalesce(${archivalRuns.startedAt}, now())` })
    .where(and(eq(archivalRuns.id, runId), inArray(archivalRuns.status, ['queued', 'running'])))
    .returning({ id: archivalRuns.id });
  if (rows.length === 0) return false;
  // What the dead process had claimed is claimed again below, half-done files first (a run never re-claims its own).
  await platformDb().update(files).set({ archivalRunId: null }).where(eq(files.archivalRunId, runId));
  return true;
}

/**
 * Ends a run that went through all its files: failed when any file failed (the next run retries those, except
 * files marked failed because their stored object no longer matched).
 */
export async function finishRun(runId: string, firstError: string | null): Promise<void> {
  const [counts] = await platformDb().select({ failed: archivalRuns.filesFailed }).from(archivalRuns).where(eq(archivalRuns.id, runId));
  const failedCount = counts?.failed ?? 0;
  await platformDb()
    .update(archivalRuns)
    .set({
      status: failedCount > 0 ? 'failed' : 'succeeded',
      finishedAt: new Date(),
      error: failedCount > 0 ? `${failedCount} file(s) failed; first: ${firstError}` : null,
    })
    .where(eq(archivalRuns.id, runId));
}

/** Ends a run stopped by an error of its own (not of one file). */
export async function failRun(runId: string, message: string): Promise<void> {
  await platformDb().update(archivalRuns).set({ status: 'failed', finishedAt: new Date(), error: message }).where(eq(archivalRuns.id, runId));
}

export async function countFileFailure(runId: string): Promise<void> {
  await platformDb()
    .update(archivalRuns)
    .set({ filesFailed: sql`${archivalRuns.filesFailed} + 1` })
    .where(eq(archivalRuns.id, runId));
}

/** A file claimed by a run, with what the steps need. */
export type TClaimedFile = {
  id: string;
  tenantId: string;
  filename: string;
  sizeBytes: number;
  sha256: string | null;
  storageKey: string;
  etag: string | null;
  status: TFileStatus;
  isTemporary: boolean;
  storageTier: TStorageTier;
  archivalStep: TArchivalStep | null;
  archiveKey: string | null;
  archiveStorageClass: string | null;
};

const claimedColumns = sql`f.id, f.tenant_id as "tenantId", f.filename, f.size_bytes::float8 as "sizeBytes", f.sha256,
  f.storage_key as "storageKey", f.etag, f.status, f.is_temporary as "isTemporary", f.storage_tier as "storageTier",
  f.archival_step as "archivalStep", f.archive_key as "archiveKey", f.archive_storage_class as "archiveStorageClass"`;

// Free to claim: no run has it, or the run that had it is over (finished, failed, or reaped after a crash).
const isUnclaimedFor = (runId: string) => sql`(f.archival_run_id is null or (f.archival_run_id <> ${runId} and not exists (
  select 1 from archival_runs r where r.id = f.archival_run_id and r.status = 'running')))`;

/**
 * Claims the next files for this run: first the ones a crashed run left half done, then restored files whose
 * days are over, then hot files old enough for an enabled policy. SKIP LOCKED and the archival_run_id mark
 * keep a file out of every other run.
 */
export async function claimFiles(runId: string, limit: number): Promise<TClaimedFile[]> {
  return withPlatform(async (tx) => {
    const claimed: TClaimedFile[] = [];
    const take = async (where: SQL, orderBy: SQL) => {
      if (claimed.length >= limit) return;
      const rows = await tx.execute<TClaimedFile>(sql`select ${claimedColumns} from files f
        where ${where} and ${isUnclaimedFor(runId)}
        order by ${orderBy} limit ${limit - claimed.length} for update of f skip locked`);
      claimed.push(...rows);
    };
    await take(sql`f.archival_step is not null`, sql`f.updated_at`);
    await take(sql`f.archival_step is null and f.storage_tier = 'restored' and f.restore_expires_at <= now()`, sql`f.restore_expires_at`);
    await take(
      // A file failed for an object that no longer matched stays where it is, for its owner to delete.
      sql`f.archival_step is null and f.storage_tier = 'hot' and f.status <> 'uploading' and f.failure_reason is null and exists (
        select 1 from archival_policies p
        where p.is_enabled and f.created_at <= now() - make_interval(days => p.min_age_days)
          and ((p.applies_to = 'temporary' and f.is_temporary) or (p.applies_to in ('completed', 'failed') and p.applies_to = f.status)))`,
      sql`f.created_at`,
    );
    if (claimed.length === 0) return claimed;
    const ids = claimed.map((f) => f.id);
    await tx.execute(sql`update files set archival_run_id = ${runId}, updated_at = now()
      where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
    await tx
      .update(archivalRuns)
      .set({ filesConsidered: sql`${archivalRuns.filesConsidered} + ${claimed.length}` })
      .where(eq(archivalRuns.id, runId));
    return claimed;
  });
}

/** Marks 'running' runs whose process is gone (nobody holds their lock) as failed, freeing their files. */
export async function reapCrashedRuns(currentRunId: string): Promise<number> {
  const rows = await platformDb().execute(sql`update archival_runs r
    set status = 'failed', finished_at = now(), error = 'Interrupted: the process running it stopped; a later run finishes its files'
    where r.status = 'running' and r.id <> ${currentRunId} and not exists (
      select 1 from pg_locks l where l.locktype = 'advisory' and l.granted
        and l.classid = ${RUN_LOCK_NAMESPACE}::int::oid and l.objid = hashtext(r.id::text)::oid and l.objsubid = 2)
    returning r.id`);
  if (rows.length > 0) logger.warn({ runIds: rows.map((r) => r.id) }, 'archival runs interrupted by a crash were closed');
  return rows.length;
}

/** Sets the next step of a file this run owns; false when the file is gone (deleted meanwhile). */
export async function recordStep(runId: string, fileId: string, step: TArchivalStep, extra: { sha256?: string } = {}): Promise<boolean> {
  const rows = await platformDb()
    .update(files)
    .set({ archivalStep: step, updatedAt: new Date(), ...extra })
    .where(and(eq(files.id, fileId), eq(files.archivalRunId, runId)))
    .returning({ id: files.id });
  return rows.length > 0;
}

/** Takes a file out of its half-done archival (its copy was abandoned): the next step is a fresh start. */
export async function clearStep(runId: string, fileId: string): Promise<void> {
  await platformDb()
    .update(files)
    .set({ archivalStep: null, updatedAt: new Date() })
    .where(and(eq(files.id, fileId), eq(files.archivalRunId, runId)));
}

/**
 * Records the file as archived (location, class, time) in one transaction with the pending deletion of its
 * hot copy and the run's counters. False when the file is gone (deleted meanwhile).
 */
export async function markFileArchived(
  runId: string,
  file: TClaimedFile,
  archive: { archiveKey: string; storageClass: TArchiveStorageClass; isReArchive: boolean },
): Promise<boolean> {
  return withPlatform(async (tx) => {
    const marked = await tx
      .update(files)
      .set({
        storageTier: 'archived',
        archiveKey: archive.archiveKey,
        archiveStorageClass: archive.storageClass,
        archivedAt: archive.isReArchive ? sql`coalesce(${files.archivedAt}, now())` : new Date(),
        archivalStep: 'marked',
        restoreRequestedAt: null,
        restoreReadyAt: null,
        restoreExpiresAt: null,
        updatedAt: new Date(),
      })
      .where(and(eq(files.id, file.id), eq(files.archivalRunId, runId)))
      .returning({ id: files.id });
    if (marked.length === 0) return false;
    // The hot copy's deletion is recorded with the change that makes it redundant. The run deletes it next; the
    // sweep only takes over an hour later (a run that died), so the two rarely meet on one key.
    await tx.insert(storageDeletions).values({
      tenantId: file.tenantId,
      bucket: bucketNames().files,
      objectKey: file.storageKey,
      notBefore: sql`now() + interval '1 hour'`,
    });
    await tx
      .update(archivalRuns)
      .set({
        filesArchived: sql`${archivalRuns.filesArchived} + 1`,
        bytesArchived: sql`${archivalRuns.bytesArchived} + ${file.sizeBytes}`,
      })
      .where(eq(archivalRuns.id, runId));
    return true;
  });
}

/**
 * The last step: the hot copy is deleted with no transaction held (while the step is 'marked' a restore refuses,
 * so nothing copies the object back meanwhile), then the step is cleared and the pending deletion recorded as done.
 * If the deletion sweep is deleting the same key right now, the step stays 'marked' (the next run clears it):
 * a restore let in before the sweep's delete lands would lose its bytes.
 */
export async function finishHotCopyDeletion(file: TClaimedFile, deleteHotCopy: () => Promise<void>): Promise<void> {
  const [row] = await platformDb().execute<{ id: string }>(
    sql`select id from files where id = ${file.id} and archival_step = 'marked' and storage_tier = 'archived'`,
  );
  if (!row) return;
  await deleteHotCopy();
  await withPlatform(async (tx) => {
    const isPending = and(eq(storageDeletions.bucket, bucketNames().files), eq(storageDeletions.objectKey, file.storageKey), isNull(storageDeletions.deletedAt));
    const pending = await tx
      .select({ isClaimed: sql<boolean>`coalesce(${storageDeletions.claimedUntil} > now(), false)` })
      .from(storageDeletions)
      .where(isPending)
      .for('update');
    if (pending.some((deletion) => deletion.isClaimed)) return;
    await tx
      .update(files)
      .set({ archivalStep: null, updatedAt: new Date() })
      .where(and(eq(files.id, file.id), eq(files.archivalStep, 'marked'), eq(files.storageTier, 'archived')));
    await tx.update(storageDeletions).set({ deletedAt: new Date(), attempts: sql`${storageDeletions.attempts} + 1` }).where(isPending);
  });
}
