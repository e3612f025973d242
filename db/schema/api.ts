import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy';

/**
 * Idempotency keys of creating API calls (endpoints with `idempotency: true`, lib/api/idempotency.ts): the first
 * call with a key stores its answer in the same transaction as its change; a retry with the same key and request
 * gets that answer again instead of a second change. Kept 24 hours.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** METHOD /path template: a key used on another endpoint is a different request. */
    operation: text('operation').notNull(),
    requestSha256: text('request_sha256').notNull(),
    /** { status, body } of the first call's success. */
    response: jsonb('response').$type<{ status: number; body: unknown }>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'idempotency_keys_pkey', columns: [t.tenantId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);
