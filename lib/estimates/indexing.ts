import 'server-only';
import { and, asc, count, desc, eq, gt, inArray, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { TTx } from '@/db/client';
import { costEstimates, estimateIndexOutbox, vectorReindexRuns, type TVectorReindexStatus } from '@/db/schema/estimates';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { logger } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';
import { vectorStore, type TVectorPoint, type TVectorStore } from '@/lib/vectors';
import { embedder } from './embedder-registry';
import type { TEmbedder } from './embedding';
import { toEstimate } from './estimates';

/*
 * Keeping the vector index in step with cost_estimates. Every estimate change writes an outbox row in its own
 * transaction (estimates.ts); the vector-index job applies the rows to the store and deletes them. While the
 * store (or an external embedder) is down, rows stay and are retried with backoff: indexing is late, never lost.
 * Searches read results back from cost_estimates, so a deleted estimate disappears at once even before its
 * point is removed.
 */

const DRAIN_BATCH = 500;
const MAX_BACKOFF_SECONDS = 60;
/** A claimed row is left to its drain this long; after that (the drain died) another drain takes it. */
const CLAIM_LEASE_SECONDS = 300;
/** A drain stops embedding well within its lease and hands the rest of the batch back. */
const EMBED_BUDGET_MS = (CLAIM_LEASE_SECONDS * 1000) / 2;
/** Claims take turns (a transaction-scoped advisory lock), so one estimate's rows are never in two drains at once. */
const CLAIM_LOCK_KEY = 'sitework.estimate_index_claim';

export interface TIndexDependencies {
  store?: TVectorStore;
  embedder?: TEmbedder;
}

export interface TDrainResult {
  upserted: number;
  deleted: number;
  /** Outbox rows left for a later run because the store or embedder failed. */
  failed: number;
}

/** Embeds the rows in order; with a deadline, stops at it and returns the points made so far. */
async function embedPoints(rows: (typeof costEstimates.$inferSelect)[], currentEmbedder: TEmbedder, deadline = Infinity): Promise<TVectorPoint[]> {
  const points: TVectorPoint[] = [];
  for (const row of rows) {
    if (Date.now() > deadline) break;
    points.push({ id: row.id, tenantId: row.tenantId, vector: await currentEmbedder.embed(toEstimate(row)), version: currentEmbedder.version });
  }
  return points;
}

/** Marks estimates as indexed at `version`, unless they changed after `readAt` (their new outbox row follows). */
async function markIndexed(tx: TTx, ids: string[], version: string, readAt: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(costEstimates)
    .set({ embeddingVersion: version })
    .where(and(inArray(costEstimates.id, ids), sql`${costEstimates.updatedAt} <= ${readAt.toISOString()}::timestamptz`));
}

type TOutboxRow = typeof estimateIndexOutbox.$inferSelect;

/**
 * Claims a batch of due outbox rows and reads their estimates, in one short transaction. A row is not taken while
 * another row of the same estimate is claimed by a live drain: that drain could otherwise write an older vector
 * after this one wrote the newer.
 */
async function claimBatch(options: { ignoreBackoff: boolean }): Promise<{ rows: TOutboxRow[]; estimates: (typeof costEstimates.$inferSelect)[]; readAt: Date }> {
  return withPlatform(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${CLAIM_LOCK_KEY}))`);
    const busy = alias(estimateIndexOutbox, 'busy');
    const due = tx
      .select({ id: estimateIndexOutbox.id })
      .from(estimateIndexOutbox)
      .where(
        and(
          sql`(${estimateIndexOutbox.claimedUntil} is null or ${estimateIndexOutbox.claimedUntil} <= now())`,
          options.ignoreBackoff ? undefined : sql`${estimateIndexOutbox.availableAt} <= now()`,
          notExists(
            tx
              .select({ id: busy.id })
              .from(busy)
              .where(and(eq(busy.estimateId, estimateIndexOutbox.estimateId), sql`${busy.claimedUntil} > now()`)),
          ),
        ),
      )
      .orderBy(asc(estimateIndexOutbox.id))
      .limit(DRAIN_BATCH)
      .for('update', { skipLocked: true });
    const rows = await tx
      .update(estimateIndexOutbox)
      .set({ claimedUntil: sql`now() + make_interval(secs => ${CLAIM_LEASE_SECONDS})` })
      .where(inArray(estimateIndexOutbox.id, due))
      .returning();
    if (rows.length === 0) return { rows, estimates: [], readAt: new Date() };
    const readAt = new Date();
    const estimateIds = [...new Set(rows.map((row) => row.estimateId))];
    const estimates = await tx.select().from(costEstimates).where(inArray(costEstimates.id, estimateIds));
    return { rows, estimates, readAt };
  });
}

/**
 * Applies one batch of due outbox rows: claim (short transaction) → embed and write to the store (no transaction
 * held, however slow the embedder or Qdrant) → record (short transaction). An estimate's latest state decides
 * (upsert if it still exists, else delete). A drain that dies leaves its rows claimed until the lease is over; the
 * writes are idempotent, so the next drain simply applies them again.
 */
async function drainBatch(deps: Required<TIndexDependencies>, options: { ignoreBackoff: boolean }): Promise<TDrainResult & { rows: number }> {
  const { rows, estimates, readAt } = await claimBatch(options);
  if (rows.length === 0) return { rows: 0, upserted: 0, deleted: 0, failed: 0 };
  const rowIds = (of: TOutboxRow[]) => of.map((row) => row.id);
  const existingIds = new Set(estimates.map((row) => row.id));
  const gone = new Map<string, string[]>();
  for (const row of rows) {
    if (existingIds.has(row.estimateId)) continue;
    gone.set(row.tenantId, [...new Set([...(gone.get(row.tenantId) ?? []), row.estimateId])]);
  }
  let points: TVectorPoint[];
  try {
    await deps.store.ensureReady(deps.embedder.dimension);
    points = await embedPoints(estimates, deps.embedder, Date.now() + EMBED_BUDGET_MS);
    if (points.length > 0) await deps.store.upsert(points);
    for (const [tenantId, ids] of gone) await deps.store.delete(tenantId, ids);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ err: error, rows: rows.length }, 'vector index update failed; the outbox keeps the changes');
    await withPlatform((tx) =>
      tx
        .update(estimateIndexOutbox)
        .set({
          attempts: sql`${estimateIndexOutbox.attempts} + 1`,
          lastError: message.slice(0, 500),
          availableAt: sql`now() + make_interval(secs => least(power(2, ${estimateIndexOutbox.attempts}), ${MAX_BACKOFF_SECONDS}))`,
          claimedUntil: null,
        })
        .where(inArray(estimateIndexOutbox.id, rowIds(rows))),
    );
    return { rows: rows.length, upserted: 0, deleted: 0, failed: rows.length };
  }
  const embeddedIds = new Set(points.map((point) => point.id));
  const isApplied = (row: TOutboxRow) => embeddedIds.has(row.estimateId) || !existingIds.has(row.estimateId);
  const applied = rows.filter(isApplied);
  const handedBack = rows.filter((row) => !isApplied(row));
  await withPlatform(async (tx) => {
    await markIndexed(tx, [...embeddedIds], deps.embedder.version, readAt);
    await tx.delete(estimateIndexOutbox).where(inArray(estimateIndexOutbox.id, rowIds(applied)));
    // Out of time (a slow embedder): the rest goes back to the outbox for the next batch, no attempt counted.
    if (handedBack.length > 0) await tx.update(estimateIndexOutbox).set({ claimedUntil: null }).where(inArray(estimateIndexOutbox.id, rowIds(handedBack)));
  });
  const deleted = [...gone.values()].reduce((sum, ids) => sum + ids.length, 0);
  return { rows: rows.length, upserted: points.length, deleted, failed: 0 };
}

/**
 * Applies every due outbox row (the vector-index job; tests call it directly). Stops at the first failing batch:
 * the store is likely down, and the job's next run (backoff) tries again.
 */
export async function drainIndexOutbox(deps: TIndexDependencies = {}, options: { ignoreBackoff?: boolean } = {}): Promise<TDrainResult> {
  const resolved = { store: deps.store ?? vectorStore(), embedder: deps.embedder ?? embedder() };
  const total: TDrainResult = { upserted: 0, deleted: 0, failed: 0 };
  for (;;) {
    const batch = await drainBatch(resolved, { ignoreBackoff: options.ignoreBackoff ?? false });
    total.upserted += batch.upserted;
    total.deleted += batch.deleted;
    total.failed += batch.failed;
    if (batch.rows < DRAIN_BATCH || batch.failed > 0) return total;
  }
}

// ---- reindex: rebuild a tenant's (or every tenant's) vectors -----------------------------------------------

export interface TReindexRun {
  id: string;
  tenantId: string | null;
  status: TVectorReindexStatus;
  embeddingVersion: string;
  totalEstimates: number;
  indexedEstimates: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const runColumns = {
  id: vectorReindexRuns.id,
  tenantId: vectorReindexRuns.tenantId,
  status: vectorReindexRuns.status,
  embeddingVersion: vectorReindexRuns.embeddingVersion,
  totalEstimates: vectorReindexRuns.totalEstimates,
  indexedEstimates: vectorReindexRuns.indexedEstimates,
  error: vectorReindexRuns.error,
  createdAt: vectorReindexRuns.createdAt,
  startedAt: vectorReindexRuns.startedAt,
  finishedAt: vectorReindexRuns.finishedAt,
};

/** A queued reindex run (the operator's request answers with it at once; the job does the work). */
export async function createReindexRun(request: { tenantId?: string; requestedBy: string | null }): Promise<TReindexRun> {
  return withPlatform(async (tx) => {
    if (request.tenantId) {
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, request.tenantId));
      if (!tenant) throw new AppError('not_found', 'Tenant not found');
    }
    const [run] = await tx
      .insert(vectorReindexRuns)
      .values({ tenantId: request.tenantId ?? null, embeddingVersion: embedder().version, requestedBy: request.requestedBy })
      .returning(runColumns);
    return run;
  });
}

export async function failReindexRun(runId: string, message: string): Promise<void> {
  await withPlatform((tx) =>
    tx.update(vectorReindexRuns).set({ status: 'failed', error: message.slice(0, 500), finishedAt: sql`now()` }).where(eq(vectorReindexRuns.id, runId)),
  );
}

const REINDEX_BATCH = 500;

/**
 * Re-embeds and upserts every estimate of the run's scope in keyset batches, recording progress after each. A
 * point is overwritten in place, so search keeps working throughout (results of the old version drop out only
 * as their replacements land). Idempotent: a retried run starts over and converges to the same index.
 */
export async function runReindex(runId: string, deps: TIndexDependencies = {}): Promise<TReindexRun> {
  const store = deps.store ?? vectorStore();
  const currentEmbedder = deps.embedder ?? embedder();
  const [run] = await withPlatform((tx) =>
    tx
      .update(vectorReindexRuns)
      .set({ status: 'running', startedAt: sql`now()`, indexedEstimates: 0, error: null, embeddingVersion: currentEmbedder.version })
      .where(eq(vectorReindexRuns.id, runId))
      .returning(runColumns),
  );
  if (!run) throw new AppError('not_found', 'Reindex run not found');
  const scope = run.tenantId ? eq(costEstimates.tenantId, run.tenantId) : undefined;
  try {
    await store.ensureReady(currentEmbedder.dimension);
    const [{ total }] = await withPlatform((tx) => tx.select({ total: count() }).from(costEstimates).where(scope));
    await withPlatform((tx) => tx.update(vectorReindexRuns).set({ totalEstimates: total }).where(eq(vectorReindexRuns.id, runId)));
    let afterId: string | null = null;
    let indexed = 0;
    for (;;) {
      const readAt = new Date();
      const rows: (typeof costEstimates.$inferSelect)[] = await withPlatform((tx) =>
        tx
          .select()
          .from(costEstimates)
          .where(and(scope, afterId ? gt(costEstimates.id, afterId) : undefined))
          .orderBy(asc(costEstimates.id))
          .limit(REINDEX_BATCH),
      );
      if (rows.length === 0) break;
      await store.upsert(await embedPoints(rows, currentEmbedder));
      indexed += rows.length;
      afterId = rows[rows.length - 1].id;
      await withPlatform(async (tx) => {
        await markIndexed(
          tx,
          rows.map((row) => row.id),
          currentEmbedder.version,
          readAt,
        );
        await tx.update(vectorReindexRuns).set({ indexedEstimates: indexed }).where(eq(vectorReindexRuns.id, runId));
      });
    }
    const [done] = await withPlatform((tx) =>
      tx.update(vectorReindexRuns).set({ status: 'done', finishedAt: sql`now()` }).where(eq(vectorReindexRuns.id, runId)).returning(runColumns),
    );
    return done;
  } catch (error) {
    await failReindexRun(runId, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

export interface TVectorIndexStatus {
  backend: 'postgres' | 'qdrant';
  embedderVersion: string;
  dimension: number;
  estimates: number;
  /** Estimates whose vector is of the current embedder version. */
  indexedCurrent: number;
  /** Outbox rows not applied yet, and how many of them have failed at least once. */
  pendingChanges: number;
  failingChanges: number;
  runs: TReindexRun[];
}

/** The operators' view of the index (GET /api/v1/admin/vectors, /admin). */
export async function vectorIndexStatus(): Promise<TVectorIndexStatus> {
  const currentEmbedder = embedder();
  return withPlatform(async (tx) => {
    const [estimates] = await tx
      .select({
        total: count(),
        current: sql<number>`count(*) filter (where ${costEstimates.embeddingVersion} = ${currentEmbedder.version})::int`,
      })
      .from(costEstimates);
    const [outbox] = await tx
      .select({ pending: count(), failing: sql<number>`count(*) filter (where ${estimateIndexOutbox.attempts} > 0)::int` })
      .from(estimateIndexOutbox);
    const runs = await tx.select(runColumns).from(vectorReindexRuns).orderBy(desc(vectorReindexRuns.createdAt)).limit(10);
    return {
      backend: vectorStore().backend,
      embedderVersion: currentEmbedder.version,
      dimension: currentEmbedder.dimension,
      estimates: estimates.total,
      indexedCurrent: Number(estimates.current),
      pendingChanges: outbox.pending,
      failingChanges: Number(outbox.failing),
      runs,
    };
  });
}
