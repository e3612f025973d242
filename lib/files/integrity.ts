import 'server-only';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files, type TStorageTier } from '@/db/schema/files';
import { recordAudit, SYSTEM_ACTOR, type TAuditOrigin } from '@/lib/audit';
import { hashObject, headObject, sameEtag } from '@/lib/storage';
import { logger } from '@/lib/telemetry';

/** What a file row says its hot object is. */
export interface TRecordedObject {
  id: string;
  tenantId: string;
  filename: string;
  storageKey: string;
  sizeBytes: number;
  etag: string | null;
  sha256: string | null;
  storageTier: TStorageTier;
}

/** Who read the object when it was found changed. */
export type TIntegrityReader = 'download' | 'archival';

type TFound = { sizeBytes: number; etag: string | null } | null;

export type TIntegrityCheck =
  | { ok: true }
  /** isMarked: false when the row no longer pointed at that object (archived or deleted meanwhile). */
  | { ok: false; reason: string; found: TFound; isMarked: boolean };

/** Runs a short transaction: the request's `inTenant`, or `withPlatform` for jobs. */
type TInTransaction = <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>;

/**
 * Compares the hot object with its row: it must exist with the recorded size and ETag. An ETag that differs
 * while the size matches is accepted only for a restored file whose bytes still hash to the recorded SHA-256
 * (a copy back from the archive may get a new ETag on S3, e.g. from a multipart original); the new ETag is
 * recorded then, as it is for rows stored before ETags were kept.
 */
async function inspectHotObject(file: TRecordedObject): Promise<{ ok: true; etagToRecord?: string } | { ok: false; reason: string; found: TFound }> {
  const head = await headObject(file.storageKey);
  if (!head) return { ok: false, reason: 'the stored object is missing', found: null };
  const found = { sizeBytes: head.sizeBytes, etag: head.etag };
  if (head.sizeBytes !== file.sizeBytes) {
    return { ok: false, reason: `the stored object has ${head.sizeBytes} bytes, the file ${file.sizeBytes}`, found };
  }
  if (!head.etag) return { ok: true };
  if (!file.etag) return { ok: true, etagToRecord: head.etag };
  if (sameEtag(head.etag, file.etag)) return { ok: true };
  if (file.storageTier === 'restored' && file.sha256) {
    const { sha256 } = await hashObject(file.storageKey, head.etag);
    if (sha256 === file.sha256) return { ok: true, etagToRecord: head.etag };
    return { ok: false, reason: `the stored object's SHA-256 ${sha256} differs from the file's ${file.sha256}`, found };
  }
  return { ok: false, reason: `the stored object's ETag ${head.etag} differs from ${file.etag} recorded when it was stored`, found };
}

/**
 * Checks a file's hot object before it is read (a download, an archive copy). On a mismatch the file is marked
 * `failed` with the reason and a `file.integrity_mismatch` security event is recorded, in one transaction, and
 * only if the row still points at that object as it did (a file archived or deleted meanwhile is left alone).
 */
export async function verifyHotObject(
  inTransaction: TInTransaction,
  file: TRecordedObject,
  reader: TIntegrityReader,
  origin: TAuditOrigin = {},
): Promise<TIntegrityCheck> {
  const check = await inspectHotObject(file);
  const isUnchanged = and(
    eq(files.id, file.id),
    eq(files.storageKey, file.storageKey),
    sql`${files.etag} is not distinct from ${file.etag}`,
    inArray(files.storageTier, ['hot', 'restored']),
    ne(files.status, 'uploading'),
  );
  if (check.ok) {
    const { etagToRecord } = check;
    if (etagToRecord) await inTransaction((tx) => tx.update(files).set({ etag: etagToRecord }).where(isUnchanged));
    return { ok: true };
  }
  const { reason, found } = check;
  const isMarked = await inTransaction(async (tx) => {
    const failed = await tx
      .update(files)
      .set({ status: 'failed', failureReason: `Integrity check failed: ${reason}`, updatedAt: sql`now()` })
      .where(isUnchanged)
      .returning({ id: files.id });
    if (failed.length === 0) return false;
    await recordAudit(tx, {
      tenantId: file.tenantId,
      type: 'security_event',
      action: 'file.integrity_mismatch',
      outcome: 'failure',
      actor: SYSTEM_ACTOR('File integrity check'),
      target: { type: 'file', id: file.id, name: file.filename },
      metadata: { reader, reason, recorded: { sizeBytes: file.sizeBytes, etag: file.etag }, found },
      ...origin,
    });
    return true;
  });
  if (isMarked) logger.warn({ fileId: file.id, tenantId: file.tenantId, reader, reason }, 'a stored object no longer matches its file: marked failed');
  return { ok: false, reason, found, isMarked };
}
