import 'server-only';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { TArchiveStorageClass } from './archive';
import { config } from '@/lib/config';
import { bucketNames, presigner, s3 } from './client';

/**
 * Parts of a multipart upload. S3 needs ≥ 5 MiB for every part but the last; 8 MiB keeps one part in memory
 * at a time, so a 2 GiB upload stays at a few parts' worth of RSS (10,000 parts → files up to 80 GiB).
 */
export const PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Presigned download URLs are short-lived: long enough to start a transfer, too short to be worth leaking. */
export const PRESIGN_TTL_SECONDS = 5 * 60;
/** S3 takes at most this much in one PUT (and one CopyObject): a presigned upload is a single PUT. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface TStoredObject {
  sizeBytes: number;
  sha256: string;
}

/** ETags as S3 and compatible endpoints send them vary in quoting; compared without the quotes. */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  const bare = (etag: string | null | undefined) => etag?.replace(/^W\//, '').replace(/"/g, '') ?? '';
  return bare(a) !== '' && bare(a) === bare(b);
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
): Promise<TStoredObject & { etag: string | null }> {
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
    const { ETag } = await s3().send(new PutObjectCommand({ Bucket, Key: key, Body: firstPart, ContentType: contentType, StorageClass }));
    return { sizeBytes, sha256: hash.digest('hex'), etag: ETag ?? null };
  }

  const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType, StorageClass }));
  const completed: { ETag: string | undefined; PartNumber: number }[] = [];
  let etag: string | null = null;
  try {
    const uploadPart = async (Body: Buffer) => {
      const PartNumber = completed.length + 1;
      const { ETag } = await s3().send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, Body }));
      completed.push({ ETag, PartNumber });
    };
    await uploadPart(firstPart);
    await uploadPart(second.value);
    for await (const part of parts) await uploadPart(part);
    const done = await s3().send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: completed } }));
    etag = done.ETag ?? null;
  } catch (error) {
    await s3()
      .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
      .catch(() => {});
    throw error;
  }
  return { sizeBytes, sha256: hash.digest('hex'), etag };
}

export interface TObjectHead {
  sizeBytes: number;
  etag: string | null;
  contentType: string | null;
}

/** Size and ETag of an object of the hot bucket, or null when there is none. */
export async function headObject(key: string): Promise<TObjectHead | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().files, Key: key }));
    return { sizeBytes: Number(head.ContentLength ?? 0), etag: head.ETag ?? null, contentType: head.ContentType ?? null };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
}

/**
 * The first `lengthBytes` bytes of an object (a ranged GET), for sniffing its signature. With `etag`, S3 answers
 * only while the object is still that version (412 otherwise).
 */
export async function readObjectStart(key: string, lengthBytes: number, etag?: string | null): Promise<Buffer> {
  const object = await s3().send(
    new GetObjectCommand({ Bucket: bucketNames().files, Key: key, Range: `bytes=0-${lengthBytes - 1}`, IfMatch: etag ?? undefined }),
  );
  const bytes = await object.Body!.transformToByteArray();
  return Buffer.from(bytes).subarray(0, lengthBytes);
}

/** SHA-256 and size of an object, streamed (never the whole object in memory); `etag` as for readObjectStart. */
export async function hashObject(key: string, etag?: string | null): Promise<TStoredObject> {
  const object = await s3().send(new GetObjectCommand({ Bucket: bucketNames().files, Key: key, IfMatch: etag ?? undefined }));
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

/** A short-lived URL that downloads an object of the hot bucket as an attachment named `filename`. */
export async function presignDownload(key: string, filename: string): Promise<TPresignedUrl> {
  const expiresAt = new Date(Date.now() + PRESIGN_TTL_SECONDS * 1000);
  const command = new GetObjectCommand({
    Bucket: bucketNames().files,
    Key: key,
    ResponseContentDisposition: attachmentDisposition(filename),
  });
  return { url: await getSignedUrl(presigner(), command, { expiresIn: PRESIGN_TTL_SECONDS }), expiresAt };
}

export interface TPresignedUpload extends TPresignedUrl {
  /** Headers the PUT must carry exactly as given: they are part of the signature. */
  headers: Record<string, string>;
}

/**
 * A short-lived URL to PUT one object of the hot bucket, bound to its length and, when the client declared it,
 * its SHA-256: both are signed headers (the checksum kept out of the query string, where S3 would not check it),
 * so S3 refuses a PUT of another length with 403 and other bytes with 400. Endpoints that do not verify
 * signatures or checksums (the embedded s3rver) accept anything: completion checks size and bytes again.
 */
export async function presignUpload(key: string, object: { sizeBytes: number; sha256?: string | null }): Promise<TPresignedUpload> {
  const ttlSeconds = config().S3_UPLOAD_URL_TTL_SECONDS;
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const checksum = object.sha256 ? Buffer.from(object.sha256, 'hex').toString('base64') : undefined;
  const command = new PutObjectCommand({ Bucket: bucketNames().files, Key: key, ContentLength: object.sizeBytes, ChecksumSHA256: checksum });
  const url = await getSignedUrl(presigner(), command, {
    expiresIn: ttlSeconds,
    signableHeaders: new Set(['content-length']),
    unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  });
  const headers: Record<string, string> = { 'content-length': String(object.sizeBytes) };
  if (checksum) headers['x-amz-checksum-sha256'] = checksum;
  return { url, expiresAt, headers };
}

/**
 * Copies an object of the hot bucket to another key, only while the source is still the version `sourceEtag`
 * (412 otherwise), with our own content type. Returns the copy's ETag.
 */
export async function copyHotObject(input: { fromKey: string; toKey: string; sourceEtag: string | null; contentType: string }): Promise<string | null> {
  const Bucket = bucketNames().files;
  const { CopyObjectResult } = await s3().send(
    new CopyObjectCommand({
      Bucket,
      Key: input.toKey,
      CopySource: `${Bucket}/${input.fromKey.split('/').map(encodeURIComponent).join('/')}`,
      CopySourceIfMatch: input.sourceEtag ?? undefined,
      MetadataDirective: 'REPLACE',
      ContentType: input.contentType,
    }),
  );
  return CopyObjectResult?.ETag ?? null;
}
