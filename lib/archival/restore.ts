import 'server-only';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { files, type TStorageTier } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';
import {
  archiveRestoreMode,
  copyArchivedObjectToHot,
  headArchivedObject,
  parseRestoreHeader,
  requestGlacierRestore,
} from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';

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

const statusColumns = {
  fileId: files.id,
  storageTier: files.storageTier,
  restoreRequestedAt: files.restoreRequestedAt,
  restoreReadyAt: files.restoreReadyAt,
  restoreExpiresAt: files.restoreExpiresAt,
};

/**
 * Requests a restore of an archived file of the current tenant for `days` days (inside withTenant, so
 * another tenant's file is not found). Where the archive copy is readable (S3-compatible endpoints,
 * STANDARD_IA, GLACIER_IR) it is copied back at once; from Glacier on AWS a RestoreObject is issued and the
 * tracking job copies it back when ready. Asking again for a restored file extends its days.
 */
export async function requestFileRestore(tx: TTx, fileId: string, days: number): Promise<TRestoreStatus> {
  const parsed = ZRestoreRequest.safeParse({ days });
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new AppError('validation_failed', `Invalid body: days: ${message}`, { fields: [{ field: 'days', message }] });
  }
  const [file] = await tx
    .select({
      id: files.id,
      storageTier: files.storageTier,
      archivalStep: files.archivalStep,
      storageKey: files.storageKey,
      sizeBytes: files.sizeBytes,
      archiveKey: files.archiveKey,
      archiveStorageClass: files.archiveStorageClass,
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

  if (file.archivalStep !== null) {
    throw new AppError('conflict', 'The file is being moved to or from the archive right now; try again in a minute');
  }
  if (file.storageTier === 'hot') {
    throw new AppError('conflict', 'The file is not archived: download it directly');
  }
  if (file.storageTier === 'restoring') {
    const [row] = await tx.select(statusColumns).from(files).where(eq(files.id, fileId));
    return row;
  }
  if (file.storageTier === 'restored') {
    const asked = new Date(now.getTime() + days * DAY_MS);
    const expiresAt = file.restoreExpiresAt && file.restoreExpiresAt > asked ? file.restoreExpiresAt : asked;
    return update({ restoreExpiresAt: expiresAt });
  }

  const archiveKey = file.archiveKey;
  if (!archiveKey) throw new AppError('internal', `Archived file ${fileId} has no archive key`);
  const retrievalMs = STANDARD_RETRIEVAL_MS[file.archiveStorageClass ?? ''];
  if (archiveRestoreMode() === 'glacier' && retrievalMs) {
    await requestGlacierRestore(archiveKey, days);
    const readyAt = new Date(now.getTime() + retrievalMs);
    // Until the restore completes, expires - ready holds the requested days (the tracker keeps them).
    return update({
      storageTier: 'restoring',
      restoreRequestedAt: now,
      restoreReadyAt: readyAt,
      restoreExpiresAt: new Date(readyAt.getTime() + days * DAY_MS),
    });
  }
  await copyArchivedObjectToHot({ archiveKey, hotKey: file.storageKey, sizeBytes: file.sizeBytes });
  return update({
    storageTier: 'restored',
    restoreRequestedAt: now,
    restoreReadyAt: now,
    restoreExpiresAt: new Date(now.getTime() + days * DAY_MS),
  });
}

/**
 * The Glacier restore tracker (every 15 minutes): asks S3 about each restoring file and, once the restored
 * copy is readable, copies it back to the hot bucket and marks the file restored for the days requested.
 */
export async function trackGlacierRestores(limit = 200): Promise<{ checked: number; restored: number }> {
  const restoring = await withPlatform((tx) =>
    tx
      .select({
        id: files.id,
        storageKey: files.storageKey,
        sizeBytes: files.sizeBytes,
        archiveKey: files.archiveKey,
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
      logger.warn({ err: error, fileId: file.id }, 'checking a Glacier restore failed; the next check retries');
    }
  }
  return { checked: restoring.length, restored };
}
