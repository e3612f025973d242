import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const PLAN_IDS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type TPlanId = (typeof PLAN_IDS)[number];

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    customDomain: text('custom_domain'),
    logoUrl: text('logo_url'),
    plan: text('plan').$type<TPlanId>().notNull().default('free'),
    storageQuotaBytes: bigint('storage_quota_bytes', { mode: 'number' }).notNull(),
    apiQuotaMonthly: integer('api_quota_monthly').notNull(),
    stripeCustomerId: text('stripe_customer_id'),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tenants_slug_key').on(t.slug),
    uniqueIndex('tenants_custom_domain_key').on(sql`lower(${t.customDomain})`),
    check('tenants_plan_check', sql`${t.plan} in ('free', 'starter', 'professional', 'enterprise')`),
  ],
);

export const tenantSettings = pgTable('tenant_settings', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  maxFileSizeBytes: bigint('max_file_size_bytes', { mode: 'number' })
    .notNull()
    .default(5 * 1024 ** 3),
  allowedFileTypes: text('allowed_file_types')
    .array()
    .notNull()
    .default(sql`'{dwg,rvt,ifc,pdf}'::text[]`),
  webhookUrl: text('webhook_url'),
  webhookEvents: text('webhook_events').array().notNull().default(sql`'{}'::text[]`),
  brandingDisplayName: text('branding_display_name'),
  brandingLogoUrl: text('branding_logo_url'),
  brandingPrimaryColor: text('branding_primary_color'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const PLAN_CHANGE_SOURCES = ['created', 'owner', 'operator', 'checkout', 'backfill'] as const;
export type TPlanChangeSource = (typeof PLAN_CHANGE_SOURCES)[number];

/**
 * Every plan a tenant has been on and from when: invoices prorate the base price over these segments. A row
 * is written in the same transaction as the tenant's plan column (creation, owner change, operator change,
 * Stripe Checkout). changed_by is a user id, kept as plain uuid so history survives the user's deletion.
 */
export const tenantPlanChanges = pgTable(
  'tenant_plan_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    fromPlan: text('from_plan').$type<TPlanId>(),
    toPlan: text('to_plan').$type<TPlanId>().notNull(),
    effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull().defaultNow(),
    source: text('source').$type<TPlanChangeSource>().notNull(),
    changedBy: uuid('changed_by'),
  },
  (t) => [
    index('tenant_plan_changes_tenant_effective_idx').on(t.tenantId, t.effectiveAt),
    check('tenant_plan_changes_source_check', sql`${t.source} in ('created', 'owner', 'operator', 'checkout', 'backfill')`),
  ],
);
