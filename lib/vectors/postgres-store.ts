import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { vectorPoints } from '@/db/schema/estimates';
import { adjustVectorCacheBytes, observeUncachedVectorSearch, observeVectorCacheEviction, observeVectorSearch } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { assertVector, copyFloat32Bytes, normalised, toFloat32Bytes } from './float32';
import type { TVectorMatch, TVectorPoint, TVectorSearch, TVectorStore } from './types';

/*
 * Exact cosine search over vectors stored in PostgreSQL. Each process caches searched tenants' vectors in
 * Float32Array blocks (a row per point) and brings a tenant up to date before each search, in the tenant's context:
 * - rows with seq > the cache's max seq are new or updated points (every write takes a new seq);
 * - vector_tenant_state.deletions moved: something was deleted, which seq cannot show, so the cached rows whose id
 *   the table no longer holds are dropped (ids only, not vectors, are read);
 * - late commits: a seq is taken when a row is written but becomes visible at commit, so a transaction can commit
 *   seq 100 after we already saw 101 and moved past it. Rows above `settledSeq` are therefore "unsettled": the same
 *   statement counts them and sums their seqs, and a mismatch with the cache (a late insert adds to the count, a late
 *   update to the sum, since seqs only grow) fetches that range again. A missed row is thus picked up by the first
 *   search after its commit, never later.
 *   The unsettled range is kept small with transaction ids: writers take an xid before their first seq (upsert
 *   calls pg_current_xact_id() first), so every seq ≤ maxSeq seen at a refresh belongs to a transaction with an xid
 *   below that snapshot's xmax. Once a later snapshot's xmin passes that xmax, all those transactions are over and
 *   nothing at or below that maxSeq can still appear: it becomes the new settledSeq. A long unrelated transaction
 *   only delays settling (the range check, an index-only count over recent rows, stays correct meanwhile).
 *
 * Memory. Every read of points goes through a cursor, a page (about PAGE_BYTES of vectors) at a time; a cursor
 * reads from the snapshot taken when it opened, so the reasoning above, which needs one snapshot per statement, holds.
 * The cache is charged against its budget (cacheBytes) before it allocates, so what it holds never exceeds the budget
 * (vectors counted exactly, the ids and maps beside them by an estimate per row):
 * a load reads the tenant's point count in the cursor's snapshot and reserves every block it will fill first, then
 * growing charges one block at a time. Room is made by evicting the least recently searched tenants that no refresh
 * is writing into. When the room cannot be had (the tenant alone is larger than the budget, or other tenants' loads
 * hold it) the tenant is not cached: its searches scan its points through a cursor and keep the best k, exact and at
 * bounded memory, but reading every vector each time. Blocks are fixed in size per tenant, so growing never copies.
 */

const UPSERT_BATCH_SIZE = 500;
/** Pending (maxSeq, xmax) pairs kept per tenant; older ones are dropped, which only delays settling. */
const MAX_CHECKPOINTS = 32;
/** Rough per-row cost of the id string, its map entry and the seq and version entries. */
const ROW_OVERHEAD_BYTES = 140;
/** Rough cost of a cached tenant besides its rows (its objects, version names, checkpoints). */
const TENANT_OVERHEAD_BYTES = 1024;
/** Vectors read per FETCH: a page is what a read holds besides the cache (the page of ids is smaller still). */
const PAGE_BYTES = 1024 * 1024;
const ID_PAGE_ROWS = 10_000;
const MIN_BLOCK_ROWS = 16;
const MAX_BLOCK_ROWS = 4096;
/** One cursor at a time per transaction: every read closes it before the next opens. */
const CURSOR = 'sitework_vector_points';

interface TCheckpoint {
  maxSeq: number;
  xmax: bigint;
}

/** One tenant's cached points: row r is blocks[r / blockRows] at (r % blockRows)·dimension, ids[r], seqs[r], versionCodes[r]. */
interface TTenantVectors {
  dimension: number;
  /** A power of two fixed at load (about an eighth of the tenant's points), so a small tenant costs little. */
  blockRows: number;
  blocks: Float32Array[];
  size: number;
  ids: string[];
  seqs: number[];
  /** Index into versionNames; -1 for a stored vector of another dimension (kept so the seq checks add up). */
  versionCodes: number[];
  versionNames: string[];
  rowById: Map<string, number>;
  maxSeq: number;
  settledSeq: number;
  checkpoints: TCheckpoint[];
  deletions: string;
  /** What the budget was charged for this tenant: its overhead and every block, allocated or reserved. */
  chargedBytes: number;
}

// Types (not interfaces) so they satisfy execute<Record<string, unknown>>; seqs, counts and xids come as text.
type TStoredRow = {
  id: string;
  seq: string;
  version: string;
  vector: Buffer | null;
};

type TRefreshRow = Partial<TStoredRow> & {
  deletions: string;
  watermark: string;
  xmax: string;
  unsettled_count: string;
  unsettled_sum: string;
};

type TLoadRow = Partial<TStoredRow> & {
  deletions: string;
  points: string;
  xmin: string;
  xmax: string;
};

export interface TPostgresVectorStoreOptions {
  /** Length of every vector; ensureReady(dimension) may change it. */
  dimension: number;
  /** The most the cache may hold per store (one per process), in bytes; least recently searched tenants are evicted. */
  cacheBytes: number;
}

/** What a store's cache holds and has done (its bytes as charged against the budget). */
export interface TVectorCacheStats {
  tenants: number;
  bytes: number;
  budgetBytes: number;
  /** The most `bytes` has ever been. */
  peakBytes: number;
  /** Tenants read in full into the cache. */
  loads: number;
  /** Tenants dropped to make room for another. */
  evictions: number;
  /** Searches answered by a scan because the tenant could not be cached. */
  uncachedSearches: number;
}

/** Thrown inside a read when the cache cannot have the room it needs: the tenant is then searched uncached. */
class CacheFull extends Error {}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid[] literal; each id is checked first, so none can smuggle in a second element. */
function uuidArray(ids: string[]): string {
  for (const id of ids) if (!UUID_PATTERN.test(id)) throw new Error(`not a uuid: ${JSON.stringify(id).slice(0, 60)}`);
  return `{${ids.join(',')}}`;
}

/**
 * The rows of `query` a page at a time through a cursor in `tx`: only one page is held, and every page comes from
 * the snapshot taken when the cursor opened, as one statement's rows would.
 */
async function* pagesOf<T extends Record<string, unknown>>(tx: TTx, query: SQL, pageRows: number, firstPageRows = pageRows): AsyncGenerator<T[]> {
  await tx.execute(sql`declare ${sql.raw(CURSOR)} no scroll cursor for ${query}`);
  try {
    for (let rowsWanted = firstPageRows; ; rowsWanted = pageRows) {
      const rows = await tx.execute<T>(sql.raw(`fetch forward ${rowsWanted} from ${CURSOR}`));
      if (rows.length > 0) yield rows as unknown as T[];
      if (rows.length < rowsWanted) return;
    }
  } finally {
    // After a failed statement the transaction is aborted and the cursor gone with it: nothing to close.
    await tx.execute(sql.raw(`close ${CURSOR}`)).catch(() => undefined);
  }
}

const vectorPageRows = (dimension: number) => Math.max(64, Math.floor(PAGE_BYTES / (dimension * 4)));

function blockRowsFor(points: number): number {
  let rows = MIN_BLOCK_ROWS;
  while (rows < MAX_BLOCK_ROWS && rows * 8 < points) rows *= 2;
  return rows;
}

const blockBytes = (t: TTenantVectors) => t.blockRows * (t.dimension * 4 + ROW_OVERHEAD_BYTES);
const capacityOf = (t: TTenantVectors) => t.blocks.length * t.blockRows;
/** What a tenant of `points` points costs when every block it needs is charged. */
const bytesToHold = (t: TTenantVectors, points: number) => TENANT_OVERHEAD_BYTES + Math.ceil(points / t.blockRows) * blockBytes(t);

function emptyTenant(dimension: number, points: number, deletions: string): TTenantVectors {
  return {
    dimension,
    blockRows: blockRowsFor(points),
    blocks: [],
    size: 0,
    ids: [],
    seqs: [],
    versionCodes: [],
    versionNames: [],
    rowById: new Map(),
    maxSeq: 0,
    settledSeq: 0,
    checkpoints: [],
    deletions,
    chargedBytes: 0,
  };
}

function versionCode(t: TTenantVectors, version: string): number {
  let code = t.versionNames.indexOf(version);
  if (code < 0) code = t.versionNames.push(version) - 1;
  return code;
}

/**
 * Puts a stored row into the cache, in place when the id is cached; an older seq than the cached one is ignored.
 * `addBlock` makes room for a row beyond the capacity (it throws CacheFull when the budget has none).
 */
function applyRow(t: TTenantVectors, row: TStoredRow, addBlock: (t: TTenantVectors) => void): void {
  const seq = Number(row.seq);
  let r = t.rowById.get(row.id);
  if (r !== undefined && t.seqs[r] >= seq) return;
  if (r === undefined) {
    if (t.size === capacityOf(t)) addBlock(t);
    r = t.size++;
    t.ids[r] = row.id;
    t.rowById.set(row.id, r);
  }
  t.seqs[r] = seq;
  if (row.vector && row.vector.byteLength === t.dimension * 4) {
    copyFloat32Bytes(row.vector, t.blocks[Math.floor(r / t.blockRows)], (r % t.blockRows) * t.dimension);
    t.versionCodes[r] = versionCode(t, row.version);
  } else {
    t.versionCodes[r] = -1;
  }
  if (seq > t.maxSeq) t.maxSeq = seq;
}

/** Drops cached rows not marked live, moving the last row into each hole (order does not matter). */
function removeMissing(t: TTenantVectors, isLive: Uint8Array): void {
  const { dimension, blockRows } = t;
  for (let r = t.size - 1; r >= 0; r--) {
    if (isLive[r]) continue;
    const last = t.size - 1;
    t.rowById.delete(t.ids[r]);
    if (r !== last) {
      // Rows above r were visited already: the last one is live.
      const from = t.blocks[Math.floor(last / blockRows)];
      const fromOffset = (last % blockRows) * dimension;
      t.blocks[Math.floor(r / blockRows)].set(from.subarray(fromOffset, fromOffset + dimension), (r % blockRows) * dimension);
      t.seqs[r] = t.seqs[last];
      t.versionCodes[r] = t.versionCodes[last];
      t.ids[r] = t.ids[last];
      t.rowById.set(t.ids[r], r);
    }
    t.ids.length = last;
    t.seqs.length = last;
    t.versionCodes.length = last;
    t.size = last;
  }
}

/** Count and seq sum of cached rows with from < seq ≤ to (what the database reports for the same range). */
function cachedRange(t: TTenantVectors, from: number, to: number): { count: number; sum: bigint } {
  let count = 0;
  let sum = 0;
  for (let r = 0; r < t.size; r++) {
    const seq = t.seqs[r];
    if (seq > from && seq <= to) {
      count++;
      sum += seq;
    }
  }
  if (Number.isSafeInteger(sum)) return { count, sum: BigInt(sum) };
  let exact = 0n;
  for (let r = 0; r < t.size; r++) if (t.seqs[r] > from && t.seqs[r] <= to) exact += BigInt(t.seqs[r]);
  return { count, sum: exact };
}

function addCheckpoint(t: TTenantVectors, checkpoint: TCheckpoint): void {
  if (checkpoint.maxSeq <= t.settledSeq) return;
  t.checkpoints.push(checkpoint);
  if (t.checkpoints.length > MAX_CHECKPOINTS) t.checkpoints.shift();
}

const snapshotSql = sql`select pg_snapshot_xmin(s)::text::bigint as xmin, pg_snapshot_xmax(s)::text::bigint as xmax from pg_current_snapshot() as s`;
const deletionsSql = (tenantId: string) =>
  sql`select coalesce((select deletions from vector_tenant_state where tenant_id = ${tenantId}), 0) as deletions`;

/**
 * Every point of the tenant, with the deletions counter, the point count and the snapshot, from one cursor (one
 * snapshot). `reserve` is told the count before the first row is kept; it throws CacheFull when there is no room.
 */
async function loadTenant(
  tx: TTx,
  tenantId: string,
  dimension: number,
  reserve: (t: TTenantVectors, bytes: number) => void,
  addBlock: (t: TTenantVectors) => void,
): Promise<TTenantVectors> {
  const query = sql`
    with snap as (${snapshotSql}),
    state as (${deletionsSql(tenantId)}),
    total as (select count(*) as points from vector_points where tenant_id = ${tenantId})
    select state.deletions::text as deletions, total.points::text as points, snap.xmin::text as xmin, snap.xmax::text as xmax,
      p.id, p.seq::text as seq, p.version, p.vector
    from state cross join snap cross join total
    left join lateral (select id, seq, version, vector from vector_points where tenant_id = ${tenantId}) p on true`;
  let head: TLoadRow | undefined;
  let t: TTenantVectors | undefined;
  // The first row alone: a tenant too large for the cache is refused before any page of it is read.
  for await (const rows of pagesOf<TLoadRow>(tx, query, vectorPageRows(dimension), 1)) {
    if (!t) {
      head = rows[0];
      t = emptyTenant(dimension, Number(head.points), head.deletions);
      reserve(t, bytesToHold(t, Number(head.points)));
    }
    for (const row of rows) if (row.id != null) applyRow(t, row as TStoredRow, addBlock);
  }
  if (!t || !head) throw new Error('the vector load answered no head row');
  if (BigInt(head.xmax) <= BigInt(head.xmin)) t.settledSeq = t.maxSeq;
  else addCheckpoint(t, { maxSeq: t.maxSeq, xmax: BigInt(head.xmax) });
  return t;
}

/** Brings a cached tenant up to date (see the comment at the top). */
async function refreshTenant(tx: TTx, tenantId: string, t: TTenantVectors, addBlock: (t: TTenantVectors) => void): Promise<void> {
  const { settledSeq, maxSeq } = t;
  const pageRows = vectorPageRows(t.dimension);
  const query = sql`
    with snap as (${snapshotSql}),
    mark as (
      select greatest(${settledSeq}::bigint, coalesce(max(c.seq), 0)) as watermark
      from snap left join unnest(${`{${t.checkpoints.map((c) => c.maxSeq).join(',')}}`}::bigint[],
        ${`{${t.checkpoints.map((c) => c.xmax).join(',')}}`}::bigint[]) as c(seq, xmax) on c.xmax <= snap.xmin
    ),
    unsettled as (
      select count(*) as n, coalesce(sum(seq), 0) as total from vector_points
      where tenant_id = ${tenantId} and seq > ${settledSeq}::bigint and seq <= ${maxSeq}::bigint
    ),
    state as (${deletionsSql(tenantId)})
    select state.deletions::text as deletions, mark.watermark::text as watermark, snap.xmax::text as xmax,
      unsettled.n::text as unsettled_count, unsettled.total::text as unsettled_sum,
      p.id, p.seq::text as seq, p.version, p.vector
    from state cross join snap cross join mark cross join unsettled
    left join lateral (
      select id, seq, version, vector from vector_points where tenant_id = ${tenantId} and seq > ${maxSeq}::bigint
    ) p on true`;
  let head: TRefreshRow | undefined;
  for await (const rows of pagesOf<TRefreshRow>(tx, query, pageRows)) {
    head ??= rows[0];
    for (const row of rows) if (row.id != null) applyRow(t, row as TStoredRow, addBlock);
  }
  if (!head) throw new Error('the vector refresh answered no head row');
  if (head.deletions !== t.deletions) {
    // Deletions cannot be seen by seq: keep only the ids the table still holds. Reading 100,000 ids costs a
    // fraction of reloading 100,000 vectors (about a second). This reads a later snapshot than the statement above,
    // so it also drops what was deleted in between; whatever it misses moved the counter again for next time.
    const isLive = new Uint8Array(t.size);
    for await (const rows of pagesOf<{ id: string }>(tx, sql`select id from vector_points where tenant_id = ${tenantId}`, ID_PAGE_ROWS)) {
      for (const row of rows) {
        const r = t.rowById.get(row.id);
        if (r !== undefined) isLive[r] = 1;
      }
    }
    removeMissing(t, isLive);
    t.deletions = head.deletions;
  }
  if (settledSeq < maxSeq) {
    const cached = cachedRange(t, settledSeq, maxSeq);
    if (cached.count !== Number(head.unsettled_count) || cached.sum !== BigInt(head.unsettled_sum)) {
      // A transaction committed a seq below one we had already seen: read the unsettled range again.
      const late = sql`
        select id, seq::text as seq, version, vector from vector_points
        where tenant_id = ${tenantId} and seq > ${settledSeq}::bigint and seq <= ${maxSeq}::bigint`;
      for await (const rows of pagesOf<TStoredRow>(tx, late, pageRows)) for (const row of rows) applyRow(t, row, addBlock);
    }
  }
  t.settledSeq = Math.max(settledSeq, Number(head.watermark));
  t.checkpoints = t.checkpoints.filter((c) => c.maxSeq > t.settledSeq);
  addCheckpoint(t, { maxSeq: t.maxSeq, xmax: BigInt(head.xmax) });
}

/** The k best matches in a min-heap whose root is the worst kept one (lowest score, then greatest id). */
class TopK {
  private readonly ids: string[] = [];
  private readonly scores: number[] = [];
  constructor(private readonly k: number) {}

  private isWorse(a: number, b: number): boolean {
    const sa = this.scores[a];
    const sb = this.scores[b];
    return sa < sb || (sa === sb && this.ids[a] > this.ids[b]);
  }

  private swap(a: number, b: number): void {
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
    [this.scores[a], this.scores[b]] = [this.scores[b], this.scores[a]];
  }

  /** Whether a candidate with this score could enter (cheap pre-check before offer). */
  admits(score: number): boolean {
    return this.ids.length < this.k || score >= this.scores[0];
  }

  offer(id: string, score: number): void {
    if (this.ids.length < this.k) {
      this.ids.push(id);
      this.scores.push(score);
      for (let i = this.ids.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.isWorse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const score0 = this.scores[0];
    if (score < score0 || (score === score0 && id > this.ids[0])) return;
    this.ids[0] = id;
    this.scores[0] = score;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < this.ids.length && this.isWorse(left, worst)) worst = left;
      if (right < this.ids.length && this.isWorse(right, worst)) worst = right;
      if (worst === i) break;
      this.swap(i, worst);
      i = worst;
    }
  }

  /** Best first, ties by id. */
  matches(): TVectorMatch[] {
    return this.ids
      .map((id, i) => ({ id, score: this.scores[i] }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

/** The dot product of the row at `base` in `matrix` with `unit`. */
function dot(matrix: Float32Array, base: number, unit: Float64Array, dimension: number): number {
  const tail = dimension - (dimension % 4);
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let j = 0;
  for (; j < tail; j += 4) {
    d0 += matrix[base + j] * unit[j];
    d1 += matrix[base + j + 1] * unit[j + 1];
    d2 += matrix[base + j + 2] * unit[j + 2];
    d3 += matrix[base + j + 3] * unit[j + 3];
  }
  for (; j < dimension; j++) d0 += matrix[base + j] * unit[j];
  return d0 + d1 + d2 + d3;
}

function searchCached(t: TTenantVectors, query: TVectorSearch, unit: Float64Array): TVectorMatch[] {
  const code = t.versionNames.indexOf(query.version);
  if (code < 0 || query.limit <= 0) return [];
  const excluded = new Set<number>();
  for (const id of query.excludeIds ?? []) {
    const r = t.rowById.get(id);
    if (r !== undefined) excluded.add(r);
  }
  const threshold = query.scoreThreshold ?? -Infinity;
  const top = new TopK(Math.floor(query.limit));
  const { versionCodes, dimension, blockRows, size } = t;
  for (let b = 0; b * blockRows < size; b++) {
    const block = t.blocks[b];
    const end = Math.min(size, (b + 1) * blockRows);
    for (let r = b * blockRows; r < end; r++) {
      if (versionCodes[r] !== code || (excluded.size > 0 && excluded.has(r))) continue;
      const score = dot(block, (r - b * blockRows) * dimension, unit, dimension);
      if (score >= threshold && top.admits(score)) top.offer(t.ids[r], score);
    }
  }
  return top.matches();
}

/** An exact search of a tenant that is not cached: its points stream through a cursor, only the best k are kept. */
async function scanTenant(tx: TTx, query: TVectorSearch, unit: Float64Array, dimension: number): Promise<TVectorMatch[]> {
  if (query.limit <= 0) return [];
  const excluded = new Set(query.excludeIds ?? []);
  const threshold = query.scoreThreshold ?? -Infinity;
  const top = new TopK(Math.floor(query.limit));
  const row = new Float32Array(dimension);
  const points = sql`select id, vector from vector_points where tenant_id = ${query.tenantId} and version = ${query.version}`;
  for await (const rows of pagesOf<{ id: string; vector: Buffer }>(tx, points, vectorPageRows(dimension))) {
    for (const point of rows) {
      if (point.vector.byteLength !== dimension * 4 || excluded.has(point.id)) continue;
      copyFloat32Bytes(point.vector, row, 0);
      const score = dot(row, 0, unit, dimension);
      if (score >= threshold && top.admits(score)) top.offer(point.id, score);
    }
  }
  return top.matches();
}

/** The embedded store: points in vector_points, exact search over a per-process cache (see the top comment). */
export class PostgresVectorStore implements TVectorStore {
  readonly backend = 'postgres' as const;
  readonly isRemote = false;
  private dimension: number;
  private readonly budgetBytes: number;
  /** Cached tenants, least recently searched first (Map keeps insertion order). */
  private readonly tenants = new Map<string, TTenantVectors>();
  /** Tenants a load or refresh is writing into: never evicted meanwhile. */
  private readonly busy = new Set<string>();
  /** Charged against the budget: every cached tenant's chargedBytes, and loads' reservations. */
  private chargedBytes = 0;
  private readonly counters = { peakBytes: 0, loads: 0, evictions: 0, uncachedSearches: 0 };
  /** The refresh under way per tenant, and the one queued behind it for searches that arrived during it. */
  private readonly refreshes = new Map<string, { running?: Promise<TTenantVectors | null>; queued?: Promise<TTenantVectors | null> }>();

  constructor(options: TPostgresVectorStoreOptions) {
    this.dimension = options.dimension;
    this.budgetBytes = options.cacheBytes;
  }

  async ensureReady(dimension: number): Promise<void> {
    if (dimension === this.dimension) return;
    this.dimension = dimension;
    // A tenant being refreshed is dropped by its next refresh, which finds the dimension changed.
    for (const tenantId of [...this.tenants.keys()]) if (!this.busy.has(tenantId)) this.drop(tenantId);
  }

  async upsert(points: TVectorPoint[]): Promise<void> {
    // The last write of an id wins; one statement may not touch a row twice.
    const unique = new Map<string, TVectorPoint>();
    for (const point of points) {
      assertVector(point.vector, this.dimension, `vector of point ${point.id}`);
      if (!point.version) throw new Error(`point ${point.id} has no version`);
      unique.set(`${point.tenantId}:${point.id}`, point);
    }
    if (unique.size === 0) return;
    const values = [...unique.values()].map((point) => ({
      tenantId: point.tenantId,
      id: point.id,
      vector: toFloat32Bytes(point.vector),
      version: point.version,
    }));
    await withPlatform(async (tx) => {
      // An xid before the first seq: the cache's settling rule relies on it (see the top comment).
      await tx.execute(sql`select pg_current_xact_id()`);
      for (let i = 0; i < values.length; i += UPSERT_BATCH_SIZE) {
        await tx
          .insert(vectorPoints)
          .values(values.slice(i, i + UPSERT_BATCH_SIZE))
          .onConflictDoUpdate({
            target: [vectorPoints.tenantId, vectorPoints.id],
            set: { vector: sql`excluded.vector`, version: sql`excluded.version`, seq: sql`nextval('vector_points_seq')` },
          });
      }
    });
  }

  async delete(tenantId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await withPlatform((tx) =>
      tx.execute(sql`delete from vector_points where tenant_id = ${tenantId} and id = any(${uuidArray(ids)}::uuid[])`),
    );
  }

  async deleteTenant(tenantId: string): Promise<void> {
    await withPlatform((tx) => tx.execute(sql`delete from vector_points where tenant_id = ${tenantId}`));
  }

  async count(tenantId: string): Promise<number> {
    const [row] = await withTenant(tenantId, (tx) =>
      tx.execute<{ count: number }>(sql`select count(*)::int as count from vector_points where tenant_id = ${tenantId}`),
    );
    return row.count;
  }

  async search(query: TVectorSearch): Promise<TVectorMatch[]> {
    const started = performance.now();
    assertVector(query.vector, this.dimension, 'search vector');
    const unit = normalised(query.vector);
    const t = await this.freshTenant(query.tenantId, query.tx);
    let matches: TVectorMatch[];
    if (t) {
      matches = searchCached(t, query, unit);
    } else {
      this.counters.uncachedSearches++;
      observeUncachedVectorSearch();
      const dimension = this.dimension;
      const scan = (tx: TTx) => scanTenant(tx, query, unit, dimension);
      matches = await (query.tx ? scan(query.tx) : withTenant(query.tenantId, scan));
    }
    observeVectorSearch('postgres', (performance.now() - started) / 1000);
    return matches;
  }

  /** What this store's cache holds (bytes as charged against its budget) and has done. */
  cacheStats(): TVectorCacheStats {
    return { tenants: this.tenants.size, bytes: this.chargedBytes, budgetBytes: this.budgetBytes, ...this.counters };
  }

  /**
   * The tenant's cache, refreshed after this call began, or null when it cannot be cached. Concurrent searches
   * share one refresh (or load); one arriving while a refresh runs waits for the next (shared) one, since the
   * running one may have read before its caller's write. A refresh reads through the transaction of the caller
   * that starts it (when given): its caller awaits it, so the transaction outlives it, and no search ever waits
   * for a second pooled connection while holding one.
   */
  private freshTenant(tenantId: string, tx?: TTx): Promise<TTenantVectors | null> {
    let slot = this.refreshes.get(tenantId);
    if (!slot) this.refreshes.set(tenantId, (slot = {}));
    const current = slot;
    if (current.running) {
      current.queued ??= current.running
        .catch(() => undefined)
        .then(() => {
          current.queued = undefined;
          return this.freshTenant(tenantId, tx);
        });
      return current.queued;
    }
    current.running = this.refresh(tenantId, tx).finally(() => {
      current.running = undefined;
      if (!current.queued) this.refreshes.delete(tenantId);
    });
    return current.running;
  }

  private async refresh(tenantId: string, callerTx?: TTx): Promise<TTenantVectors | null> {
    this.busy.add(tenantId);
    try {
      const read = async (tx: TTx): Promise<TTenantVectors> => {
        const cached = this.tenants.get(tenantId);
        if (cached && cached.dimension === this.dimension) {
          await refreshTenant(tx, tenantId, cached, this.addBlock);
          return cached;
        }
        if (cached) this.drop(tenantId);
        return this.load(tx, tenantId);
      };
      const t = await (callerTx ? read(callerTx) : withTenant(tenantId, read));
      this.releaseEmptyBlocks(t);
      this.tenants.delete(tenantId);
      this.tenants.set(tenantId, t);
      return t;
    } catch (error) {
      // A refresh that stopped midway may have applied part of what it read: start that tenant afresh.
      this.drop(tenantId);
      if (error instanceof CacheFull) return null;
      throw error;
    } finally {
      this.busy.delete(tenantId);
    }
  }

  private async load(tx: TTx, tenantId: string): Promise<TTenantVectors> {
    let loading: TTenantVectors | undefined;
    const reserve = (t: TTenantVectors, bytes: number) => {
      loading = t;
      if (!this.charge(t, bytes)) throw new CacheFull();
    };
    try {
      const t = await loadTenant(tx, tenantId, this.dimension, reserve, this.addBlock);
      this.counters.loads++;
      return t;
    } catch (error) {
      if (loading) this.release(loading, loading.chargedBytes);
      throw error;
    }
  }

  /** Gives a tenant one more block, charging it unless a load reserved it already. */
  private readonly addBlock = (t: TTenantVectors): void => {
    const needed = TENANT_OVERHEAD_BYTES + (t.blocks.length + 1) * blockBytes(t);
    if (needed > t.chargedBytes && !this.charge(t, needed - t.chargedBytes)) throw new CacheFull();
    t.blocks.push(new Float32Array(t.blockRows * t.dimension));
  };

  /**
   * Charges `bytes` to `t`, first evicting least recently searched tenants that nothing is writing into when the
   * budget lacks room; false (and nothing evicted) when even that would not make enough.
   */
  private charge(t: TTenantVectors, bytes: number): boolean {
    if (this.chargedBytes + bytes > this.budgetBytes) {
      let evictable = 0;
      for (const [tenantId, cached] of this.tenants) if (!this.busy.has(tenantId)) evictable += cached.chargedBytes;
      if (this.chargedBytes - evictable + bytes > this.budgetBytes) return false;
      for (const tenantId of [...this.tenants.keys()]) {
        if (this.chargedBytes + bytes <= this.budgetBytes) break;
        if (this.busy.has(tenantId)) continue;
        this.drop(tenantId);
        this.counters.evictions++;
        observeVectorCacheEviction();
      }
    }
    this.chargedBytes += bytes;
    t.chargedBytes += bytes;
    this.counters.peakBytes = Math.max(this.counters.peakBytes, this.chargedBytes);
    adjustVectorCacheBytes(bytes);
    return true;
  }

  private release(t: TTenantVectors, bytes: number): void {
    this.chargedBytes -= bytes;
    t.chargedBytes -= bytes;
    adjustVectorCacheBytes(-bytes);
  }

  private drop(tenantId: string): void {
    const t = this.tenants.get(tenantId);
    if (!t) return;
    this.tenants.delete(tenantId);
    this.release(t, t.chargedBytes);
  }

  /** Gives back blocks that deletions emptied, and what a load reserved beyond what it filled. */
  private releaseEmptyBlocks(t: TTenantVectors): void {
    const blocks = Math.ceil(t.size / t.blockRows);
    if (t.blocks.length > blocks) t.blocks.length = blocks;
    const excess = t.chargedBytes - bytesToHold(t, t.size);
    if (excess > 0) this.release(t, excess);
  }
}
