import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, customType, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys, users } from './auth';
import { files } from './files';
import { tenants } from './tenancy';

/** One material line as stored (jsonb): quantity has at most 6 decimals, unit is one of ESTIMATE_UNITS. */
export interface TStoredMaterial {
  name: string;
  category: string;
  quantity: number;
  unit: string;
  unitCostCents: number;
}

/**
 * A cost estimate of a tenant. Money is integer cents; hours are numeric(18,6). The three cost parts and the
 * total are computed by the application (lib/estimates/model.ts) and checked by the database: the materials
 * part against the jsonb lines (sitework_estimate_materials_cents, migration 0018), the total against the parts.
 * embedding_version is the version of the vector last indexed for this row (null: not indexed yet).
 */
export const costEstimates = pgTable(
  'cost_estimates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    project: text('project').notNull(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    region: text('region').notNull().default(''),
    city: text('city').notNull().default(''),
    materials: jsonb('materials').$type<TStoredMaterial[]>().notNull(),
    laborRateCents: bigint('labor_rate_cents', { mode: 'number' }).notNull(),
    laborHours: numeric('labor_hours', { precision: 18, scale: 6, mode: 'number' }).notNull(),
    equipmentRateCents: bigint('equipment_rate_cents', { mode: 'number' }).notNull(),
    equipmentHours: numeric('equipment_hours', { precision: 18, scale: 6, mode: 'number' }).notNull(),
    materialsCostCents: bigint('materials_cost_cents', { mode: 'number' }).notNull(),
    laborCostCents: bigint('labor_cost_cents', { mode: 'number' }).notNull(),
    equipmentCostCents: bigint('equipment_cost_cents', { mode: 'number' }).notNull(),
    totalCostCents: bigint('total_cost_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    sourceFileId: uuid('source_file_id').references(() => files.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdByApiKeyId: uuid('created_by_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    embeddingVersion: text('embedding_version'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('cost_estimates_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index('cost_estimates_tenant_total_idx').on(t.tenantId, t.totalCostCents.desc(), t.id.desc()),
    index('cost_estimates_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`, t.id),
    check('cost_estimates_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check(
      'cost_estimates_amounts_check',
      sql`${t.laborRateCents} >= 0 and ${t.laborHours} >= 0 and ${t.equipmentRateCents} >= 0 and ${t.equipmentHours} >= 0`,
    ),
    check(
      'cost_estimates_total_check',
      sql`${t.totalCostCents} = ${t.materialsCostCents} + ${t.laborCostCents} + ${t.equipmentCostCents}`,
    ),
    check('cost_estimates_labor_cost_check', sql`${t.laborCostCents} = round(${t.laborHours} * ${t.laborRateCents})`),
    check('cost_estimates_equipment_cost_check', sql`${t.equipmentCostCents} = round(${t.equipmentHours} * ${t.equipmentRateCents})`),
    check('cost_estimates_materials_cost_check', sql`${t.materialsCostCents} = sitework_estimate_materials_cents(${t.materials})`),
  ],
);

export const ESTIMATE_INDEX_OPS = ['upsert', 'delete'] as const;
export type TEstimateIndexOp = (typeof ESTIMATE_INDEX_OPS)[number];

/**
 * The vector index's outbox: a row is written in the same transaction as the estimate change it describes, and
 * the vector-index job (pg-boss) applies it to the vector store and deletes it. A store outage leaves the rows
 * here (attempts, last_error, not before available_at); nothing is lost.
 */
export const estimateIndexOutbox = pgTable(
  'estimate_index_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    estimateId: uuid('estimate_id').notNull(),
    op: text('op').$type<TEstimateIndexOp>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    availableAt: timestamp('available_at', { withTimezone: true }).notNull().defaultNow(),
    /** A drain is embedding it until then; after that (the drain died) another drain may. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('estimate_index_outbox_available_idx').on(t.availableAt, t.id),
    check('estimate_index_outbox_op_check', sql`${t.op} in ('upsert', 'delete')`),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The embedded (Postgres) vector store: one point per (tenant, id), the vector as little-endian float32 bytes.
 * seq grows with every write (a shared sequence), so a process can fetch only what changed since it last looked.
 */
export const vectorPoints = pgTable(
  'vector_points',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    vector: bytea('vector').notNull(),
    version: text('version').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    seq: bigint('seq', { mode: 'number' })
      .notNull()
      .default(sql`nextval('vector_points_seq')`),
  },
  (t) => [primaryKey({ name: 'vector_points_pkey', columns: [t.tenantId, t.id] }), index('vector_points_tenant_seq_idx').on(t.tenantId, t.seq)],
);

/**
 * Per tenant: how many points were ever deleted. A process that cached a tenant's vectors reloads them all when
 * this moved (deletions cannot be seen incrementally); new and updated points it fetches by seq.
 */
export const vectorTenantState = pgTable('vector_tenant_state', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  deletions: bigint('deletions', { mode: 'number' }).notNull().default(0),
});

export const VECTOR_REINDEX_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type TVectorReindexStatus = (typeof VECTOR_REINDEX_STATUSES)[number];

/** An operator's rebuild of one tenant's vectors (tenant_id set) or everyone's (null), with its progress. */
export const vectorReindexRuns = pgTable(
  'vector_reindex_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    status: text('status').$type<TVectorReindexStatus>().notNull().default('queued'),
    embeddingVersion: text('embedding_version').notNull(),
    totalEstimates: integer('total_estimates').notNull().default(0),
    indexedEstimates: integer('indexed_estimates').notNull().default(0),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('vector_reindex_runs_created_idx').on(t.createdAt.desc()),
    check('vector_reindex_runs_status_check', sql`${t.status} in ('queued', 'running', 'done', 'failed')`),
  ],
);
