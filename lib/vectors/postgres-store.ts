import 'server-only';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { vectorPoints } from '@/db/schema/estimates';
import { observeVectorSearch } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { assertVector, copyFloat32Bytes, normalised, toFloat32Bytes } from './float32';
import type { TVectorMatch, TVectorPoint, TVectorSearch, TVectorStore } from './types';

/*
 * Exact cosine search over vectors stored in PostgreSQL. Each process keeps every searched tenant's vectors as one
 * contiguous Float32Array (a row per point) and brings it up to date before each search with one statement in the
 * tenant's context:
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
 */

const UPSERT_BATCH_SIZE = 500;
/** Pending (maxSeq, xmax) pairs kept per tenant; older ones are dropped, which only delays settling. */
const MAX_CHECKPOINTS = 32;
/** Rough per-row cost of the id string, its map entry and the seq/version columns. */
const ROW_OVERHEAD_BYTES = 120;

interface TCheckpoint {
  maxSeq: number;
  xmax: bigint;
}

/** One tenant's cached points: row r is matrix[r·dimension …], ids[r], seqs[r], versionCodes[r]. */
interface TTenantVectors {
  dimension: number;
  size: number;
  capacity: number;
  matrix: Float32Array;
  ids: string[];
  seqs: Float64Array;
  /** Index into versionNames; -1 for a stored vector of another dimension (kept so the seq checks add up). */
  versionCodes: Int32Array;
  versionNames: string[];
  rowById: Map<string, number>;
  maxSeq: number;
  settledSeq: number;
  checkpoints: TCheckpoint[];
  deletions: string;
}

// Types (not interfaces) so they satisfy execute<Record<string, unknown>>; seqs and xids come as text.
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
  xmin: string;
  xmax: string;
};

export interface TPostgresVectorStoreOptions {
  /** Length of every vector; ensureReady(dimension) may change it. */
  dimension: number;
  /** Cached vectors per process, least recently searched tenants evicted beyond it. */
  cacheBytes: number;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid[] literal; each id is checked first, so none can smuggle in a second element. */
function uuidArray(ids: string[]): string {
  for (const id of ids) if (!UUID_PATTERN.test(id)) throw new Error(`not a uuid: ${JSON.stringify(id).slice(0, 60)}`);
  return `{${ids.join(',')}}`;
}

function emptyTenant(dimension: number, capacity: number, deletions: string, settledSeq: number): TTenantVectors {
  return {
    dimension,
    size: 0,
    capacity,
    matrix: new Float32Array(capacity * dimension),
    ids: [],
    seqs: new Float64Array(capacity),
    versionCodes: new Int32Array(capacity),
    versionNames: [],
    rowById: new Map(),
    maxSeq: 0,
    settledSeq,
    checkpoints: [],
    deletions,
  };
}

function tenantBytes(t: TTenantVectors): number {
  return t.capacity * (t.dimension * 4 + 12) + t.size * ROW_OVERHEAD_BYTES;
}

function grow(t: TTenantVectors): void {
  const capacity = Math.max(16, t.capacity * 2);
  const matrix = new Float32Array(capacity * t.dimension);
  matrix.set(t.matrix);
  const seqs = new Float64Array(capacity);
  seqs.set(t.seqs);
  const versionCodes = new Int32Array(capacity);
  versionCodes.set(t.versionCodes);
  Object.assign(t, { capacity, matrix, seqs, versionCodes });
}

function versionCode(t: TTenantVectors, version: string): number {
  let code = t.versionNames.indexOf(version);
  if (code < 0) code = t.versionNames.push(version) - 1;
  return code;
}

/** Puts a stored row into the cache, in place when the id is cached; an older seq than the cached one is ignored. */
function applyRow(t: TTenantVectors, row: TStoredRow): void {
  const seq = Number(row.seq);
  let r = t.rowById.get(row.id);
  if (r !== undefined && t.seqs[r] >= seq) return;
  if (r === undefined) {
    if (t.size === t.capacity) grow(t);
    r = t.size++;
    t.ids[r] = row.id;
    t.rowById.set(row.id, r);
  }
  t.seqs[r] = seq;
  if (row.vector && row.vector.byteLength === t.dimension * 4) {
    copyFloat32Bytes(row.vector, t.matrix, r * t.dimension);
    t.versionCodes[r] = versionCode(t, row.version);
  } else {
    t.versionCodes[r] = -1;
  }
  if (seq > t.maxSeq) t.maxSeq = seq;
}

/** Drops cached rows whose id is not in `live`, moving the last row into each hole (order does not matter). */
function removeMissing(t: TTenantVectors, live: Set<string>): void {
  for (let r = t.size - 1; r >= 0; r--) {
    if (live.has(t.ids[r])) continue;
    const last = t.size - 1;
    t.rowById.delete(t.ids[r]);
    if (r !== last) {
      t.matrix.copyWithin(r * t.dimension, last * t.dimension, (last + 1) * t.dimension);
      t.seqs[r] = t.seqs[last];
      t.versionCodes[r] = t.versionCodes[last];
      t.ids[r] = t.ids[last];
      t.rowById.set(t.ids[r], r);
    }
    t.ids.length = last;
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

/** Every point of the tenant, read with the deletions counter and the snapshot in one statement (one snapshot). */
async function loadTenant(tx: TTx, tenantId: string, dimension: number, settledSeq: number): Promise<TTenantVectors> {
  const rows = await tx.execute<TLoadRow>(sql`
    with snap as (${snapshotSql}), state as (${deletionsSql(tenantId)})
    select state.deletions::text as deletions, snap.xmin::text as xmin, snap.xmax::text as xmax,
      p.id, p.seq::text as seq, p.version, p.vector
    from state cross join snap
    left join lateral (select id, seq, version, vector from vector_points where tenant_id = ${tenantId}) p on true`);
  const head = rows[0];
  const pointRows = rows.filter((row): row is TLoadRow & TStoredRow => row.id != null);
  let capacity = 16;
  while (capacity < pointRows.length) capacity *= 2;
  const t = emptyTenant(dimension, capacity, head.deletions, settledSeq);
  for (const row of pointRows) applyRow(t, row);
  if (BigInt(head.xmax) <= BigInt(head.xmin)) t.settledSeq = Math.max(t.settledSeq, t.maxSeq);
  else addCheckpoint(t, { maxSeq: t.maxSeq, xmax: BigInt(head.xmax) });
  return t;
}

/** Brings a cached tenant up to date (see the comment at the top). */
async function refreshTenant(tx: TTx, tenantId: string, t: TTenantVectors): Promise<TTenantVectors> {
  const { settledSeq, maxSeq } = t;
  const rows = await tx.execute<TRefreshRow>(sql`
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
    ) p on true`);
  const head = rows[0];
  for (const row of rows) if (row.id != null) applyRow(t, row as TStoredRow);
  if (head.deletions !== t.deletions) {
    // Deletions cannot be seen by seq: keep only the ids the table still holds. Reading 100,000 ids costs a
    // fraction of reloading 100,000 vectors (about a second). This reads a later snapshot than the statement above,
    // so it also drops what was deleted in between; whatever it misses moved the counter again for next time.
    const live = await tx.execute<{ id: string }>(sql`select id from vector_points where tenant_id = ${tenantId}`);
    removeMissing(
      t,
      new Set(live.map((row) => row.id)),
    );
    t.deletions = head.deletions;
  }
  if (settledSeq < maxSeq) {
    const cached = cachedRange(t, settledSeq, maxSeq);
    if (cached.count !== Number(head.unsettled_count) || cached.sum !== BigInt(head.unsettled_sum)) {
      // A transaction committed a seq below one we had already seen: read the unsettled range again.
      const late = await tx.execute<TStoredRow>(sql`
        select id, seq::text as seq, version, vector from vector_points
        where tenant_id = ${tenantId} and seq > ${settledSeq}::bigint and seq <= ${maxSeq}::bigint`);
      for (const row of late) applyRow(t, row);
    }
  }
  t.settledSeq = Math.max(settledSeq, Number(head.watermark));
  t.checkpoints = t.checkpoints.filter((c) => c.maxSeq > t.settledSeq);
  addCheckpoint(t, { maxSeq: t.maxSeq, xmax: BigInt(head.xmax) });
  return t;
}

/** The k best rows of a min-heap whose root is the worst kept match (lowest score, then greatest id). */
class TopK {
  readonly rows: number[] = [];
  readonly scores: number[] = [];
  constructor(
    private readonly k: number,
    private readonly ids: string[],
  ) {}

  private isWorse(a: number, b: number): boolean {
    const sa = this.scores[a];
    const sb = this.scores[b];
    return sa < sb || (sa === sb && this.ids[this.rows[a]] > this.ids[this.rows[b]]);
  }

  private swap(a: number, b: number): void {
    [this.rows[a], this.rows[b]] = [this.rows[b], this.rows[a]];
    [this.scores[a], this.scores[b]] = [this.scores[b], this.scores[a]];
  }

  /** Whether a candidate with this score could enter (cheap pre-check before offer). */
  admits(score: number): boolean {
    return this.rows.length < this.k || score >= this.scores[0];
  }

  offer(row: number, score: number): void {
    if (this.rows.length < this.k) {
      this.rows.push(row);
      this.scores.push(score);
      for (let i = this.rows.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.isWorse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const score0 = this.scores[0];
    if (score < score0 || (score === score0 && this.ids[row] > this.ids[this.rows[0]])) return;
    this.rows[0] = row;
    this.scores[0] = score;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < this.rows.length && this.isWorse(left, worst)) worst = left;
      if (right < this.rows.length && this.isWorse(right, worst)) worst = right;
      if (worst === i) break;
      this.swap(i, worst);
      i = worst;
    }
  }
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
  const top = new TopK(Math.floor(query.limit), t.ids);
  const { matrix, versionCodes, size } = t;
  const dimension = t.dimension;
  const tail = dimension - (dimension % 4);
  for (let r = 0; r < size; r++) {
    if (versionCodes[r] !== code || (excluded.size > 0 && excluded.has(r))) continue;
    const base = r * dimension;
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
    const score = d0 + d1 + d2 + d3;
    if (score >= threshold && top.admits(score)) top.offer(r, score);
  }
  return top.rows
    .map((r, i) => ({ id: t.ids[r], score: top.scores[i] }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The embedded store: points in vector_points, exact search over a per-process cache (see the top comment). */
export class PostgresVectorStore implements TVectorStore {
  readonly backend = 'postgres' as const;
  readonly isRemote = false;
  private dimension: number;
  private readonly cacheBytes: number;
  /** Cached tenants, least recently searched first (Map keeps insertion order). */
  private readonly tenants = new Map<string, TTenantVectors>();
  /** The refresh under way per tenant, and the one queued behind it for searches that arrived during it. */
  private readonly refreshes = new Map<string, { running?: Promise<TTenantVectors>; queued?: Promise<TTenantVectors> }>();

  constructor(options: TPostgresVectorStoreOptions) {
    this.dimension = options.dimension;
    this.cacheBytes = options.cacheBytes;
  }

  async ensureReady(dimension: number): Promise<void> {
    if (dimension !== this.dimension) {
      this.dimension = dimension;
      this.tenants.clear();
    }
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
    const t = await this.freshTenant(query.tenantId, query.tx);
    const matches = searchCached(t, query, normalised(query.vector));
    observeVectorSearch('postgres', (performance.now() - started) / 1000);
    return matches;
  }

  /** What this process holds in memory (tenants cached, their approximate size). */
  cacheStats(): { tenants: number; bytes: number } {
    let bytes = 0;
    for (const t of this.tenants.values()) bytes += tenantBytes(t);
    return { tenants: this.tenants.size, bytes };
  }

  /**
   * The tenant's cache, refreshed after this call began. Concurrent searches share one refresh; one arriving while
   * a refresh runs waits for the next (shared) one, since the running one may have read before its caller's write.
   * A refresh reads through the transaction of the caller that starts it (when given): its caller awaits it, so the
   * transaction outlives it, and no search ever waits for a second pooled connection while holding one.
   */
  private freshTenant(tenantId: string, tx?: TTx): Promise<TTenantVectors> {
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

  private async refresh(tenantId: string, callerTx?: TTx): Promise<TTenantVectors> {
    const cached = this.tenants.get(tenantId);
    const dimension = this.dimension;
    const read = (tx: TTx) =>
      cached && cached.dimension === dimension ? refreshTenant(tx, tenantId, cached) : loadTenant(tx, tenantId, dimension, 0);
    const t = await (callerTx ? read(callerTx) : withTenant(tenantId, read));
    this.tenants.delete(tenantId);
    this.tenants.set(tenantId, t);
    this.evict(tenantId);
    return t;
  }

  /** Drops least recently searched tenants beyond the budget; the one just searched stays even if alone too big. */
  private evict(keep: string): void {
    let total = 0;
    for (const t of this.tenants.values()) total += tenantBytes(t);
    for (const [tenantId, t] of this.tenants) {
      if (total <= this.cacheBytes) break;
      if (tenantId === keep) continue;
      this.tenants.delete(tenantId);
      total -= tenantBytes(t);
    }
  }
}
