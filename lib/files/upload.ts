import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files } from '@/db/schema/files';
import { AppError, isAppError } from '@/lib/app-error';
import {
  bucketNames,
  deleteObject,
  hashObject,
  headObject,
  presignUpload,
  putObjectStream,
  readObjectStart,
} from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { recordUsageEvents, usageEventId } from '@/lib/usage';
import {
  assertQuota,
  fileColumns,
  getStorageUsage,
  loadUploadLimits,
  lockTenantQuota,
  notFound,
  type TFile,
} from './repo';
import {
  assertSignature,
  assertTypeAllowed,
  checkFilename,
  contentTypeOf,
  emptyFile,
  formatBytes,
  SNIFF_BYTES,
  storageKeyOf,
  tooLarge,
} from './validation';
import { cancelUploadCleanup, reserveUploadCleanup } from './deletion';

export interface TUploader {
  tenant: { id: string };
  userId: string | null;
}

export interface TUploadMeta {
  filename: string | null | undefined;
  contentType?: string | null;
  project?: string | null;
  isTemporary?: boolean;
}

// Millisecond timestamps: keyset cursors carry milliseconds, so rows must not be finer than their cursor.
const nowMs = sql`date_trunc('milliseconds', now())`;

/**
 * Checks a byte stream while it flows to storage: the signature from the first bytes (before anything is
 * stored), then the size against the per-file limit and the free quota. A refusal throws, which aborts
 * the upload.
 */
/**
 * The request body, with a read that fails (the client went away mid-upload) turned into a 400: the caller's
 * doing, not a server error. Our own refusals raised while reading (a malformed multipart body) pass unchanged.
 */
async function* interruptedAsBadRequest(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let isDone = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        isDone = true;
        if (isAppError(error)) throw error;
        throw new AppError('bad_request', 'The request body ended before it was complete; nothing was stored');
      }
      if (next.done) {
        isDone = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stopped early (a refusal while streaming): let the body go.
    if (!isDone) await iterator.return?.();
  }
}

async function* guarded(
  body: AsyncIterable<Uint8Array>,
  limits: { extension: string; maxFileSizeBytes: number; freeBytes: number; usedBytes: number; quotaBytes: number },
): AsyncGenerator<Uint8Array> {
  let head: Buffer | null = Buffer.alloc(0);
  let sizeBytes = 0;
  const checkSize = () => {
    if (sizeBytes > limits.maxFileSizeBytes) throw tooLarge(null, limits.maxFileSizeBytes);
    if (sizeBytes > limits.freeBytes) {
      assertQuota({ hotBytes: 0, archivedBytes: 0, totalBytes: limits.usedBytes, quotaBytes: limits.quotaBytes }, sizeBytes);
    }
  };
  for await (const chunk of interruptedAsBadRequest(body)) {
    sizeBytes += chunk.byteLength;
    checkSize();
    if (head) {
      head = Buffer.concat([head, chunk]);
      if (head.length < SNIFF_BYTES) continue;
      assertSignature(limits.extension, head);
      yield head;
      head = null;
    } else {
      yield chunk;
    }
  }
  if (sizeBytes === 0) throw emptyFile();
  if (head) {
    assertSignature(limits.extension, head);
    yield head;
  }
}

/** Runs a short transaction in the uploader's tenant (the request wrapper's `inTenant`). */
export type TInTenant = <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>;

/**
 * Streams one upload to the hot bucket and records it. No transaction (and so no pooled connection) is
 * held while bytes flow: a short one reads the limits first, another records the file at the end. Type,
 * declared size and quota are refused before a byte is read; signature, size and quota are enforced while
 * streaming; the quota is decided for good under a per-tenant lock just before the row is written, so
 * concurrent uploads cannot overrun it. Any refusal or failure leaves no object and no row.
 */
export async function uploadFile(
  inTenant: TInTenant,
  uploader: TUploader,
  meta: TUploadMeta,
  body: AsyncIterable<Uint8Array>,
  declaredSizeBytes?: number | null,
): Promise<TFile> {
  const { filename, extension } = checkFilename(meta.filename);
  const { limits, usage } = await inTenant(async (tx) => ({
    limits: await loadUploadLimits(tx),
    usage: await getStorageUsage(tx),
  }));
  assertTypeAllowed(extension, limits.allowedFileTypes);
  if (declaredSizeBytes != null && declaredSizeBytes > 0) {
    if (declaredSizeBytes > limits.maxFileSizeBytes) throw tooLarge(declaredSizeBytes, limits.maxFileSizeBytes);
    assertQuota(usage, declaredSizeBytes);
  }

  const fileId = randomUUID();
  const storageKey = storageKeyOf(uploader.tenant.id, fileId, filename);
  const contentType = contentTypeOf(extension, meta.contentType);
  // Booked before a byte is stored and cancelled once the row commits; after a refusal it stays booked, a
  // backstop in case discarding the object failed.
  const reservationId = await reserveUploadCleanup(uploader.tenant.id, storageKey);
  const file = await streamAndRecord();
  await cancelUploadCleanup(reservationId);
  return file;

  async function streamAndRecord(): Promise<TFile> {
    const stored = await putObjectStream(
      storageKey,
      guarded(body, {
        extension,
        maxFileSizeBytes: limits.maxFileSizeBytes,
        freeBytes: usage.quotaBytes - usage.totalBytes,
        usedBytes: usage.totalBytes,
        quotaBytes: usage.quotaBytes,
      }),
      contentType,
    );
    if (declaredSizeBytes != null && stored.sizeBytes !== declaredSizeBytes) {
      await discardObject(storageKey);
      throw new AppError(
        'bad_request',
        `The body ended after ${stored.sizeBytes} bytes but Content-Length announced ${declaredSizeBytes}; nothing was stored`,
      );
    }

    try {
      return await inTenant(async (tx) => {
        await lockTenantQuota(tx);
        assertQuota(await getStorageUsage(tx), stored.sizeBytes);
        const [file] = await tx
          .insert(files)
          .values({
            id: fileId,
            tenantId: uploader.tenant.id,
            project: meta.project ?? null,
            uploadedBy: uploader.userId,
            filename,
            extension,
            contentType,
            sizeBytes: stored.sizeBytes,
            sha256: stored.sha256,
            storageKey,
            status: 'uploaded',
            isTemporary: meta.isTemporary ?? false,
            createdAt: nowMs,
            updatedAt: nowMs,
          })
          .returning(fileColumns);
        await meterUpload(tx, uploader.tenant.id, file.id, stored.sizeBytes);
        return file;
      });
    } catch (error) {
      await discardObject(storageKey);
      throw error;
    }
  }
}

/** Meters an upload in the transaction that records it: no upload without its event, and each counted once. */
async function meterUpload(tx: TTx, tenantId: string, fileId: string, sizeBytes: number): Promise<void> {
  await recordUsageEvents(tx, tenantId, [
    { id: usageEventId('file_upload', fileId), type: 'file_upload', quantity: sizeBytes, occurredAt: new Date(), metadata: { fileId } },
  ]);
}

async function discardObject(storageKey: string): Promise<void> {
  await deleteObject(bucketNames().files, storageKey).catch((err: unknown) =>
    // Invisible to the tenant and not counted; the cleanup booked before the upload removes it later.
    logger.error({ err, storageKey }, 'could not delete the object of a refused upload'),
  );
}

export interface TPresignedUploadInput {
  name: string;
  sizeBytes: number;
  contentType?: string;
  project?: string | null;
  isTemporary?: boolean;
}

/**
 * Starts a presigned upload: checks type, size and quota, reserves the declared bytes in an `uploading`
 * row (committed with this transaction, under the tenant's quota lock), and returns a short-lived PUT URL.
 */
export async function createPresignedUpload(
  tx: TTx,
  uploader: TUploader,
  input: TPresignedUploadInput,
): Promise<{ file: TFile; uploadUrl: string; expiresAt: Date }> {
  const { filename, extension } = checkFilename(input.name);
  const limits = await loadUploadLimits(tx);
  assertTypeAllowed(extension, limits.allowedFileTypes);
  if (input.sizeBytes === 0) throw emptyFile();
  if (input.sizeBytes > limits.maxFileSizeBytes) throw tooLarge(input.sizeBytes, limits.maxFileSizeBytes);
  await lockTenantQuota(tx);
  assertQuota(await getStorageUsage(tx), input.sizeBytes);

  const fileId = randomUUID();
  const storageKey = storageKeyOf(uploader.tenant.id, fileId, filename);
  const contentType = contentTypeOf(extension, input.contentType);
  const [file] = await tx
    .insert(files)
    .values({
      id: fileId,
      tenantId: uploader.tenant.id,
      project: input.project ?? null,
      uploadedBy: uploader.userId,
      filename,
      extension,
      contentType,
      sizeBytes: input.sizeBytes,
      storageKey,
      status: 'uploading',
      isTemporary: input.isTemporary ?? false,
      createdAt: nowMs,
      updatedAt: nowMs,
    })
    .returning(fileColumns);
  const { url, expiresAt } = await presignUpload(storageKey, contentType);
  return { file, uploadUrl: url, expiresAt };
}

export type TCompletion = { ok: true; file: TFile } | { ok: false; error: AppError };

/**
 * Finishes a presigned upload: the object must exist with the declared size and the format's signature.
 * The object is checked and hashed outside any transaction; the row is then updated under its lock, so of
 * two racing completions one wins and the other gets 409. A mismatch deletes the object and the row; a
 * missing object is a 409 the client can retry after its PUT.
 */
export async function completeUpload(inTenant: TInTenant, fileId: string): Promise<TCompletion> {
  const readPending = async (tx: TTx, lock: boolean) => {
    const query = tx
      .select({ ...fileColumns, storageKey: files.storageKey, tenantId: files.tenantId })
      .from(files)
      .where(eq(files.id, fileId));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound();
    if (row.status !== 'uploading') throw new AppError('conflict', `This upload is already complete (status ${row.status})`);
    return row;
  };
  const row = await inTenant((tx) => readPending(tx, false));
  const head = await headObject(row.storageKey);
  if (!head) throw new AppError('conflict', 'Nothing was uploaded yet: PUT the file to uploadUrl, then call complete');

  const refuse = async (error: AppError): Promise<TCompletion> => {
    await inTenant(async (tx) => {
      await readPending(tx, true);
      await tx.delete(files).where(eq(files.id, fileId));
    });
    await discardObject(row.storageKey);
    return { ok: false, error };
  };
  if (head.sizeBytes !== row.sizeBytes) {
    return refuse(
      new AppError(
        'unprocessable',
        `The uploaded object has ${formatBytes(head.sizeBytes)} but ${formatBytes(row.sizeBytes)} were declared; it was discarded`,
        { declaredBytes: row.sizeBytes, uploadedBytes: head.sizeBytes },
      ),
    );
  }
  try {
    assertSignature(row.extension, await readObjectStart(row.storageKey, SNIFF_BYTES));
  } catch (error) {
    if (error instanceof AppError) return refuse(error);
    throw error;
  }
  const { sha256 } = await hashObject(row.storageKey);
  const file = await inTenant(async (tx) => {
    await readPending(tx, true);
    const [updated] = await tx
      .update(files)
      .set({ status: 'uploaded', sha256, updatedAt: sql`now()` })
      .where(eq(files.id, fileId))
      .returning(fileColumns);
    await meterUpload(tx, row.tenantId, fileId, row.sizeBytes);
    return updated;
  });
  return { ok: true, file };
}
