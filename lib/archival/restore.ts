import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { files, storageDeletions, type TStorageTier } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';
import {
  archiveRestoreMode,
  bucketNames,
  copyArchivedObjectToHot,
  headArchivedObject,
  parseRestoreHeader,
  requestGlacierRestore,
} from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';

/** Where a file's restore stands (what the portal and POST /api/v1/files/{id}/restore show). */
export interface TRestoreStatus {
  fileId: string;
  storageTier: TStorageTier;
  restoreRequestedAt: Date | null;
  /** When the bytes are (estimated to be) downloadable again. */
  restoreReadyAt: Date | null;
  /** When the restored copy goes back to cold storage. */
  restoreExpiresAt: Date | null;
}

export const MAX_RESTORE_DAYS = 30;
export const ZRestoreRequest = z
  .object({
    days: z
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(MAX_RESTORE_DAYS, `must be at most ${MAX_RESTORE_DAYS} days`),
  })
  .strict();

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
// AWS's Standard retrieval: 3–5 hours from Glacier Flexible Retrieval, within 12 hours from Deep Archive.
const STANDARD_RETRIEVAL_MS: Record<string, number> = { GLACIER: 5 * HOUR_MS, DEEP_ARCHIVE: 12 * HOUR_MS };

/** A copy back claimed longer ago than this died with its process: the next request or the tracker copies again. */
const COPY_CLAIM_LEASE_MS = 15 * 60 * 1000;

const statusColumns = {
  fileId: files.id,
  storageTier: files.storageTier,
  restoreRequestedAt: files.restoreRequestedAt,
  restoreReadyAt: files.restoreReadyAt,
  restoreExpiresAt: files.restoreExpiresAt,
};

type TRunInTransaction = <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>;

/** A restore this call has claimed (the row says restoring since `claimedAt`); the S3 call comes next. */
interface TRestoreClaim {
  fileId: string;
  tenantId: string;
  archiveKey: string;
  storageKey: string;
  sizeBytes: number;
  days: number;
  claimedAt: Date;
  status: TRestoreStatus;
}

type TNextStep = { kind: 'answer'; status: TRestoreStatus } | { kind: 'glacier' | 'copy'; claim: TRestoreClaim };

/** Whether the archive copy must first come back from Glacier (hours) or can be copied back at once. */
function needsGlacierRestore(storageClass: string | null): boolean {
  return archiveRestoreMode() === 'glacier' && STANDARD_RETRIEVAL_MS[storageClass ?? ''] !== undefined;
}

function archiveUnavailable(error: unknown, fileId: string): AppError {
  logger.error({ err: error, fileId }, 'restoring a file failed at the archive storage');
  return new AppError('unavailable', 'The archive storage did not answer; the file stays archived. Try again in a moment');
}

/**
 * The first step of a restore, in the caller's short transaction with the row locked: decides what to do and,
 * when S3 must be called, marks the file restoring (the claim) so that no other call or run starts the same work.
 */
async function claimRestore(tx: TTx, fileId: string, days: number): Promise<TNextStep> {
  const [file] = await tx
    .select({
      id: files.id,
      tenantId: files.tenantId,
      storageTier: files.storageTier,
      archivalStep: files.archivalStep,
      storageKey: files.storageKey,
      sizeBytes: files.sizeBytes,
      archiveKey: files.archiveKey,
      archiveStorageClass: files.archiveStorageClass,
      restoreRequestedAt: files.restoreRequestedAt,
      restoreReadyAt: files.restoreReadyAt,
      restoreExpiresAt: files.restoreExpiresAt,
    })
    .from(files)
    .where(eq(files.id, fileId))
    .for('update');
  if (!file) throw new AppError('not_found', 'File not found');

  const now = new Date();
  const update = async (values: Partial<typeof files.$inferInsert>): Promise<TRestoreStatus> => {
    const [row] = await tx.update(files).set({ ...values, updatedAt: now }).where(eq(files.id, fileId)).returning(statusColumns);
    return row;
  };
  const current: TRestoreStatus = {
    fileId,
    storageTier: file.storageTier,
    restoreRequestedAt: file.restoreRequestedAt,
    restoreReadyAt: file.restoreReadyAt,
    restoreExpiresAt: file.restoreExpiresAt,
  };

  if (file.archivalStep !== null) {
    throw new AppError('conflict', 'The file is being moved to or from the archive right now; try again in a minute');
  }
  if (file.storageTier === 'hot') {
    throw new AppError('conflict', 'The file is not archived: download it directly');
  }
  if (file.storageTier === 'restored') {
    const asked = new Date(now.getTime() + days * DAY_MS);
    const expiresAt = file.restoreExpiresAt && file.restoreExpiresAt > asked ? file.restoreExpiresAt : asked;
    return { kind: 'answer', status: await update({ restoreExpiresAt: expiresAt }) };
  }
  const isGlacier = needsGlacierRestore(file.archiveStorageClass);
  if (file.storageTier === 'restoring') {
    // Glacier is working (the tracker copies it back), or another call is copying right now.
    const isCopyInFlight = (file.restoreRequestedAt?.getTime() ?? 0) > now.getTime() - COPY_CLAIM_LEASE_MS;
    if (isGlacier || isCopyInFlight) return { kind: 'answer', status: current };
  }

  const archiveKey = file.archiveKey;
  if (!archiveKey) throw new AppError('internal', `Archived file ${fileId} has no archive key`);
  // Until the bytes are back, expires - ready holds the requested days (the tracker keeps them).
  const readyAt = isGlacier ? new Date(now.getTime() + STANDARD_RETRIEVAL_MS[file.archiveStorageClass!]) : now;
  const status = await update({
    storageTier: 'restoring',
    restoreRequestedAt: now,
    restoreReadyAt: readyAt,
    restoreExpiresAt: new Date(readyAt.getTime() + days * DAY_MS),
  });
  const claim = { fileId, tenantId: file.tenantId, archiveKey, storageKey: file.storageKey, sizeBytes: file.sizeBytes, days, claimedAt: now, status };
  return { kind: isGlacier ? 'glacier' : 'copy', claim };
}

const isOurClaim = (claim: TRestoreClaim) =>
  and(eq(files.id, claim.fileId), eq(files.storageTier, 'restoring'), eq(files.restoreRequestedAt, claim.claimedAt));

/** The S3 call failed: the file goes back to archived (unless another call has claimed it since). */
async function releaseClaim(claim: TRestoreClaim, inTransaction: TRunInTransaction): Promise<void> {
  await inTransaction((tx) =>
    tx
      .update(files)
      .set({ storageTier: 'archived', restoreRequestedAt: null, restoreReadyAt: null, restoreExpiresAt: null, updatedAt: new Date() })
      .where(isOurClaim(claim)),
  ).catch((err: unknown) => logger.warn({ err, fileId: claim.fileId }, 'could not release a restore claim; a later call or the tracker retries it'));
}

/**
 * Copies the archive copy back to the hot key with no transaction held (a multi-GiB copy takes a while), then
 * records the file restored for its days in a short one. A file deleted meanwhile gets its new hot copy queued
 * for deletion, so nothing is left behind.
 */
async function copyBack(claim: TRestoreClaim, inTransaction: TRunInTransaction): Promise<TRestoreStatus | null> {
  try {
    await copyArchivedObjectToHot({ archiveKey: claim.archiveKey, hotKey: claim.storageKey, sizeBytes: claim.sizeBytes });
  } catch (error) {
    await releaseClaim(claim, inTransaction);
    throw archiveUnavailable(error, claim.fileId);
  }
  return inTransaction(async (tx) => {
    const now = new Date();
    const [restored] = await tx
      .update(files)
      .set({ storageTier: 'restored', restoreReadyAt: now, restoreExpiresAt: new Date(now.getTime() + claim.days * DAY_MS), updatedAt: now })
      .where(isOurClaim(claim))
      .returning(statusColumns);
    if (restored) return restored;
    const [current] = await tx.select(statusColumns).from(files).where(eq(files.id, claim.fileId));
    if (current) return current;
    await tx.insert(storageDeletions).values({ id: randomUUID(), tenantId: claim.tenantId, bucket: bucketNames().files, objectKey: claim.storageKey });
    return null;
  });
}

/**
 * Requests a restore of an archived file of a tenant for `days` days. Where the archive copy is readable
 * (S3-compatible endpoints, STANDARD_IA, GLACIER_IR) it is copied back at once; from Glacier on AWS a
 * RestoreObject is issued and the tracking job copies it back when ready. Asking again for a restored file
 * extends its days; asking again while a copy is under way answers its progress.
 *
 * Claim → call → record: the file is marked restoring in a short tenant transaction (so another tenant's file is
 * not found), S3 is called with no transaction held, and the outcome is recorded in another short one. A process
 * that dies after its claim leaves the file restoring: a copy is taken up again by the next request once its lease
 * is over (or by the tracker), a Glacier request is asked again by the tracker.
 */
export async function requestFileRestore(tenantId: string, fileId: string, days: number): Promise<TRestoreStatus> {
  const parsed = ZRestoreRequest.safeParse({ days });
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new AppError('validation_failed', `Invalid body: days: ${message}`, { fields: [{ field: 'days', message }] });
  }
  const inTenant: TRunInTransaction = (fn) => withTenant(tenantId, fn);
  const next = await inTenant((tx) => claimRestore(tx, fileId, days));
  if (next.kind === 'answer') return next.status;
  if (next.kind === 'glacier') {
    try {
      await requestGlacierRestore(next.claim.archiveKey, days);
    } catch (error) {
      await releaseClaim(next.claim, inTenant);
      throw archiveUnavailable(error, fileId);
    }
    return next.claim.status;
  }
  const restored = await copyBack(next.claim, inTenant);
  if (!restored) throw new AppError('not_found', 'File not found');
  return restored;
}

/**
 * The restore tracker (every 15 minutes). For each file still restoring: a Glacier restore is asked about and,
 * once the restored copy is readable, copied back to the hot bucket and marked restored for the days requested;
 * a copy back whose request died (claimed longer than its lease ago) is done here.
 */
export async function trackRestores(limit = 200): Promise<{ checked: number; restored: number }> {
  const restoring = await withPlatform((tx) =>
    tx
      .select({
        id: files.id,
        tenantId: files.tenantId,
        storageKey: files.storageKey,
        sizeBytes: files.sizeBytes,
        archiveKey: files.archiveKey,
        archiveStorageClass: files.archiveStorageClass,
        restoreRequestedAt: files.restoreRequestedAt,
        restoreReadyAt: files.restoreReadyAt,
        restoreExpiresAt: files.restoreExpiresAt,
      })
      .from(files)
      .where(eq(files.storageTier, 'restoring'))
      .orderBy(files.restoreRequestedAt)
      .limit(limit),
  );
  let restored = 0;
  for (const file of restoring) {
    try {
      if (!file.archiveKey) continue;
      const days = Math.max(1, Math.round(((file.restoreExpiresAt?.getTime() ?? 0) - (file.restoreReadyAt?.getTime() ?? 0)) / DAY_MS));
      if (!needsGlacierRestore(file.archiveStorageClass)) {
        if ((file.restoreRequestedAt?.getTime() ?? 0) > Date.now() - COPY_CLAIM_LEASE_MS) continue;
        const claim = await reclaimDeadCopy(file, days);
        if (claim && (await copyBack(claim, withPlatform))?.storageTier === 'restored') restored += 1;
        continue;
      }
      const head = await headArchivedObject(file.archiveKey);
      const restore = parseRestoreHeader(head?.restore);
      if (!restore) {
        // S3 knows of no restore (expired, or the request was lost): ask again.
        if (head) await requestGlacierRestore(file.archiveKey, days);
        continue;
      }
      if (restore.isOngoing) continue;
      await copyArchivedObjectToHot({ archiveKey: file.archiveKey, hotKey: file.storageKey, sizeBytes: file.sizeBytes });
      const now = new Date();
      const marked = await withPlatform((tx) =>
        tx
          .update(files)
          .set({ storageTier: 'restored', restoreReadyAt: now, restoreExpiresAt: new Date(now.getTime() + days * DAY_MS), updatedAt: now })
          .where(and(eq(files.id, file.id), eq(files.storageTier, 'restoring')))
          .returning({ id: files.id }),
      );
      restored += marked.length;
    } catch (error) {
      logger.warn({ err: error, fileId: file.id }, 'checking a restore failed; the next check retries');
    }
  }
  return { checked: restoring.length, restored };
}

/** Takes over a copy back whose claim outlived its lease (the same claim a request makes), or null if taken. */
async function reclaimDeadCopy(
  file: { id: string; tenantId: string; storageKey: string; sizeBytes: number; archiveKey: string | null; restoreRequestedAt: Date | null },
  days: number,
): Promise<TRestoreClaim | null> {
  const now = new Date();
  const [status] = await withPlatform((tx) =>
    tx
      .update(files)
      .set({ restoreRequestedAt: now, restoreReadyAt: now, restoreExpiresAt: new Date(now.getTime() + days * DAY_MS), updatedAt: now })
      .where(
        and(
          eq(files.id, file.id),
          eq(files.storageTier, 'restoring'),
          file.restoreRequestedAt ? eq(files.restoreRequestedAt, file.restoreRequestedAt) : isNull(files.restoreRequestedAt),
        ),
      )
      .returning(statusColumns),
  );
  if (!status || !file.archiveKey) return null;
  return { fileId: file.id, tenantId: file.tenantId, archiveKey: file.archiveKey, storageKey: file.storageKey, sizeBytes: file.sizeBytes, days, claimedAt: now, status };
}
