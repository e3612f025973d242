import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy';

/**
 * Who chose an event's id: the server (API calls, and ids derived from a file or a day, which anyone can compute)
 * or a script reporting its own usage. Part of the key, so a reported id never collides with a server's.
 */
export const USAGE_EVENT_SOURCES = ['server', 'client'] as const;
export type TUsageEventSource = (typeof USAGE_EVENT_SOURCES)[number];

export const USAGE_EVENT_TYPES = ['api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate'] as const;
export type TUsageEventType = (typeof USAGE_EVENT_TYPES)[number];

const eventTypeCheck = (column: unknown) =>
  sql`${column} in ('api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate')`;

/**
 * Raw usage events, one row per event id. The key is (tenant_id, source, id): an id reported by one tenant can
 * never make another tenant's event look like a duplicate, nor an id a script reports a server event. quantity: 1 per call or processed file, bytes for
 * uploads and storage snapshots. Rows older than USAGE_RAW_RETENTION_DAYS are pruned nightly (lib/usage/retention.ts); the rollups keep the totals.
 */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    source: text('source').$type<TUsageEventSource>().notNull().default('server'),
    eventType: text('event_type').$type<TUsageEventType>().notNull(),
    quantity: bigint('quantity', { mode: 'number' }).notNull(),
    /** api_call only: the route template (e.g. /api/v1/files/{id}), method and response status. */
    route: text('route'),
    method: text('method'),
    status: integer('status'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'usage_events_pkey', columns: [t.tenantId, t.source, t.id] }),
    index('usage_events_tenant_occurred_idx').on(t.tenantId, t.occurredAt.desc()),
    check('usage_events_type_check', eventTypeCheck(t.eventType)),
    check('usage_events_source_check', sql`${t.source} in ('server', 'client')`),
    check('usage_events_quantity_check', sql`${t.quantity} >= 0`),
  ],
);

/**
 * Rollups, maintained incrementally from the rows a batch actually inserted (duplicates add nothing).
 * route: 'METHOD /path' for api_call, '' otherwise. quantity_sum is a sum for counters; for storage_bytes (a
 * gauge) it is the largest snapshot of the bucket, so re-reporting or reordering snapshots never inflates it.
 */
export const usageHourly = pgTable(
  'usage_hourly',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
    eventType: text('event_type').$type<TUsageEventType>().notNull(),
    route: text('route').notNull().default(''),
    count: bigint('count', { mode: 'number' }).notNull(),
    quantitySum: bigint('quantity_sum', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'usage_hourly_pkey', columns: [t.tenantId, t.hourStart, t.eventType, t.route] }),
    check('usage_hourly_type_check', eventTypeCheck(t.eventType)),
  ],
);

/** Daily rollup (UTC days); dashboards and stats read only this table. */
export const usageDaily = pgTable(
  'usage_daily',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    eventType: text('event_type').$type<TUsageEventType>().notNull(),
    route: text('route').notNull().default(''),
    count: bigint('count', { mode: 'number' }).notNull(),
    quantitySum: bigint('quantity_sum', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'usage_daily_pkey', columns: [t.tenantId, t.day, t.eventType, t.route] }),
    check('usage_daily_type_check', eventTypeCheck(t.eventType)),
  ],
);

export const USAGE_WARNING_METRICS = ['files', 'api_calls', 'storage'] as const;
export type TUsageWarningMetric = (typeof USAGE_WARNING_METRICS)[number];
export const USAGE_WARNING_THRESHOLDS = [80, 90, 100] as const;
export type TUsageWarningThreshold = (typeof USAGE_WARNING_THRESHOLDS)[number];

/**
 * Quota warnings, one row per (metric, threshold, billing period): the unique key makes each fire once per
 * period however often the check runs. used/limit are the figures at the moment it fired.
 */
export const usageWarnings = pgTable(
  'usage_warnings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    metric: text('metric').$type<TUsageWarningMetric>().notNull(),
    thresholdPercent: integer('threshold_percent').$type<TUsageWarningThreshold>().notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    used: bigint('used', { mode: 'number' }).notNull(),
    limit: bigint('limit', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('usage_warnings_once_per_period_idx').on(t.tenantId, t.metric, t.thresholdPercent, t.periodStart),
    check('usage_warnings_metric_check', sql`${t.metric} in ('files', 'api_calls', 'storage')`),
    check('usage_warnings_threshold_check', sql`${t.thresholdPercent} in (80, 90, 100)`),
  ],
);
