import 'server-only';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { TArchiveStorageClass } from './archive';
import { bucketNames, s3 } from './client';

/**
 * Parts of a multipart upload. S3 needs ≥ 5 MiB for every part but the last; 8 MiB keeps one part in memory
 * at a time, so a 2 GiB upload stays at a few parts' worth of RSS (10,000 parts → files up to 80 GiB).
 */
export const PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Presigned URLs are short-lived: long enough to start a transfer, too short to be worth leaking. */
export const PRESIGN_TTL_SECONDS = 5 * 60;

export interface TStoredObject {
  sizeBytes: number;
  sha256: string;
}

/** Copies chunks into parts of PART_SIZE_BYTES (the last one shorter): one part buffer filled at a time. */
async function* partsOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(PART_SIZE_BYTES);
  let filledBytes = 0;
  for await (const chunk of body) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const copied = Math.min(PART_SIZE_BYTES - filledBytes, chunk.byteLength - offset);
      part.set(chunk.subarray(offset, offset + copied), filledBytes);
      filledBytes += copied;
      offset += copied;
      if (filledBytes === PART_SIZE_BYTES) {
        yield part;
        part = Buffer.allocUnsafe(PART_SIZE_BYTES);
        filledBytes = 0;
      }
    }
  }
  if (filledBytes > 0) yield part.subarray(0, filledBytes);
}

/**
 * Streams a body of unknown length into the hot bucket (or, with `to`, the archive bucket in a storage class),
 * computing size and SHA-256 on the way. A body that fits one part is a single PUT; a larger one is a multipart
 * upload, aborted if the body or S3 fails, so a failed upload leaves nothing behind. The body's own errors (a
 * limit it enforces) propagate unchanged.
 */
export async function putObjectStream(
  key: string,
  body: AsyncIterable<Uint8Array>,
  contentType: string,
  to?: { bucket: 'archive'; storageClass: TArchiveStorageClass },
): Promise<TStoredObject> {
  const Bucket = to ? bucketNames().archive : bucketNames().files;
  const StorageClass = to?.storageClass;
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const hashed = (async function* () {
    for await (const chunk of body) {
      hash.update(chunk);
      sizeBytes += chunk.byteLength;
      yield chunk;
    }
  })();
  const parts = partsOf(hashed);

  const first = await parts.next();
  const firstPart = first.done ? Buffer.alloc(0) : first.value;
  const second = first.done ? first : await parts.next();
  if (second.done) {
    await s3().send(new PutObjectCommand({ Bucket, Key: key, Body: firstPart, ContentType: contentType, StorageClass }));
    return { sizeBytes, sha256: hash.digest('hex') };
  }

  const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType, StorageClass }));
  const completed: { ETag: string | undefined; PartNumber: number }[] = [];
  try {
    const uploadPart = async (Body: Buffer) => {
      const PartNumber = completed.length + 1;
      const { ETag } = await s3().send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, Body }));
      completed.push({ ETag, PartNumber });
    };
    await uploadPart(firstPart);
    await uploadPart(second.value);
    for await (const part of parts) await uploadPart(part);
    await s3().send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: completed } }));
  } catch (error) {
    await s3()
      .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
      .catch(() => {});
    throw error;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** Size of an object of the hot bucket, or null when there is none. */
export async function headObject(key: string): Promise<{ sizeBytes: number; contentType: string | null } | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().files, Key: key }));
    return { sizeBytes: Number(head.ContentLength ?? 0), contentType: head.ContentType ?? null };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
}

/** The first `lengthBytes` bytes of an object (a ranged GET), for sniffing its signature. */
export async function readObjectStart(key: string, lengthBytes: number): Promise<Buffer> {
  const object = await s3().send(
    new GetObjectCommand({ Bucket: bucketNames().files, Key: key, Range: `bytes=0-${lengthBytes - 1}` }),
  );
  const bytes = await object.Body!.transformToByteArray();
  return Buffer.from(bytes).subarray(0, lengthBytes);
}

/** SHA-256 and size of an object, streamed (never the whole object in memory). */
export async function hashObject(key: string): Promise<TStoredObject> {
  const object = await s3().send(new GetObjectCommand({ Bucket: bucketNames().files, Key: key }));
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of object.Body as Readable) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** Deletes an object (idempotent: deleting a missing object succeeds). */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** A filename as a Content-Disposition value: an ASCII fallback plus the exact UTF-8 name (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export interface TPresignedUrl {
  url: string;
  expiresAt: Date;
}

const expiry = (): Date => new Date(Date.now() + PRESIGN_TTL_SECONDS * 1000);

/** A short-lived URL that downloads an object of the hot bucket as an attachment named `filename`. */
export async function presignDownload(key: string, filename: string): Promise<TPresignedUrl> {
  const expiresAt = expiry();
  const command = new GetObjectCommand({
    Bucket: bucketNames().files,
    Key: key,
    ResponseContentDisposition: attachmentDisposition(filename),
  });
  return { url: await getSignedUrl(s3(), command, { expiresIn: PRESIGN_TTL_SECONDS }), expiresAt };
}

/** A short-lived URL to PUT one object of the hot bucket (the presigned upload flow). */
export async function presignUpload(key: string, contentType: string): Promise<TPresignedUrl> {
  const expiresAt = expiry();
  const command = new PutObjectCommand({ Bucket: bucketNames().files, Key: key, ContentType: contentType });
  return { url: await getSignedUrl(s3(), command, { expiresIn: PRESIGN_TTL_SECONDS }), expiresAt };
}
