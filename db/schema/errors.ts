import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy';

export const ERROR_GROUP_STATUSES = ['unresolved', 'resolved', 'ignored'] as const;
export type TErrorGroupStatus = (typeof ERROR_GROUP_STATUSES)[number];
export const ERROR_SOURCES = ['server', 'action', 'render', 'job', 'client'] as const;
export type TErrorSource = (typeof ERROR_SOURCES)[number];

/** Errors with no known tenant (the platform's) are keyed by this id in the group's unique index. */
export const PLATFORM_ERRORS_KEY = '00000000-0000-0000-0000-000000000000';

/**
 * One row per distinct error (a fingerprint) of a tenant, or of the platform when tenant_id is null: errors no
 * tenant can be blamed for (apex pages, platform jobs, browser reports from the apex). Counters are maintained
 * by the capture flush from the events it inserts (lib/errors/store.ts). A resolved group that occurs again
 * becomes unresolved with is_regression set.
 */
export const errorGroups = pgTable(
  'error_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    /** sha256 hex of type, parameterised message and in-app frames (lib/errors/fingerprint.ts). */
    fingerprint: text('fingerprint').notNull(),
    title: text('title').notNull(),
    /** The top in-app frame, `function (file)`; null when the stack has none. */
    culprit: text('culprit'),
    errorType: text('error_type').notNull(),
    status: text('status').$type<TErrorGroupStatus>().notNull().default('unresolved'),
    isRegression: boolean('is_regression').notNull().default(false),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull(),
    lastSeen: timestamp('last_seen', { withTimezone: true }).notNull(),
    eventCount: bigint('event_count', { mode: 'number' }).notNull().default(0),
    /** Distinct users or API keys that met this error (events without one do not count). */
    usersAffected: integer('users_affected').notNull().default(0),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('error_groups_fingerprint_key').on(sql`coalesce(${t.tenantId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.fingerprint),
    index('error_groups_tenant_last_seen_idx').on(t.tenantId, t.lastSeen.desc()),
    check('error_groups_status_check', sql`${t.status} in ('unresolved', 'resolved', 'ignored')`),
  ],
);

/**
 * One row per captured error. id is given at capture, so a flush retried after an unknown outcome inserts
 * (and counts) an event once. user_key: the user id or API key id of the caller, when known.
 */
export const errorEvents = pgTable(
  'error_events',
  {
    id: uuid('id').primaryKey(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => errorGroups.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    source: text('source').$type<TErrorSource>().notNull(),
    /** Route template (/api/v1/files/{id}), page path, action or job name. */
    route: text('route'),
    method: text('method'),
    status: integer('status'),
    errorType: text('error_type').notNull(),
    message: text('message').notNull(),
    stack: text('stack'),
    requestId: text('request_id'),
    traceId: text('trace_id'),
    release: text('release'),
    userAgent: text('user_agent'),
    userKey: text('user_key'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('error_events_tenant_occurred_idx').on(t.tenantId, t.occurredAt.desc()),
    index('error_events_group_occurred_idx').on(t.groupId, t.occurredAt.desc()),
    // The flush asks whether a user already met a group, to count users_affected once per user.
    index('error_events_group_user_idx').on(t.groupId, t.userKey).where(sql`${t.userKey} is not null`),
    check('error_events_source_check', sql`${t.source} in ('server', 'action', 'render', 'job', 'client')`),
  ],
);

/** Events per group and UTC hour, bumped by the flush from the events it inserted; trends and spikes read it. */
export const errorHourly = pgTable(
  'error_hourly',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => errorGroups.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'error_hourly_pkey', columns: [t.groupId, t.hourStart] }),
    index('error_hourly_tenant_hour_idx').on(t.tenantId, t.hourStart),
  ],
);
