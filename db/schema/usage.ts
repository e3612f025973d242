import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy';

export const USAGE_EVENT_TYPES = ['api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate'] as const;
export type TUsageEventType = (typeof USAGE_EVENT_TYPES)[number];

const eventTypeCheck = (column: unknown) =>
  sql`${column} in ('api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate')`;

/**
 * Raw usage events, one row per event id. The key is (tenant_id, id) so an id reported by one tenant can
 * never make another tenant's event look like a duplicate. quantity: 1 per call or processed file, bytes for
 * uploads and storage snapshots. Retention pruning of old rows is a later step (the rollups keep the totals).
 */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
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
    primaryKey({ name: 'usage_events_pkey', columns: [t.tenantId, t.id] }),
    index('usage_events_tenant_occurred_idx').on(t.tenantId, t.occurredAt.desc()),
    check('usage_events_type_check', eventTypeCheck(t.eventType)),
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
