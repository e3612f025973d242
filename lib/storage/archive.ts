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
  RestoreObjectCommand,
  UploadPartCopyCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { config } from '@/lib/config';
import { bucketNames, s3 } from './client';

/** Storage classes an archival policy may choose. */
export const ARCHIVE_STORAGE_CLASSES = ['STANDARD_IA', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'] as const;
export type TArchiveStorageClass = (typeof ARCHIVE_STORAGE_CLASSES)[number];

/** glacier: RestoreObject and wait; copy: the archive copy is readable at once (no Glacier tiers). */
export type TRestoreMode = 'glacier' | 'copy';

/** CopyObject refuses sources over 5 GiB; above that the copy is multipart (UploadPartCopy). */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const COPY_PART_BYTES = 512 * 1024 ** 2;
const MAX_PARTS = 10_000;

export function archiveRestoreMode(): TRestoreMode {
  const { S3_ARCHIVE_RESTORE_MODE, S3_ENDPOINT } = config();
  if (S3_ARCHIVE_RESTORE_MODE !== 'auto') return S3_ARCHIVE_RESTORE_MODE;
  return S3_ENDPOINT ? 'copy' : 'glacier';
}

/**
 * Where a file's archived copy lives in the archive bucket. The filename is reduced to letters, digits, dot,
 * dash and underscore, like hot keys, so keys need no escaping on any S3 implementation.
 */
export function archiveKeyFor(tenantId: string, fileId: string, filename: string): string {
  const safe = (filename.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'file').slice(0, 200);
  return `archive/${tenantId}/${fileId}/${safe}`;
}

// CopySource is bucket/key with the key URL-encoded (slashes kept).
const copySourceOf = (bucket: string, key: string) => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Part size of a multipart copy (also what a composite checksum of the copy is made of). */
const copyPartBytes = (sizeBytes: number) => Math.max(COPY_PART_BYTES, Math.ceil(sizeBytes / MAX_PARTS));

interface TCopyInput {
  fromBucket: string;
  fromKey: string;
  toBucket: string;
  toKey: string;
  sizeBytes: number;
  storageClass?: StorageClass;
}

/** Server-side copy (no bytes through this process); multipart above 5 GiB. */
async function copyObject(input: TCopyInput): Promise<void> {
  const { fromBucket, fromKey, toBucket, toKey, sizeBytes, storageClass } = input;
  const CopySource = copySourceOf(fromBucket, fromKey);
  // Only ask for S3's own checksum where it is the one way to verify (Glacier objects cannot be read back).
  const ChecksumAlgorithm = archiveRestoreMode() === 'glacier' ? 'SHA256' : undefined;
  if (sizeBytes <= MAX_SINGLE_COPY_BYTES) {
    await s3().send(new CopyObjectCommand({ Bucket: toBucket, Key: toKey, CopySource, StorageClass: storageClass, ChecksumAlgorithm }));
    return;
  }
  const partBytes = copyPartBytes(sizeBytes);
  const { UploadId } = await s3().send(
    new CreateMultipartUploadCommand({ Bucket: toBucket, Key: toKey, StorageClass: storageClass, ChecksumAlgorithm }),
  );
  try {
    const parts: { ETag?: string; PartNumber: number; ChecksumSHA256?: string }[] = [];
    for (let start = 0, PartNumber = 1; start < sizeBytes; start += partBytes, PartNumber += 1) {
      const end = Math.min(start + partBytes, sizeBytes) - 1;
      const { CopyPartResult } = await s3().send(
        new UploadPartCopyCommand({ Bucket: toBucket, Key: toKey, UploadId, PartNumber, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
      );
      parts.push({ ETag: CopyPartResult?.ETag, PartNumber, ChecksumSHA256: CopyPartResult?.ChecksumSHA256 });
    }
    await s3().send(new CompleteMultipartUploadCommand({ Bucket: toBucket, Key: toKey, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await s3()
      .send(new AbortMultipartUploadCommand({ Bucket: toBucket, Key: toKey, UploadId }))
      .catch(() => {});
    throw error;
  }
}

/** Copies a hot object into the archive bucket with the policy's storage class. */
export async function copyHotObjectToArchive(input: {
  hotKey: string;
  archiveKey: string;
  sizeBytes: number;
  storageClass: TArchiveStorageClass;
}): Promise<void> {
  const { files, archive } = bucketNames();
  await copyObject({
    fromBucket: files,
    fromKey: input.hotKey,
    toBucket: archive,
    toKey: input.archiveKey,
    sizeBytes: input.sizeBytes,
    storageClass: input.storageClass,
  });
}

/** Copies an archived (or Glacier-restored) object back to its hot key, in the hot bucket's default class. */
export async function copyArchivedObjectToHot(input: { archiveKey: string; hotKey: string; sizeBytes: number }): Promise<void> {
  const { files, archive } = bucketNames();
  await copyObject({ fromBucket: archive, fromKey: input.archiveKey, toBucket: files, toKey: input.hotKey, sizeBytes: input.sizeBytes });
}

export interface TArchivedObjectHead {
  sizeBytes: number;
  storageClass: string | null;
  /** The raw x-amz-restore header (Glacier restores), if any. */
  restore: string | null;
  /** S3's own SHA-256 of the object (base64) when it computed one. */
  checksumSha256Base64: string | null;
}

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** HeadObject on the archive bucket; null when the object does not exist. */
export async function headArchivedObject(archiveKey: string): Promise<TArchivedObjectHead | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().archive, Key: archiveKey, ChecksumMode: 'ENABLED' }));
    return {
      sizeBytes: Number(head.ContentLength ?? 0),
      storageClass: head.StorageClass ?? null,
      restore: head.Restore ?? null,
      checksumSha256Base64: head.ChecksumSHA256 ?? null,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function sha256OfObject(bucket: string, key: string): Promise<string> {
  const { Body } = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  // Streamed chunk by chunk: memory stays flat whatever the object's size.
  for await (const chunk of Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads a hot object once, as streamed ranges of the multipart copy's part size, and returns its SHA-256
 * (hex) and what S3 reports as the SHA-256 of a multipart copy of it: base64 of the SHA-256 of the parts'
 * SHA-256 digests, then "-{parts}".
 */
export async function compositeSha256OfHotObject(hotKey: string, sizeBytes: number): Promise<{ sha256: string; composite: string }> {
  const partBytes = copyPartBytes(sizeBytes);
  const whole = createHash('sha256');
  const digests: Buffer[] = [];
  for (let start = 0; start < sizeBytes; start += partBytes) {
    const end = Math.min(start + partBytes, sizeBytes) - 1;
    const { Body } = await s3().send(new GetObjectCommand({ Bucket: bucketNames().files, Key: hotKey, Range: `bytes=${start}-${end}` }));
    const part = createHash('sha256');
    for await (const chunk of Body as Readable) {
      part.update(chunk as Buffer);
      whole.update(chunk as Buffer);
    }
    digests.push(part.digest());
  }
  return {
    sha256: whole.digest('hex'),
    composite: `${createHash('sha256').update(Buffer.concat(digests)).digest('base64')}-${digests.length}`,
  };
}

/** Streamed SHA-256 (hex) of an object in the archive bucket. */
export const sha256OfArchivedObject = (archiveKey: string): Promise<string> => sha256OfObject(bucketNames().archive, archiveKey);

/** Streamed SHA-256 (hex) of an object in the hot bucket. */
export const sha256OfHotObject = (hotKey: string): Promise<string> => sha256OfObject(bucketNames().files, hotKey);

/** Deletes a hot object after its archive copy is verified and recorded (deleting a missing key succeeds). */
export async function deleteHotObject(hotKey: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucketNames().files, Key: hotKey }));
}

/** Deletes an archived object (file deletion, or a copy that failed verification). */
export async function deleteArchivedObject(archiveKey: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucketNames().archive, Key: archiveKey }));
}

/** Asks S3 to bring a Glacier object back for `days` days (Standard tier); a restore in progress is not an error. */
export async function requestGlacierRestore(archiveKey: string, days: number): Promise<void> {
  try {
    await s3().send(
      new RestoreObjectCommand({
        Bucket: bucketNames().archive,
        Key: archiveKey,
        RestoreRequest: { Days: days, GlacierJobParameters: { Tier: 'Standard' } },
      }),
    );
  } catch (error) {
    if ((error as { name?: string })?.name === 'RestoreAlreadyInProgress') return;
    throw error;
  }
}

export interface TRestoreHeader {
  isOngoing: boolean;
  /** When the temporary restored copy expires (absent while ongoing). */
  expiresAt: Date | null;
}

/**
 * Reads S3's x-amz-restore header: `ongoing-request="true"` while Glacier works, then
 * `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`. Null when there is no restore.
 */
export function parseRestoreHeader(header: string | null | undefined): TRestoreHeader | null {
  if (!header) return null;
  const ongoing = /ongoing-request\s*=\s*"(true|false)"/i.exec(header);
  if (!ongoing) return null;
  const expiry = /expiry-date\s*=\s*"([^"]+)"/i.exec(header);
  const expiresAt = expiry ? new Date(expiry[1]) : null;
  return {
    isOngoing: ongoing[1].toLowerCase() === 'true',
    expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null,
  };
}

/** Base64 of a hex digest, to compare our SHA-256 with the one S3 reports. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
