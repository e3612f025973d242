import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { ownerDb } from '@/db/client';
import { archivalPolicies, archivalRuns, files, type TFileStatus } from '@/db/schema/files';
import { bucketNames, s3 } from '@/lib/storage';

/**
 * Archival fixtures straight in PostgreSQL and S3 (no upload code involved): a hot object and its files row,
 * aged by moving created_at into the past.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface TAgedFile {
  id: string;
  tenantId: string;
  filename: string;
  storageKey: string;
  sha256: string;
  sizeBytes: number;
  bytes: Buffer;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export async function createAgedFile(
  tenantId: string,
  options: { ageDays: number; status?: TFileStatus; isTemporary?: boolean; sizeBytes?: number; withSha256?: boolean; bytes?: Buffer },
): Promise<TAgedFile> {
  const id = randomUUID();
  const filename = `drawing-${id.slice(0, 8)}.pdf`;
  const bytes = options.bytes ?? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(Math.max(0, (options.sizeBytes ?? 4096) - 9))]);
  const storageKey = `tenants/${tenantId}/files/${id}/${filename}`;
  await s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: storageKey, Body: bytes, ContentType: 'application/pdf' }));
  const sha256 = sha256Of(bytes);
  const createdAt = new Date(Date.now() - options.ageDays * DAY_MS);
  await ownerDb()
    .insert(files)
    .values({
      id,
      tenantId,
      filename,
      extension: 'pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      sha256: options.withSha256 === false ? null : sha256,
      storageKey,
      status: options.status ?? 'completed',
      isTemporary: options.isTemporary ?? false,
      createdAt,
      updatedAt: createdAt,
    });
  return { id, tenantId, filename, storageKey, sha256, sizeBytes: bytes.length, bytes };
}

export async function fileRecord(fileId: string) {
  const [row] = await ownerDb().select().from(files).where(eq(files.id, fileId));
  return row ?? null;
}

export async function runRecord(runId: string) {
  const [row] = await ownerDb().select().from(archivalRuns).where(eq(archivalRuns.id, runId));
  return row ?? null;
}

export async function setPolicy(id: string, values: { isEnabled?: boolean; minAgeDays?: number }): Promise<void> {
  await ownerDb().update(archivalPolicies).set(values).where(eq(archivalPolicies.id, id));
}

export async function objectHead(bucket: string, key: string): Promise<{ sizeBytes: number; storageClass: string | null } | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { sizeBytes: Number(head.ContentLength), storageClass: head.StorageClass ?? null };
  } catch {
    return null;
  }
}

export async function objectSha256(bucket: string, key: string): Promise<string> {
  const { Body } = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const uniqueLabel = (): string => randomBytes(4).toString('hex');
