import 'server-only';
import { and, eq, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { containsPattern } from '@/db/like';
import { files, type TFileStatus, type TStorageTier } from '@/db/schema/files';
import { tenantSettings, tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { formatBytes } from './validation';

/** A file as callers see it (no storage keys, no archival bookkeeping). */
export interface TFile {
  id: string;
  filename: string;
  extension: string;
  contentType: string;
  sizeBytes: number;
  sha256: string | null;
  status: TFileStatus;
  /** Why the server failed the file (its stored object no longer matched the upload); null otherwise. */
  failureReason: string | null;
  project: string | null;
  isTemporary: boolean;
  storageTier: TStorageTier;
  archivedAt: Date | null;
  restoreReadyAt: Date | null;
  restoreExpiresAt: Date | null;
  uploadedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const fileColumns = {
  id: files.id,
  filename: files.filename,
  extension: files.extension,
  contentType: files.contentType,
  sizeBytes: files.sizeBytes,
  sha256: files.sha256,
  status: files.status,
  failureReason: files.failureReason,
  project: files.project,
  isTemporary: files.isTemporary,
  storageTier: files.storageTier,
  archivedAt: files.archivedAt,
  restoreReadyAt: files.restoreReadyAt,
  restoreExpiresAt: files.restoreExpiresAt,
  uploadedBy: files.uploadedBy,
  createdAt: files.createdAt,
  updatedAt: files.updatedAt,
};

export const notFound = () => new AppError('not_found', 'File not found');

export interface TUploadLimits {
  maxFileSizeBytes: number;
  allowedFileTypes: string[];
  storageQuotaBytes: number;
}

/** The current tenant's upload limits (settings and plan quota). */
export async function loadUploadLimits(tx: TTx): Promise<TUploadLimits> {
  const [row] = await tx
    .select({
      maxFileSizeBytes: tenantSettings.maxFileSizeBytes,
      allowedFileTypes: tenantSettings.allowedFileTypes,
      storageQuotaBytes: tenants.storageQuotaBytes,
    })
    .from(tenants)
    .innerJoin(tenantSettings, eq(tenantSettings.tenantId, tenants.id))
    .where(sql`${tenants.id} = current_setting('app.tenant_id')::uuid`);
  if (!row) throw new AppError('not_found', 'Organisation not found');
  return row;
}

export interface TStorageUsage {
  /** Bytes in the hot bucket, including uploads in progress (their declared size is reserved). */
  hotBytes: number;
  /** Bytes in cold storage (archived, or being restored). */
  archivedBytes: number;
  totalBytes: number;
  quotaBytes: number;
}

/**
 * Stored bytes of the current tenant. A file counts once, by its tier: hot and restored files as hot,
 * archived and restoring files as archived (a restored file's archive copy is not counted twice).
 */
export async function getStorageUsage(tx: TTx): Promise<TStorageUsage> {
  const [usage] = await tx
    .select({
      hotBytes: sql<string>`coalesce(sum(${files.sizeBytes}) filter (where ${files.storageTier} in ('hot', 'restored')), 0)`,
      archivedBytes: sql<string>`coalesce(sum(${files.sizeBytes}) filter (where ${files.storageTier} in ('archived', 'restoring')), 0)`,
    })
    .from(files);
  const { storageQuotaBytes } = await loadUploadLimits(tx);
  const hotBytes = Number(usage.hotBytes);
  const archivedBytes = Number(usage.archivedBytes);
  return { hotBytes, archivedBytes, totalBytes: hotBytes + archivedBytes, quotaBytes: storageQuotaBytes };
}

/**
 * Serialises the quota decisions of one tenant until the transaction ends, so two uploads cannot both take
 * the last free bytes.
 */
export async function lockTenantQuota(tx: TTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(current_setting('app.tenant_id')))`);
}

/** 429 when `neededBytes` more would exceed the quota. */
export function assertQuota(usage: TStorageUsage, neededBytes: number): void {
  if (usage.totalBytes + neededBytes <= usage.quotaBytes) return;
  const overBytes = usage.totalBytes + neededBytes - usage.quotaBytes;
  throw new AppError(
    'quota_exceeded',
    `Storage quota exceeded: this file needs ${formatBytes(neededBytes)}, ${formatBytes(usage.totalBytes)} of ` +
      `${formatBytes(usage.quotaBytes)} is used (${formatBytes(overBytes)} over). Delete files or upgrade the plan.`,
    { usedBytes: usage.totalBytes, quotaBytes: usage.quotaBytes, neededBytes },
  );
}

export interface TListFilesQuery {
  limit: number;
  cursor?: { createdAt: Date; id: string };
  status?: TFileStatus;
  type?: string;
  isArchived?: boolean;
  q?: string;
}


/** Newest first, keyset-paginated on (created_at, id); one row more than asked tells there is a next page. */
export async function selectFiles(tx: TTx, query: TListFilesQuery): Promise<TFile[]> {
  const where: SQL[] = [];
  if (query.status) where.push(eq(files.status, query.status));
  if (query.type) where.push(eq(files.extension, query.type));
  if (query.isArchived !== undefined) {
    const cold = inArray(files.storageTier, ['archived', 'restoring']);
    where.push(query.isArchived ? cold : sql`not ${cold}`);
  }
  if (query.q) where.push(ilike(files.filename, containsPattern(query.q)));
  if (query.cursor) {
    const { createdAt, id } = query.cursor;
    where.push(or(lt(files.createdAt, createdAt), and(eq(files.createdAt, createdAt), lt(files.id, id)))!);
  }
  return tx
    .select(fileColumns)
    .from(files)
    .where(and(...where))
    // NULLS LAST like files_tenant_created_idx, or PostgreSQL sorts every row instead of walking the index.
    .orderBy(sql`${files.createdAt} desc nulls last`, sql`${files.id} desc nulls last`)
    .limit(query.limit + 1);
}

export async function selectFile(tx: TTx, fileId: string, options: { forUpdate?: boolean } = {}) {
  const base = tx
    .select({ ...fileColumns, tenantId: files.tenantId, storageKey: files.storageKey, etag: files.etag, archiveKey: files.archiveKey })
    .from(files)
    .where(eq(files.id, fileId));
  const [row] = options.forUpdate ? await base.for('update') : await base;
  return row ?? null;
}
