import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files, storageDeletions, type TFileStatus } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';
import { bucketNames, presignDownload, type TPresignedUrl } from '@/lib/storage';
import { recordUsageEvents, usageEventId } from '@/lib/usage';
import type { TAuditOrigin } from '@/lib/audit';
import { fileColumns, notFound, selectFile, selectFiles, type TFile, type TListFilesQuery } from './repo';
import { finishStorageDeletionsSoon } from './deletion';
import { verifyHotObject } from './integrity';
import type { TInTenant } from './upload';

export async function listFiles(tx: TTx, query: TListFilesQuery): Promise<{ items: TFile[]; hasMore: boolean }> {
  const rows = await selectFiles(tx, query);
  return { items: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}

export async function getFile(tx: TTx, fileId: string): Promise<TFile> {
  const row = await selectFile(tx, fileId);
  if (!row) throw notFound();
  const { tenantId: _tenant, storageKey: _key, etag: _etag, archiveKey: _archive, ...file } = row;
  return file;
}

const integrityFailure = (reason: string) =>
  new AppError('conflict', `This file cannot be downloaded: ${reason}. Delete it and upload it again`, { status: 'failed', reason });

/**
 * A short-lived download URL; archived files must be restored first (409 says how). The stored object is
 * checked first (size and ETag, against the row): one that changed since it was stored fails the file and
 * answers 409. No transaction is held while S3 answers.
 */
export async function getDownloadUrl(inTenant: TInTenant, fileId: string, origin: TAuditOrigin = {}): Promise<TPresignedUrl> {
  const row = await inTenant((tx) => selectFile(tx, fileId));
  if (!row) throw notFound();
  if (row.status === 'uploading') throw new AppError('conflict', 'This file is still being uploaded');
  if (row.failureReason) throw integrityFailure(row.failureReason);
  if (row.storageTier === 'archived' || row.storageTier === 'restoring') {
    const state = row.storageTier === 'restoring' ? 'is being restored from the archive' : 'is archived';
    throw new AppError(
      'conflict',
      `This file ${state} and cannot be downloaded until it is restored: ` +
        `POST /api/v1/files/${fileId}/restore {"days": n} (or use Restore on the Files page)`,
      { storageTier: row.storageTier, restore: { method: 'POST', path: `/api/v1/files/${fileId}/restore`, body: { days: 7 } } },
    );
  }
  const check = await verifyHotObject(inTenant, row, 'download', origin);
  if (!check.ok) {
    if (!check.isMarked) throw new AppError('conflict', 'The file changed while its download was being prepared; try again');
    throw integrityFailure(`its stored object no longer matches what was uploaded (${check.reason}), so it was marked failed`);
  }
  return presignDownload(row.storageKey, row.filename);
}

/** The processing pipeline's status machine (a failed file may be retried). */
const NEXT_STATUSES: Record<TFileStatus, readonly TFileStatus[]> = {
  uploading: [],
  uploaded: ['processing'],
  processing: ['completed', 'failed'],
  completed: [],
  failed: ['processing'],
};

export async function updateFileStatus(tx: TTx, fileId: string, status: TFileStatus): Promise<TFile> {
  const row = await selectFile(tx, fileId, { forUpdate: true });
  if (!row) throw notFound();
  if (row.failureReason) {
    throw new AppError('conflict', `This file failed for good and cannot be processed again: ${row.failureReason}. Delete it and upload it again`, {
      from: row.status,
      to: status,
      allowed: [],
    });
  }
  if (!NEXT_STATUSES[row.status].includes(status)) {
    const allowed = NEXT_STATUSES[row.status];
    throw new AppError(
      'conflict',
      `A file in status ${row.status} cannot move to ${status}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (no change is allowed from this status)'),
      { from: row.status, to: status, allowed },
    );
  }
  const [file] = await tx
    .update(files)
    .set({ status, updatedAt: sql`now()` })
    .where(eq(files.id, fileId))
    .returning({ ...fileColumns, tenantId: files.tenantId });
  if (status === 'completed') {
    // Metered with the change: a file completes once, so its event id is derived from it.
    await recordUsageEvents(tx, file.tenantId, [
      { id: usageEventId('file_processed', fileId), type: 'file_processed', quantity: 1, occurredAt: new Date(), metadata: { fileId } },
    ]);
  }
  const { tenantId: _tenantId, ...dto } = file;
  return dto;
}

/**
 * Deletes a file: the row goes and its objects are queued in storage_deletions in the same transaction, so
 * no row ever points at a deleted object; the objects are deleted just after commit, or by the sweep if
 * the process dies first.
 */
export async function deleteFile(tx: TTx, fileId: string): Promise<void> {
  const row = await selectFile(tx, fileId, { forUpdate: true });
  if (!row) throw notFound();
  await tx.delete(files).where(eq(files.id, fileId));
  const tenantId = sql`current_setting('app.tenant_id')::uuid`;
  const { files: hotBucket, archive: archiveBucket } = bucketNames();
  const queued = [{ tenantId, bucket: hotBucket, objectKey: row.storageKey }];
  if (row.archiveKey) queued.push({ tenantId, bucket: archiveBucket, objectKey: row.archiveKey });
  const ids = queued.map(() => randomUUID());
  // Request code may only INSERT into storage_deletions (no RETURNING, which would need SELECT).
  await tx.insert(storageDeletions).values(queued.map((q, i) => ({ ...q, id: ids[i] })));
  finishStorageDeletionsSoon(ids);
}
