import { bigint, boolean, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { TPlanId } from './tenancy';

/**
 * Plans (platform data, edited by operators): the price, what a tenant may use per month, and overage prices.
 * Money is in integer cents, storage in bytes. A tenant's quotas are copied from its plan when it is created
 * or moves plan.
 */
export const plans = pgTable('plans', {
  id: text('id').$type<TPlanId>().primaryKey(),
  name: text('name').notNull(),
  priceCents: integer('price_cents').notNull(),
  filesPerMonth: integer('files_per_month').notNull(),
  storageBytes: bigint('storage_bytes', { mode: 'number' }).notNull(),
  apiCallsPerMonth: integer('api_calls_per_month').notNull(),
  extraFileCents: integer('extra_file_cents').notNull(),
  storageGibMonthCents: integer('storage_gib_month_cents').notNull(),
  per1kApiCallsCents: integer('per_1k_api_calls_cents').notNull(),
  /** Over a limit, refuse (true) or bill the overage (false, Enterprise). */
  isHardLimit: boolean('is_hard_limit').notNull().default(true),
  requestsPerMinute: integer('requests_per_minute').notNull(),
  isActive: boolean('is_active').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
