import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { tenants } from './tenancy';

export const FILE_STATUSES = ['uploading', 'uploaded', 'processing', 'completed', 'failed'] as const;
export type TFileStatus = (typeof FILE_STATUSES)[number];

/** Where a file's bytes are: the hot bucket, the archive (cold), being restored, or restored for a while. */
export const STORAGE_TIERS = ['hot', 'archived', 'restoring', 'restored'] as const;
export type TStorageTier = (typeof STORAGE_TIERS)[number];

/** The last archival step done for a file, so a crashed run is finished by the next one. */
export const ARCHIVAL_STEPS = ['copied', 'verified', 'marked'] as const;
export type TArchivalStep = (typeof ARCHIVAL_STEPS)[number];

export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    project: text('project'),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    filename: text('filename').notNull(),
    extension: text('extension').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256'),
    storageKey: text('storage_key').notNull(),
    /**
     * The S3 ETag of the hot object as recorded when it was stored (null: stored before ETags were kept). Every
     * read for a download or an archive copy compares it, with the size, against what S3 holds.
     */
    etag: text('etag'),
    status: text('status').$type<TFileStatus>().notNull().default('uploaded'),
    /** Why the server failed the file (its stored object no longer matched the upload); null otherwise. */
    failureReason: text('failure_reason'),
    isTemporary: boolean('is_temporary').notNull().default(false),
    storageTier: text('storage_tier').$type<TStorageTier>().notNull().default('hot'),
    archiveKey: text('archive_key'),
    archiveStorageClass: text('archive_storage_class'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    archivalStep: text('archival_step').$type<TArchivalStep>(),
    archivalRunId: uuid('archival_run_id'),
    restoreRequestedAt: timestamp('restore_requested_at', { withTimezone: true }),
    restoreReadyAt: timestamp('restore_ready_at', { withTimezone: true }),
    restoreExpiresAt: timestamp('restore_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('files_tenant_status_idx').on(t.tenantId, t.status),
    index('files_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    // Archival candidates: hot files by age, without scanning archived ones.
    index('files_hot_created_idx').on(t.createdAt).where(sql`storage_tier = 'hot'`),
    check('files_status_check', sql`${t.status} in ('uploading', 'uploaded', 'processing', 'completed', 'failed')`),
    check('files_storage_tier_check', sql`${t.storageTier} in ('hot', 'archived', 'restoring', 'restored')`),
    check('files_size_check', sql`${t.sizeBytes} >= 0`),
  ],
);

/** Archive policies (platform-wide, edited by operators): which files move to which storage class when. */
export const archivalPolicies = pgTable('archival_policies', {
  id: text('id').primaryKey(),
  description: text('description').notNull(),
  /** completed | failed | temporary | audit_export */
  appliesTo: text('applies_to').notNull(),
  minAgeDays: integer('min_age_days').notNull(),
  storageClass: text('storage_class').notNull(),
  isEnabled: boolean('is_enabled').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const archivalRuns = pgTable(
  'archival_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trigger: text('trigger').notNull(),
    status: text('status').notNull().default('running'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    filesConsidered: integer('files_considered').notNull().default(0),
    filesArchived: integer('files_archived').notNull().default(0),
    filesFailed: integer('files_failed').notNull().default(0),
    bytesArchived: bigint('bytes_archived', { mode: 'number' }).notNull().default(0),
    error: text('error'),
  },
  (t) => [index('archival_runs_started_idx').on(t.startedAt.desc())],
);

/**
 * Objects to delete, written in the same transaction that removes (or moves) what pointed at them and
 * deleted after commit: a crash leaves a pending row for the next sweep, never a row pointing at nothing.
 */
export const storageDeletions = pgTable(
  'storage_deletions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id'),
    bucket: text('bucket').notNull(),
    objectKey: text('object_key').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Not deleted before this time. An upload reserves its key's cleanup a day ahead before streaming and
     * cancels it once its row commits: a crash in between leaves the object to this sweep, never forever.
     */
    notBefore: timestamp('not_before', { withTimezone: true }).notNull().defaultNow(),
    /** A sweep is deleting the object until then; after that (the sweep died) another sweep may. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [index('storage_deletions_pending_idx').on(t.createdAt).where(sql`deleted_at IS NULL`)],
);
