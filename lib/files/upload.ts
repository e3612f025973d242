import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files } from '@/db/schema/files';
import { AppError, isAppError } from '@/lib/app-error';
import {
  bucketNames,
  copyHotObject,
  deleteObject,
  hashObject,
  headObject,
  MAX_SINGLE_PUT_BYTES,
  presignUpload,
  putObjectStream,
  readObjectStart,
  type TStoredObject,
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
  stagingKeyOf,
  storageKeyOf,
  tooLarge,
} from './validation';
import { bookStagingCleanup, cancelUploadCleanup, reserveUploadCleanup } from './deletion';

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
            etag: stored.etag,
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
  /** The file's SHA-256 (hex), if the client knows it: signed into the URL and checked again on completion. */
  sha256?: string | null;
  contentType?: string;
  project?: string | null;
  isTemporary?: boolean;
}

export interface TPresignedUpload {
  file: TFile;
  uploadUrl: string;
  /** Headers the PUT must send as given (signed): the declared length, and the checksum when one was declared. */
  uploadHeaders: Record<string, string>;
  expiresAt: Date;
}

/**
 * Starts a presigned upload: checks type, size and quota, reserves the declared bytes in an `uploading`
 * row (committed with this transaction, under the tenant's quota lock), and returns a short-lived PUT URL for
 * a staging key, bound to the declared length (and SHA-256, when given).
 */
export async function createPresignedUpload(tx: TTx, uploader: TUploader, input: TPresignedUploadInput): Promise<TPresignedUpload> {
  const { filename, extension } = checkFilename(input.name);
  const limits = await loadUploadLimits(tx);
  assertTypeAllowed(extension, limits.allowedFileTypes);
  if (input.sizeBytes === 0) throw emptyFile();
  if (input.sizeBytes > limits.maxFileSizeBytes) throw tooLarge(input.sizeBytes, limits.maxFileSizeBytes);
  if (input.sizeBytes > MAX_SINGLE_PUT_BYTES) {
    throw new AppError(
      'payload_too_large',
      `A presigned upload is one PUT, which S3 limits to ${formatBytes(MAX_SINGLE_PUT_BYTES)}; ` +
        'send larger files to POST /api/v1/files (streamed)',
      { maxPresignedBytes: MAX_SINGLE_PUT_BYTES, sizeBytes: input.sizeBytes },
    );
  }
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
      // Until completion, the SHA-256 the client promised; completion replaces it with the one it computes.
      sha256: input.sha256 ?? null,
      storageKey,
      status: 'uploading',
      isTemporary: input.isTemporary ?? false,
      createdAt: nowMs,
      updatedAt: nowMs,
    })
    .returning(fileColumns);
  const presigned = await presignUpload(stagingKeyOf(uploader.tenant.id, fileId), { sizeBytes: input.sizeBytes, sha256: input.sha256 });
  return { file, uploadUrl: presigned.url, uploadHeaders: presigned.headers, expiresAt: presigned.expiresAt };
}

export type TCompletion = { ok: true; file: TFile } | { ok: false; error: AppError };

const isPreconditionFailed = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 412;

/**
 * Finishes a presigned upload. The staged object must have the declared size; it is copied to the file's own
 * key (only while it is still the version checked), and that copy is what gets checked for the format's
 * signature, hashed (and compared with a declared SHA-256) and recorded with its size and ETag, so the file's
 * object is never one that a presigned URL can write. No transaction is held meanwhile; the row is then updated
 * under its lock, so of two racing completions one wins and the other gets 409. A mismatch deletes the objects
 * and the row; a missing object is a 409 the client can retry after its PUT.
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
  const stagingKey = stagingKeyOf(row.tenantId, fileId);
  const staged = await headObject(stagingKey);
  if (!staged) throw new AppError('conflict', 'Nothing was uploaded yet: PUT the file to uploadUrl, then call complete');

  const refuse = async (error: AppError): Promise<TCompletion> => {
    await inTenant(async (tx) => {
      await readPending(tx, true);
      await tx.delete(files).where(eq(files.id, fileId));
      await bookStagingCleanup(tx, stagingKey);
    });
    await Promise.all([discardObject(stagingKey), discardObject(row.storageKey)]);
    return { ok: false, error };
  };
  const wrongSize = (uploadedBytes: number) =>
    new AppError(
      'unprocessable',
      `The uploaded object has ${formatBytes(uploadedBytes)} but ${formatBytes(row.sizeBytes)} were declared; it was discarded`,
      { declaredBytes: row.sizeBytes, uploadedBytes },
    );
  if (staged.sizeBytes !== row.sizeBytes) return refuse(wrongSize(staged.sizeBytes));

  let etag: string | null;
  let stored: TStoredObject;
  try {
    etag = await copyHotObject({ fromKey: stagingKey, toKey: row.storageKey, sourceEtag: staged.etag, contentType: row.contentType });
    assertSignature(row.extension, await readObjectStart(row.storageKey, SNIFF_BYTES, etag));
    stored = await hashObject(row.storageKey, etag);
  } catch (error) {
    if (error instanceof AppError) return refuse(error);
    // S3 answers 412 when an object changed between two of these steps (reads and copy are conditional).
    if (isPreconditionFailed(error)) throw new AppError('conflict', 'The upload changed while it was being completed; call complete again');
    throw error;
  }
  if (stored.sizeBytes !== row.sizeBytes) return refuse(wrongSize(stored.sizeBytes));
  const declaredSha256 = row.sha256;
  if (declaredSha256 && stored.sha256 !== declaredSha256) {
    return refuse(
      new AppError('unprocessable', `The uploaded bytes have SHA-256 ${stored.sha256}, not the ${declaredSha256} declared; they were discarded`, {
        declaredSha256,
        uploadedSha256: stored.sha256,
      }),
    );
  }
  const file = await inTenant(async (tx) => {
    await readPending(tx, true);
    const [updated] = await tx
      .update(files)
      .set({ status: 'uploaded', sha256: stored.sha256, etag, updatedAt: sql`now()` })
      .where(eq(files.id, fileId))
      .returning(fileColumns);
    await meterUpload(tx, row.tenantId, fileId, row.sizeBytes);
    await bookStagingCleanup(tx, stagingKey);
    return updated;
  });
  await discardObject(stagingKey);
  return { ok: true, file };
}
