import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const AUDIT_EVENT_TYPES = [
  'login',
  'login_failed',
  'logout',
  'file_upload',
  'file_download',
  'file_delete',
  'data_access',
  'data_modify',
  'data_delete',
  'config_change',
  'security_event',
  'api_call',
  'workflow_execution',
  'error',
] as const;
export type TAuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type TAuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];
export type TAuditOutcome = 'success' | 'failure';

/** The chain of events with no tenant (operators on the apex, platform jobs) is keyed by this id. */
export const PLATFORM_CHAIN_KEY = '00000000-0000-0000-0000-000000000000';

/**
 * The audit log: append-only, one hash chain per tenant (and one for the platform, tenant_id null). seq,
 * prev_hash and hash are set by the BEFORE INSERT trigger (migration 0015) under a lock on the chain's head, so
 * concurrent writers of one tenant serialise; hash = sha256(prev_hash || canonical JSON of the row). Another
 * trigger refuses UPDATE and DELETE except inside sitework_audit_purge() (the retention purge). tenant_id has no
 * foreign key on purpose: the history outlives anything it describes.
 */
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id'),
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    eventType: text('event_type').$type<TAuditEventType>().notNull(),
    /** What happened, e.g. member.role_change or "PATCH /api/v1/members/{id}". */
    action: text('action').notNull(),
    outcome: text('outcome').$type<TAuditOutcome>().notNull(),
    actorType: text('actor_type').$type<TAuditActorType>().notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    targetName: text('target_name'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [
    uniqueIndex('audit_logs_chain_seq_key').on(sql`coalesce(${t.tenantId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.seq),
    index('audit_logs_tenant_seq_idx').on(t.tenantId, t.seq.desc()),
    index('audit_logs_tenant_action_idx').on(t.tenantId, t.action, t.seq.desc()),
    index('audit_logs_tenant_type_idx').on(t.tenantId, t.eventType, t.seq.desc()),
    index('audit_logs_tenant_actor_idx').on(t.tenantId, t.actorId, t.seq.desc()),
    index('audit_logs_tenant_target_idx').on(t.tenantId, t.targetType, t.targetId, t.seq.desc()),
    index('audit_logs_tenant_occurred_idx').on(t.tenantId, t.occurredAt),
    check('audit_logs_event_type_check', sql`${t.eventType} in ('login', 'login_failed', 'logout', 'file_upload', 'file_download', 'file_delete', 'data_access', 'data_modify', 'data_delete', 'config_change', 'security_event', 'api_call', 'workflow_execution', 'error')`),
    check('audit_logs_outcome_check', sql`${t.outcome} in ('success', 'failure')`),
    check('audit_logs_actor_type_check', sql`${t.actorType} in ('user', 'api_key', 'system')`),
  ],
);

/**
 * The head of each chain: the last sequence number and hash, and what the retention purge removed (the last
 * purged row's hash is where verification of the remaining rows starts). Written only by the audit triggers and
 * the purge function.
 */
export const auditChainHeads = pgTable('audit_chain_heads', {
  chainKey: uuid('chain_key').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  lastHash: text('last_hash').notNull().default(sql`repeat('0', 64)`),
  purgedThroughSeq: bigint('purged_through_seq', { mode: 'number' }).notNull().default(0),
  purgedLastHash: text('purged_last_hash').notNull().default(sql`repeat('0', 64)`),
});
