import 'server-only';
import { and, count, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { containsPattern } from '@/db/like';
import { plans } from '@/db/schema/billing';
import { costEstimates, estimateIndexOutbox, type TEstimateIndexOp } from '@/db/schema/estimates';
import { files } from '@/db/schema/files';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { equipmentCostCents, laborCostCents, materialsCostCents, type TCostEstimate } from './model';
import type { TEstimateInput, TEstimateSort, TListEstimatesQuery } from './input';
import { requestVectorIndexing } from './index-kick';

/** An estimate as callers see it. */
export interface TEstimate extends TCostEstimate {
  id: string;
  materialsCostCents: number;
  laborCostCents: number;
  equipmentCostCents: number;
  totalCostCents: number;
  sourceFileId: string | null;
  createdBy: string | null;
  createdByApiKeyId: string | null;
  /** The embedder version of the indexed vector; null until the vector-index job has indexed this version. */
  embeddingVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Who is writing: the tenant, and the user or API key to credit. */
export interface TEstimateAuthor {
  tenantId: string;
  userId: string | null;
  apiKeyId: string | null;
}

type TRow = typeof costEstimates.$inferSelect;

export function toEstimate(row: TRow): TEstimate {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    location: { country: row.country, region: row.region, city: row.city },
    materials: row.materials,
    laborRateCents: row.laborRateCents,
    laborHours: row.laborHours,
    equipmentRateCents: row.equipmentRateCents,
    equipmentHours: row.equipmentHours,
    materialsCostCents: row.materialsCostCents,
    laborCostCents: row.laborCostCents,
    equipmentCostCents: row.equipmentCostCents,
    totalCostCents: row.totalCostCents,
    currency: row.currency,
    sourceFileId: row.sourceFileId,
    createdBy: row.createdBy,
    createdByApiKeyId: row.createdByApiKeyId,
    embeddingVersion: row.embeddingVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const notFound = () => new AppError('not_found', 'Estimate not found');

/** The stored columns of a validated input: the cost parts computed here, checked again by the database. */
export function estimateColumns(input: TEstimateInput) {
  const materials = input.materials.map(({ lineCostCents: _checked, ...material }) => material);
  const estimate = { ...input, materials };
  const parts = {
    materialsCostCents: materialsCostCents(estimate),
    laborCostCents: laborCostCents(estimate),
    equipmentCostCents: equipmentCostCents(estimate),
  };
  return {
    project: input.project,
    name: input.name,
    country: input.location.country,
    region: input.location.region,
    city: input.location.city,
    materials,
    laborRateCents: input.laborRateCents,
    laborHours: input.laborHours,
    equipmentRateCents: input.equipmentRateCents,
    equipmentHours: input.equipmentHours,
    ...parts,
    totalCostCents: parts.materialsCostCents + parts.laborCostCents + parts.equipmentCostCents,
    currency: input.currency,
    sourceFileId: input.sourceFileId ?? null,
  };
}

/**
 * A source file must be one of the tenant's own: the foreign key alone would accept another tenant's file id
 * (constraint checks do not see row-level security), so it is looked up here, through RLS.
 */
async function assertOwnFiles(tx: TTx, fileIds: Array<string | null | undefined>): Promise<void> {
  const wanted = [...new Set(fileIds.filter((id): id is string => typeof id === 'string'))];
  if (wanted.length === 0) return;
  const found = new Set((await tx.select({ id: files.id }).from(files).where(inArray(files.id, wanted))).map((row) => row.id));
  const missing = wanted.find((id) => !found.has(id));
  if (missing) {
    throw new AppError('validation_failed', `Invalid body: sourceFileId: no file ${missing} in this organisation`, {
      fields: [{ field: 'sourceFileId', message: 'is not a file of this organisation' }],
    });
  }
}

/** Queues vector index changes in the caller's transaction: they happen only if it commits, and always then. */
export async function queueIndexChanges(tx: TTx, tenantId: string, op: TEstimateIndexOp, estimateIds: string[]): Promise<void> {
  const CHUNK = 5_000;
  for (let i = 0; i < estimateIds.length; i += CHUNK) {
    await tx.insert(estimateIndexOutbox).values(estimateIds.slice(i, i + CHUNK).map((estimateId) => ({ tenantId, estimateId, op })));
  }
  requestVectorIndexing();
}

/** A tenant's cap on estimates (its plan's max_estimates) and how many it holds. */
export interface TEstimateAllowance {
  limit: number;
  used: number;
}

/**
 * The tenant's estimate cap and count, or null when its plan has no cap. With a cap, the tenant's estimate
 * creations take turns from here to the end of the transaction (an advisory lock of their own, so uploads are not
 * held up), so two creates at the cap minus one cannot both pass: the count is read after the lock, and sees what
 * the previous holder committed. The cap is read from the plan at each write, so an operator's edit or a plan change
 * applies at once; a tenant above a lowered cap keeps its estimates and cannot add more.
 */
export async function lockEstimateAllowance(tx: TTx, tenantId: string): Promise<TEstimateAllowance | null> {
  const [plan] = await tx
    .select({ maxEstimates: plans.maxEstimates })
    .from(tenants)
    .innerJoin(plans, eq(plans.id, tenants.plan))
    .where(eq(tenants.id, tenantId));
  if (plan?.maxEstimates == null) return null;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('cost_estimates'), hashtext(${tenantId}))`);
  const [row] = await tx.select({ used: count() }).from(costEstimates).where(eq(costEstimates.tenantId, tenantId));
  return { limit: plan.maxEstimates, used: row.used };
}

/** 429 quota_exceeded: `requested` more estimates would pass the plan's cap. */
export function estimateCapExceeded(allowance: TEstimateAllowance, requested: number): AppError {
  const n = (value: number) => value.toLocaleString('en-US');
  return new AppError(
    'quota_exceeded',
    `The plan allows ${n(allowance.limit)} estimates and ${n(allowance.used)} are stored: ` +
      `${requested === 1 ? 'one more' : `${n(requested)} more`} would exceed it. Delete estimates or upgrade the plan.`,
    { quota: 'max_estimates', limit: allowance.limit, used: allowance.used, requested },
  );
}

export async function createEstimate(tx: TTx, author: TEstimateAuthor, input: TEstimateInput): Promise<TEstimate> {
  const [estimate] = await insertEstimates(tx, author, [input]);
  return estimate;
}

/**
 * Inserts validated estimates (the form, the API, a script) within the plan's cap, all or none (429 beyond it),
 * and queues their indexing, in the caller's transaction.
 */
export async function insertEstimates(tx: TTx, author: TEstimateAuthor, inputs: TEstimateInput[]): Promise<TEstimate[]> {
  const allowance = await lockEstimateAllowance(tx, author.tenantId);
  if (allowance && allowance.used + inputs.length > allowance.limit) throw estimateCapExceeded(allowance, inputs.length);
  return writeEstimates(tx, author, inputs);
}

/**
 * Inserts validated estimates and queues their indexing, in the caller's transaction, after the caller checked the
 * cap (lockEstimateAllowance). Large batches are split into statements of a few hundred rows (PostgreSQL's
 * parameter limit).
 */
export async function writeEstimates(tx: TTx, author: TEstimateAuthor, inputs: TEstimateInput[]): Promise<TEstimate[]> {
  await assertOwnFiles(
    tx,
    inputs.map((input) => input.sourceFileId),
  );
  const ROWS_PER_STATEMENT = 500;
  const inserted: TEstimate[] = [];
  for (let i = 0; i < inputs.length; i += ROWS_PER_STATEMENT) {
    const rows = await tx
      .insert(costEstimates)
      .values(
        inputs.slice(i, i + ROWS_PER_STATEMENT).map((input) => ({
          ...estimateColumns(input),
          tenantId: author.tenantId,
          createdBy: author.userId,
          createdByApiKeyId: author.apiKeyId,
          // Milliseconds: keyset cursors carry JavaScript dates, so rows must not be finer than their cursor.
          createdAt: sql`date_trunc('milliseconds', now())`,
        })),
      )
      .returning();
    inserted.push(...rows.map(toEstimate));
  }
  await queueIndexChanges(
    tx,
    author.tenantId,
    'upsert',
    inserted.map((estimate) => estimate.id),
  );
  return inserted;
}

export async function getEstimate(tx: TTx, estimateId: string): Promise<TEstimate> {
  const [row] = await tx.select().from(costEstimates).where(eq(costEstimates.id, estimateId));
  if (!row) throw notFound();
  return toEstimate(row);
}

/** Replaces an estimate's contents (PUT): the vector is rebuilt by the index job. */
export async function updateEstimate(tx: TTx, estimateId: string, input: TEstimateInput): Promise<TEstimate> {
  await assertOwnFiles(tx, [input.sourceFileId]);
  const [row] = await tx
    .update(costEstimates)
    .set({ ...estimateColumns(input), embeddingVersion: null, updatedAt: sql`now()` })
    .where(eq(costEstimates.id, estimateId))
    .returning();
  if (!row) throw notFound();
  await queueIndexChanges(tx, row.tenantId, 'upsert', [row.id]);
  return toEstimate(row);
}

/** Deletes an estimate; searches stop returning it at once (results are read back from this table). */
export async function deleteEstimate(tx: TTx, estimateId: string): Promise<void> {
  const [row] = await tx.delete(costEstimates).where(eq(costEstimates.id, estimateId)).returning({ id: costEstimates.id, tenantId: costEstimates.tenantId });
  if (!row) throw notFound();
  await queueIndexChanges(tx, row.tenantId, 'delete', [row.id]);
}

// ---- listing: keyset pages in four orders ---------------------------------------------------------------

interface TSortSpec {
  /** The cursor value of a row. */
  keyOf(row: TRow): string | number;
  /** Rows after the cursor in this order. */
  after(value: string | number, id: string): SQL;
  orderBy: SQL[];
}

// Each order walks one index (cost_estimates_tenant_{created,total,name}_idx); drizzle's DESC indexes are NULLS
// LAST, so the ORDER BY says so too.
const SORTS: Record<TEstimateSort, TSortSpec> = {
  newest: {
    keyOf: (row) => row.createdAt.toISOString(),
    after: (value, id) => sql`(${costEstimates.createdAt}, ${costEstimates.id}) < (${value}::timestamptz, ${id}::uuid)`,
    orderBy: [sql`${costEstimates.createdAt} desc nulls last`, sql`${costEstimates.id} desc nulls last`],
  },
  oldest: {
    keyOf: (row) => row.createdAt.toISOString(),
    after: (value, id) => sql`(${costEstimates.createdAt}, ${costEstimates.id}) > (${value}::timestamptz, ${id}::uuid)`,
    orderBy: [sql`${costEstimates.createdAt} asc nulls first`, sql`${costEstimates.id} asc nulls first`],
  },
  total_desc: {
    keyOf: (row) => row.totalCostCents,
    after: (value, id) => sql`(${costEstimates.totalCostCents}, ${costEstimates.id}) < (${value}::bigint, ${id}::uuid)`,
    orderBy: [sql`${costEstimates.totalCostCents} desc nulls last`, sql`${costEstimates.id} desc nulls last`],
  },
  total_asc: {
    keyOf: (row) => row.totalCostCents,
    after: (value, id) => sql`(${costEstimates.totalCostCents}, ${costEstimates.id}) > (${value}::bigint, ${id}::uuid)`,
    orderBy: [sql`${costEstimates.totalCostCents} asc nulls first`, sql`${costEstimates.id} asc nulls first`],
  },
  name: {
    keyOf: (row) => row.name.toLowerCase(),
    after: (value, id) => sql`(lower(${costEstimates.name}), ${costEstimates.id}) > (${value}, ${id}::uuid)`,
    orderBy: [sql`lower(${costEstimates.name})`, sql`${costEstimates.id}`],
  },
};

function encodeEstimateCursor(sort: TEstimateSort, row: TRow): string {
  return Buffer.from(JSON.stringify([sort, SORTS[sort].keyOf(row), row.id])).toString('base64url');
}

function decodeEstimateCursor(sort: TEstimateSort, cursor: string): { value: string | number; id: string } {
  try {
    const [cursorSort, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string | number, string];
    const idOk = typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id);
    const valueOk = sort === 'total_desc' || sort === 'total_asc' ? Number.isSafeInteger(value) : typeof value === 'string';
    if (cursorSort !== sort || !idOk || !valueOk) throw new Error('bad cursor');
    if ((sort === 'newest' || sort === 'oldest') && Number.isNaN(new Date(value as string).getTime())) throw new Error('bad cursor');
    return { value, id };
  } catch {
    throw new AppError('validation_failed', 'Invalid cursor: pass back the nextCursor of the previous page, with the same sort', {
      fields: [{ field: 'cursor', message: 'is not a cursor this API issued for this sort' }],
    });
  }
}

export async function listEstimates(tx: TTx, query: TListEstimatesQuery): Promise<{ items: TEstimate[]; nextCursor: string | null }> {
  const sort = SORTS[query.sort];
  const conditions: SQL[] = [];
  if (query.cursor) {
    const { value, id } = decodeEstimateCursor(query.sort, query.cursor);
    conditions.push(sort.after(value, id));
  }
  if (query.q) {
    const pattern = containsPattern(query.q);
    conditions.push(or(ilike(costEstimates.name, pattern), ilike(costEstimates.project, pattern), ilike(costEstimates.city, pattern))!);
  }
  if (query.project) conditions.push(eq(costEstimates.project, query.project));
  const rows = await tx
    .select()
    .from(costEstimates)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(...sort.orderBy)
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const nextCursor = rows.length > query.limit ? encodeEstimateCursor(query.sort, items[items.length - 1]) : null;
  return { items: items.map(toEstimate), nextCursor };
}

/** Estimates by id in the caller's tenant (RLS), for hydrating search results; missing ids are simply absent. */
export async function findEstimates(tx: TTx, ids: string[]): Promise<Map<string, TEstimate>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.select().from(costEstimates).where(inArray(costEstimates.id, ids));
  return new Map(rows.map((row) => [row.id, toEstimate(row)]));
}
