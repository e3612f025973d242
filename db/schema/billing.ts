import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants, type TPlanId } from './tenancy';

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
  /** Invitations a tenant may send per UTC day (each one is an e-mail sent in our name). */
  invitationsPerDay: integer('invitations_per_day').notNull().default(20),
  /** Cost estimates a tenant may hold at once (null: no limit); read live, so an edit applies to every tenant on the plan. */
  maxEstimates: integer('max_estimates'),
  isActive: boolean('is_active').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export type TInvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const INVOICE_LINE_KINDS = ['base', 'extra_files', 'storage', 'api_calls'] as const;
export type TInvoiceLineKind = (typeof INVOICE_LINE_KINDS)[number];

/**
 * One invoice per tenant and billing period (the unique key is what makes a second run create nothing).
 * Amounts are integer cents. number is given when the draft is finalized (drafts have none, like Stripe's).
 * Overdue is not a state: an open invoice past due_at is overdue.
 */
export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    number: text('number'),
    /** The calendar month billed, UTC: start inclusive, end exclusive. */
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    status: text('status').$type<TInvoiceStatus>().notNull().default('draft'),
    currency: text('currency').notNull(),
    subtotalCents: bigint('subtotal_cents', { mode: 'number' }).notNull(),
    taxRateBps: integer('tax_rate_bps').notNull(),
    taxCents: bigint('tax_cents', { mode: 'number' }).notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    uncollectibleAt: timestamp('uncollectible_at', { withTimezone: true }),
    stripeInvoiceId: text('stripe_invoice_id'),
    stripeSyncedAt: timestamp('stripe_synced_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('invoices_tenant_period_key').on(t.tenantId, t.periodStart),
    uniqueIndex('invoices_number_key').on(t.number),
    uniqueIndex('invoices_stripe_invoice_key').on(t.stripeInvoiceId),
    index('invoices_tenant_list_idx').on(t.tenantId, t.periodStart.desc(), t.id.desc()),
    index('invoices_status_idx').on(t.status, t.periodStart),
    check('invoices_status_check', sql`${t.status} in ('draft', 'open', 'paid', 'void', 'uncollectible')`),
    check('invoices_amounts_check', sql`${t.subtotalCents} >= 0 and ${t.taxCents} >= 0 and ${t.totalCents} = ${t.subtotalCents} + ${t.taxCents}`),
    check('invoices_period_check', sql`${t.periodEnd} > ${t.periodStart}`),
  ],
);

/**
 * An invoice's lines in order. quantity is exact decimal (GiB-months and thousands of calls are fractional);
 * amount_cents is the line's exact value rounded once, half up. metadata keeps the figures behind the line
 * (used, included, day count) so a customer can check it.
 */
export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: text('kind').$type<TInvoiceLineKind>().notNull(),
    description: text('description').notNull(),
    quantity: numeric('quantity', { precision: 24, scale: 6 }).notNull(),
    unit: text('unit').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    uniqueIndex('invoice_lines_position_key').on(t.invoiceId, t.position),
    check('invoice_lines_kind_check', sql`${t.kind} in ('base', 'extra_files', 'storage', 'api_calls')`),
    check('invoice_lines_amount_check', sql`${t.amountCents} >= 0`),
  ],
);

/** Stripe webhook events already handled, by Stripe's event id: a redelivered event is acknowledged and ignored. */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
