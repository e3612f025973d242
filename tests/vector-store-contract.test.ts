import { randomBytes, randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectorPoints } from '@/db/schema/estimates';
import type { TTx } from '@/db/client';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import { PostgresVectorStore, QdrantVectorStore, qdrantPointId, resetVectorStoreForTests, vectorStore, type TVectorMatch, type TVectorPoint, type TVectorStore } from '@/lib/vectors';
import { metrics } from '@/lib/telemetry';
import { mulberry32 } from '@/lib/estimates';
import { startQdrantStandIn, type TQdrantStandIn } from './support/qdrant-stand-in';

/*
 * The behaviour every TVectorStore must have, run against each backend: PostgreSQL always; our Qdrant store always
 * against a local stand-in of the REST API (tests/support/qdrant-stand-in.ts), and against a real Qdrant when
 * QDRANT_URL points at one (a collection of its own, deleted afterwards).
 */

const DIMENSION = 8;
const CACHE_BYTES = 64 * 1024 * 1024;
const V1 = 'test-v1';
const V2 = 'test-v2';

/** A unit vector at `degrees` from the first axis, in the plane of the first two. */
function atAngle(degrees: number): number[] {
  const radians = (degrees * Math.PI) / 180;
  const vector = new Array<number>(DIMENSION).fill(0);
  vector[0] = Math.cos(radians);
  vector[1] = Math.sin(radians);
  return vector;
}

async function newTenant(): Promise<string> {
  const { id } = await withPlatform((tx) => createTenant(tx, { name: 'Vectors', slug: `vectors-${randomBytes(4).toString('hex')}` }));
  return id;
}

const idsOf = (matches: TVectorMatch[]) => matches.map((m) => m.id);

/** A unit vector along the first axis, of `dimension` numbers. */
const atAngleOf = (dimension: number) => Array.from({ length: dimension }, (_, i) => (i === 0 ? 1 : 0));

interface TBackend {
  name: string;
  create(): Promise<TVectorStore>;
  cleanup(): Promise<void>;
}

function contract(backend: TBackend) {
  let store: TVectorStore;
  let tenantId: string;

  beforeAll(async () => {
    store = await backend.create();
    await store.ensureReady(DIMENSION);
    await store.ensureReady(DIMENSION);
  });
  afterAll(() => backend.cleanup());

  const point = (id: string, degrees: number, version = V1, tenant = tenantId) => ({ id, tenantId: tenant, vector: atAngle(degrees), version });
  const search = (degrees: number, extra: { limit?: number; scoreThreshold?: number; excludeIds?: string[]; version?: string; tenant?: string } = {}) =>
    store.search({
      tenantId: extra.tenant ?? tenantId,
      vector: atAngle(degrees),
      version: extra.version ?? V1,
      limit: extra.limit ?? 10,
      scoreThreshold: extra.scoreThreshold,
      excludeIds: extra.excludeIds,
    });

  describe(`${backend.name} vector store contract`, () => {
    beforeAll(async () => {
      tenantId = await newTenant();
    });

    it('finds an upserted point with its own vector at score 1', async () => {
      const tenant = await newTenant();
      const id = randomUUID();
      await store.upsert([point(id, 42, V1, tenant)]);
      const matches = await search(42, { tenant });
      expect(idsOf(matches)).toEqual([id]);
      expect(matches[0].score).toBeCloseTo(1, 5);
    });

    it('orders matches by descending cosine similarity', async () => {
      const tenant = await newTenant();
      const ids = { deg10: randomUUID(), deg30: randomUUID(), deg60: randomUUID(), deg120: randomUUID(), deg170: randomUUID() };
      await store.upsert([point(ids.deg60, 60, V1, tenant), point(ids.deg170, 170, V1, tenant), point(ids.deg10, 10, V1, tenant), point(ids.deg120, 120, V1, tenant), point(ids.deg30, 30, V1, tenant)]);
      const matches = await search(0, { tenant });
      expect(idsOf(matches)).toEqual([ids.deg10, ids.deg30, ids.deg60, ids.deg120, ids.deg170]);
      const expected = [10, 30, 60, 120, 170].map((deg) => Math.cos((deg * Math.PI) / 180));
      matches.forEach((match, i) => expect(match.score).toBeCloseTo(expected[i], 5));
    });

    it('returns at most limit matches, the best ones', async () => {
      const tenant = await newTenant();
      const points = [5, 15, 25, 35, 45].map((deg) => point(randomUUID(), deg, V1, tenant));
      await store.upsert(points);
      expect(idsOf(await search(0, { tenant, limit: 2 }))).toEqual([points[0].id, points[1].id]);
      expect(await search(0, { tenant, limit: 1 })).toHaveLength(1);
    });

    it('drops matches scoring below scoreThreshold', async () => {
      const tenant = await newTenant();
      const near = point(randomUUID(), 20, V1, tenant); // cos 20° ≈ 0.94
      const far = point(randomUUID(), 80, V1, tenant); // cos 80° ≈ 0.17
      await store.upsert([near, far]);
      expect(idsOf(await search(0, { tenant, scoreThreshold: 0.5 }))).toEqual([near.id]);
      expect(idsOf(await search(0, { tenant, scoreThreshold: 0.1 }))).toEqual([near.id, far.id]);
      expect(await search(0, { tenant, scoreThreshold: 0.99 })).toEqual([]);
    });

    it('replaces a point upserted again under the same id instead of adding one', async () => {
      const tenant = await newTenant();
      const moving = randomUUID();
      const fixed = point(randomUUID(), 45, V1, tenant);
      await store.upsert([point(moving, 10, V1, tenant), fixed]);
      expect(idsOf(await search(0, { tenant }))).toEqual([moving, fixed.id]);

      await store.upsert([point(moving, 90, V1, tenant)]);
      const matches = await search(0, { tenant });
      expect(idsOf(matches)).toEqual([fixed.id, moving]);
      expect(matches[1].score).toBeCloseTo(0, 5);
      expect(await store.count(tenant)).toBe(2);
      expect(idsOf(await search(90, { tenant, limit: 1 }))).toEqual([moving]);
    });

    it('removes deleted points, and deleting an id that is not there is a no-op', async () => {
      const tenant = await newTenant();
      const kept = point(randomUUID(), 30, V1, tenant);
      const gone = point(randomUUID(), 10, V1, tenant);
      await store.upsert([kept, gone]);
      expect(await search(0, { tenant })).toHaveLength(2);

      await store.delete(tenant, [gone.id, randomUUID()]);
      expect(idsOf(await search(0, { tenant }))).toEqual([kept.id]);
      await store.delete(tenant, [gone.id]);
      await store.delete(tenant, []);
      expect(await store.count(tenant)).toBe(1);
    });

    it('compares only points of the searched embedder version', async () => {
      const tenant = await newTenant();
      const old = point(randomUUID(), 0, V1, tenant);
      const current = point(randomUUID(), 50, V2, tenant);
      await store.upsert([old, current]);
      expect(idsOf(await search(0, { tenant, version: V2 }))).toEqual([current.id]);
      expect(idsOf(await search(0, { tenant, version: V1 }))).toEqual([old.id]);
      expect(await search(0, { tenant, version: 'never-indexed' })).toEqual([]);

      // A reindex rewrites the point under the new version: it leaves the old version's results.
      await store.upsert([{ ...old, version: V2 }]);
      expect(await search(0, { tenant, version: V1 })).toEqual([]);
      expect(idsOf(await search(0, { tenant, version: V2 }))).toEqual([old.id, current.id]);
    });

    it('leaves out excludeIds and still fills the limit with the next best', async () => {
      const tenant = await newTenant();
      const points = [0, 10, 20, 30].map((deg) => point(randomUUID(), deg, V1, tenant));
      await store.upsert(points);
      const matches = await search(0, { tenant, limit: 2, excludeIds: [points[0].id, randomUUID()] });
      expect(idsOf(matches)).toEqual([points[1].id, points[2].id]);
    });

    it("never returns or touches another tenant's point, even with the same id and vector", async () => {
      const [acme, globex] = [await newTenant(), await newTenant()];
      const shared = randomUUID();
      const globexOnly = randomUUID();
      await store.upsert([point(shared, 0, V1, acme), point(shared, 0, V1, globex), point(globexOnly, 0, V1, globex)]);

      const acmeMatches = await search(0, { tenant: acme });
      expect(idsOf(acmeMatches)).toEqual([shared]);
      expect(acmeMatches[0].score).toBeCloseTo(1, 5);
      expect(idsOf(await search(0, { tenant: globex }))).toEqual([shared, globexOnly].sort());

      await store.delete(acme, [shared, globexOnly]);
      expect(await search(0, { tenant: acme })).toEqual([]);
      expect(idsOf(await search(0, { tenant: globex }))).toEqual([shared, globexOnly].sort());
      expect(await store.count(globex)).toBe(2);

      await store.upsert([point(shared, 0, V1, acme)]);
      await store.deleteTenant(globex);
      expect(await store.count(globex)).toBe(0);
      expect(await search(0, { tenant: globex })).toEqual([]);
      expect(idsOf(await search(0, { tenant: acme }))).toEqual([shared]);
      expect(await store.count(acme)).toBe(1);
    });

    it('counts the points of one tenant', async () => {
      const tenant = await newTenant();
      expect(await store.count(tenant)).toBe(0);
      await store.upsert([0, 1, 2].map((deg) => point(randomUUID(), deg, V1, tenant)));
      expect(await store.count(tenant)).toBe(3);
      await store.deleteTenant(tenant);
      expect(await store.count(tenant)).toBe(0);
    });

    it('refuses vectors of the wrong length or with non-finite numbers', async () => {
      await expect(store.upsert([{ id: randomUUID(), tenantId, vector: [1, 0], version: V1 }])).rejects.toThrow(/8 numbers/);
      const bad = atAngle(0);
      bad[3] = Number.NaN;
      await expect(store.upsert([{ id: randomUUID(), tenantId, vector: bad, version: V1 }])).rejects.toThrow(/finite/);
      await expect(store.search({ tenantId, vector: [1], version: V1, limit: 1 })).rejects.toThrow(/8 numbers/);
    });

    it('breaks score ties by id', async () => {
      const tenant = await newTenant();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      await store.upsert(ids.map((id) => point(id, 25, V1, tenant)));
      expect(idsOf(await search(0, { tenant }))).toEqual([...ids].sort());
    });
  });
}

contract({
  name: 'PostgreSQL',
  create: async () => new PostgresVectorStore({ dimension: DIMENSION, cacheBytes: CACHE_BYTES }),
  cleanup: async () => {},
});

// Always: our Qdrant store against a local stand-in of Qdrant's REST API, with what it sends checked below.
let standIn: TQdrantStandIn | undefined;
const STAND_IN_COLLECTION = 'sitework_contract_stand_in';
contract({
  name: 'Qdrant (local stand-in)',
  create: async () => {
    standIn = await startQdrantStandIn();
    return new QdrantVectorStore({ url: standIn.url, collection: STAND_IN_COLLECTION, dimension: DIMENSION });
  },
  cleanup: async () => standIn?.close(),
});

describe('Qdrant requests (as the stand-in recorded them)', () => {
  const recorded = (method: string, suffix: string) =>
    standIn!.requests.filter((r) => r.method === method && r.path === `/collections/${STAND_IN_COLLECTION}${suffix}`);
  const tenantOf = (body: Record<string, unknown>) =>
    ((body.filter as { must?: { key: string; match: { value?: unknown } }[] } | undefined)?.must ?? []).find((c) => c.key === 'tenant_id')?.match.value;

  it('declares one cosine collection with a keyword index on tenant_id marked as the tenant key', () => {
    expect(recorded('PUT', '')).toHaveLength(1);
    expect(recorded('PUT', '')[0].body.vectors).toEqual({ size: DIMENSION, distance: 'Cosine' });
    const indexes = recorded('PUT', '/index').map((r) => r.body);
    expect(indexes).toContainEqual({ field_name: 'tenant_id', field_schema: { type: 'keyword', is_tenant: true } });
  });

  it('filters every search, count and delete by tenant', () => {
    const reads = [...recorded('POST', '/points/query'), ...recorded('POST', '/points/count'), ...recorded('POST', '/points/delete')];
    expect(reads.length).toBeGreaterThan(10);
    for (const request of reads) expect(tenantOf(request.body), JSON.stringify(request.body)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stores each point under an id derived from tenant and estimate, with both in the payload', () => {
    const points = recorded('PUT', '/points').flatMap((r) => r.body.points as { id: string; payload: Record<string, string> }[]);
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) {
      expect(point.id).toBe(qdrantPointId(point.payload.tenant_id, point.payload.estimate_id));
      expect(point.id).not.toBe(point.payload.estimate_id);
    }
  });
});

const qdrantUrl = process.env.QDRANT_URL;
if (qdrantUrl) {
  const collection = `sitework_contract_${randomBytes(5).toString('hex')}`;
  contract({
    name: 'Qdrant',
    create: async () => new QdrantVectorStore({ url: qdrantUrl, apiKey: process.env.QDRANT_API_KEY, collection, dimension: DIMENSION }),
    cleanup: async () => {
      await new QdrantClient({ url: qdrantUrl, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false }).deleteCollection(collection);
    },
  });
} else {
  const message = 'Qdrant contract skipped: set QDRANT_URL to run it';
  console.warn(message);
  describe.skip(message, () => {
    it('runs the vector store contract against Qdrant', () => {});
  });
}

describe('PostgreSQL vector store cache', () => {
  const create = (dimension = DIMENSION) => new PostgresVectorStore({ dimension, cacheBytes: CACHE_BYTES });
  const point = (tenantId: string, id: string, degrees: number) => ({ id, tenantId, vector: atAngle(degrees), version: V1 });
  const search = (store: TVectorStore, tenantId: string, degrees = 0) => store.search({ tenantId, vector: atAngle(degrees), version: V1, limit: 10 });

  it("sees another process's upserts, updates and deletes after it cached the tenant", async () => {
    const tenant = await newTenant();
    const writer = create();
    const reader = create();
    const first = randomUUID();
    const second = randomUUID();
    await writer.upsert([point(tenant, first, 10)]);
    expect(idsOf(await search(reader, tenant))).toEqual([first]);

    await writer.upsert([point(tenant, second, 5)]);
    expect(idsOf(await search(reader, tenant))).toEqual([second, first]);

    await writer.upsert([point(tenant, second, 80)]);
    const updated = await search(reader, tenant);
    expect(idsOf(updated)).toEqual([first, second]);
    expect(updated[1].score).toBeCloseTo(Math.cos((80 * Math.PI) / 180), 5);

    await writer.delete(tenant, [first]);
    expect(idsOf(await search(reader, tenant))).toEqual([second]);
    await writer.deleteTenant(tenant);
    expect(await search(reader, tenant)).toEqual([]);
    await writer.upsert([point(tenant, first, 0)]);
    expect(idsOf(await search(reader, tenant))).toEqual([first]);
  });

  it('after deletions keeps the other cached points, without stale or lost rows, and sees a deleted id come back', async () => {
    const tenant = await newTenant();
    const writer = create();
    const reader = create();
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await writer.upsert(ids.map((id, i) => point(tenant, id, i + 1)));
    expect(idsOf(await search(reader, tenant))).toEqual(ids.slice(0, 10));
    // Drop every other one of the best twenty, then bring one back pointing elsewhere.
    const dropped = ids.slice(0, 20).filter((_, i) => i % 2 === 0);
    await writer.delete(tenant, dropped);
    await writer.upsert([point(tenant, dropped[0], 89)]);
    const kept = ids.filter((id) => !dropped.includes(id));
    expect(idsOf(await search(reader, tenant))).toEqual(kept.slice(0, 10));
    const all = await reader.search({ tenantId: tenant, vector: atAngle(0), version: V1, limit: 100 });
    expect(all).toHaveLength(kept.length + 1);
    expect(all.find((m) => m.id === dropped[0])?.score).toBeCloseTo(Math.cos((89 * Math.PI) / 180), 5);
    expect(await reader.count(tenant)).toBe(kept.length + 1);
  });

  it('finds a point whose transaction took its seq early but committed after a later write was seen', async () => {
    const tenant = await newTenant();
    const reader = create();
    const late = randomUUID();
    const early = randomUUID();
    await reader.upsert([point(tenant, randomUUID(), 60)]);
    expect(await search(reader, tenant)).toHaveLength(1);

    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let written!: () => void;
    const isWritten = new Promise<void>((resolve) => (written = resolve));
    // As the store's upsert does: an xid first, then the row (and its seq), then a slow commit.
    const slowWrite = withPlatform(async (tx) => {
      await tx.execute(sql`select pg_current_xact_id()`);
      await tx.insert(vectorPoints).values({ tenantId: tenant, id: late, vector: Buffer.from(new Float32Array(atAngle(0)).buffer), version: V1 });
      written();
      await committing;
    });
    await isWritten;
    await create().upsert([point(tenant, early, 30)]);
    expect(idsOf(await search(reader, tenant))).toEqual([early, expect.any(String)]);

    commit();
    await slowWrite;
    expect(idsOf(await search(reader, tenant))[0]).toBe(late);
    expect(await search(reader, tenant)).toHaveLength(3);
  });

  it('gives the same top 10 as brute force over 2,000 random points', async () => {
    const tenant = await newTenant();
    const dimension = 64;
    const store = create(dimension);
    const random = mulberry32(7);
    const unit = () => {
      const vector = Array.from({ length: dimension }, () => random() * 2 - 1);
      const norm = Math.hypot(...vector);
      return vector.map((value) => value / norm);
    };
    const points = Array.from({ length: 2_000 }, () => ({ id: randomUUID(), tenantId: tenant, vector: unit(), version: V1 }));
    await store.upsert(points);

    for (let q = 0; q < 5; q++) {
      const query = unit();
      const expected = points
        .map((p) => ({ id: p.id, score: p.vector.reduce((sum, value, i) => sum + value * query[i], 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const matches = await store.search({ tenantId: tenant, vector: query, version: V1, limit: 10 });
      expect(idsOf(matches)).toEqual(idsOf(expected));
      matches.forEach((match, i) => expect(match.score).toBeCloseTo(expected[i].score, 5));
    }
  });

  it('times every search in vector_search_seconds under the postgres label', async () => {
    const tenant = await newTenant();
    const searchCount = async () => {
      const { values } = await metrics().vectorSearchSeconds.get();
      return values.find((v) => v.metricName === 'vector_search_seconds_count' && v.labels.backend === 'postgres')?.value ?? 0;
    };
    const before = await searchCount();
    await search(create(), tenant);
    await search(create(), tenant);
    expect(await searchCount()).toBe(before + 2);
  });

  it('is the process-wide store when QDRANT_URL is not set', () => {
    resetVectorStoreForTests();
    const store = vectorStore();
    expect(store.backend).toBe(process.env.QDRANT_URL ? 'qdrant' : 'postgres');
    expect(vectorStore()).toBe(store);
    resetVectorStoreForTests();
    expect(vectorStore()).not.toBe(store);
  });

  it('answers concurrent searches of a tenant correctly while it loads', async () => {
    const tenant = await newTenant();
    const points = [0, 20, 40].map((deg) => point(tenant, randomUUID(), deg));
    await create().upsert(points);
    const reader = create();
    const results = await Promise.all(Array.from({ length: 8 }, () => search(reader, tenant)));
    for (const matches of results) expect(idsOf(matches)).toEqual(points.map((p) => p.id));
  });

  it('keeps answering correctly for tenants evicted from a small cache', async () => {
    const tenants = [await newTenant(), await newTenant(), await newTenant()];
    const dimension = 1024;
    // Room for about one tenant of 2,000 points of 1,024 dimensions (8 MB each).
    const store = new PostgresVectorStore({ dimension, cacheBytes: 12 * 1024 * 1024 });
    const basis = (axis: number) => Array.from({ length: dimension }, (_, i) => (i === axis ? 1 : 0));
    for (const [n, tenant] of tenants.entries()) {
      await store.upsert(Array.from({ length: 2_000 }, (_, i) => ({ id: randomUUID(), tenantId: tenant, vector: basis((i + n) % dimension), version: V1 })));
    }
    for (let round = 0; round < 2; round++) {
      for (const [n, tenant] of tenants.entries()) {
        // Points i and i + 1,024 lie on axis (i + n) mod 1,024: two exact matches, then orthogonal ones.
        const matches = await store.search({ tenantId: tenant, vector: basis(n), version: V1, limit: 3 });
        expect(matches.map((m) => m.score)).toEqual([1, 1, 0]);
        expect(store.cacheStats()).toMatchObject({ tenants: 1 });
        expect(store.cacheStats().bytes).toBeLessThanOrEqual(12 * 1024 * 1024);
      }
    }
  });
});

describe('PostgreSQL vector store cache budget', () => {
  const KIB = 1024;
  /** `count` random unit vectors of `dimension` for the tenant, as points. */
  const randomPoints = (tenantId: string, count: number, dimension: number, seed: number) => {
    const random = mulberry32(seed);
    return Array.from({ length: count }, () => {
      const vector = Array.from({ length: dimension }, () => random() * 2 - 1);
      const norm = Math.hypot(...vector);
      return { id: randomUUID(), tenantId, vector: vector.map((value) => value / norm), version: V1 };
    });
  };
  /** The exact top `limit` by brute force, ties by id. */
  const bruteForce = (points: TVectorPoint[], query: number[], limit: number) =>
    points
      .map((p) => ({ id: p.id, score: p.vector.reduce((sum, value, i) => sum + value * query[i], 0) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  const expectSameMatches = (matches: TVectorMatch[], expected: TVectorMatch[]) => {
    expect(idsOf(matches)).toEqual(idsOf(expected));
    matches.forEach((match, i) => expect(match.score).toBeCloseTo(expected[i].score, 5));
  };
  /** The tenant's transaction, with the number of rows of every statement's result recorded. */
  const recordingRows = (tx: TTx, rowCounts: number[]): TTx =>
    new Proxy(tx, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'execute') return value;
        return async (...args: unknown[]) => {
          const rows = await (value as (...a: unknown[]) => Promise<unknown[]>).apply(target, args);
          rowCounts.push(rows.length);
          return rows;
        };
      },
    });

  it('searches a tenant larger than the budget exactly, reading pages, and never holds more than the budget', async () => {
    const tenant = await newTenant();
    const dimension = 256;
    const budgetBytes = 1024 * KIB;
    // 3,000 points of 1 KiB each: three times the budget.
    const points = randomPoints(tenant, 3_000, dimension, 11);
    const store = new PostgresVectorStore({ dimension, cacheBytes: budgetBytes });
    await store.upsert(points);
    const random = mulberry32(12);
    for (let q = 0; q < 3; q++) {
      const query = Array.from({ length: dimension }, () => random() * 2 - 1);
      const unit = query.map((value) => value / Math.hypot(...query));
      const rowCounts: number[] = [];
      const matches = await withTenant(tenant, (tx) =>
        store.search({ tenantId: tenant, vector: query, version: V1, limit: 10, tx: recordingRows(tx, rowCounts) }),
      );
      expectSameMatches(matches, bruteForce(points, unit, 10));
      // No statement answered the tenant's whole set: the reads went a page (1 MiB of vectors) at a time.
      expect(Math.max(...rowCounts)).toBeLessThanOrEqual(1024);
      expect(rowCounts.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(points.length);
    }
    const excluded = bruteForce(points, atAngleOf(dimension), 2);
    const rest = await store.search({ tenantId: tenant, vector: atAngleOf(dimension), version: V1, limit: 3, excludeIds: [excluded[0].id] });
    expect(idsOf(rest)[0]).toBe(excluded[1].id);
    expect(store.cacheStats()).toMatchObject({ tenants: 0, uncachedSearches: 4 });
    expect(store.cacheStats().peakBytes).toBeLessThanOrEqual(budgetBytes);
  });

  it('evicts the least recently searched tenant for room, and stops caching a tenant that grows past the budget', async () => {
    const [first, second] = [await newTenant(), await newTenant()];
    const dimension = 64;
    // A tenant of 500 points of 64 dimensions is charged about 200 KiB: room for one, not two.
    const budgetBytes = 300 * KIB;
    const store = new PostgresVectorStore({ dimension, cacheBytes: budgetBytes });
    const firstPoints = randomPoints(first, 500, dimension, 21);
    const secondPoints = randomPoints(second, 500, dimension, 22);
    await store.upsert([...firstPoints, ...secondPoints]);
    const query = randomPoints(first, 1, dimension, 23)[0].vector;
    const search = (tenantId: string) => store.search({ tenantId, vector: query, version: V1, limit: 5 });

    expectSameMatches(await search(first), bruteForce(firstPoints, query, 5));
    expect(store.cacheStats()).toMatchObject({ tenants: 1 });
    expectSameMatches(await search(second), bruteForce(secondPoints, query, 5));
    expect(store.cacheStats()).toMatchObject({ tenants: 1 });
    expect(store.cacheStats().bytes).toBeLessThanOrEqual(budgetBytes);

    // 400 more points: the second tenant no longer fits, is dropped and searched by scanning, still exactly.
    const added = randomPoints(second, 400, dimension, 24);
    await store.upsert(added);
    expectSameMatches(await search(second), bruteForce([...secondPoints, ...added], query, 5));
    expect(store.cacheStats().bytes).toBeLessThanOrEqual(budgetBytes);
    expectSameMatches(await search(second), bruteForce([...secondPoints, ...added], query, 5));
    expect(store.cacheStats()).toMatchObject({ tenants: 0, bytes: 0 });

    // Deleting brings it back under the budget: it is cached again.
    await store.delete(second, added.map((p) => p.id));
    expectSameMatches(await search(second), bruteForce(secondPoints, query, 5));
    expect(store.cacheStats()).toMatchObject({ tenants: 1, loads: 3, evictions: 1, uncachedSearches: 2 });
    expect(store.cacheStats().peakBytes).toBeLessThanOrEqual(budgetBytes);
  });

  it('exports its bytes, evictions and uncached searches on /api/metrics', async () => {
    const [first, second] = [await newTenant(), await newTenant()];
    const dimension = 64;
    const store = new PostgresVectorStore({ dimension, cacheBytes: 300 * KIB });
    await store.upsert([...randomPoints(first, 500, dimension, 51), ...randomPoints(second, 900, dimension, 52)]);
    const value = async (name: string) => (await metrics().registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    const before = { bytes: await value('vector_cache_bytes'), evictions: await value('vector_cache_evictions_total'), uncached: await value('vector_search_uncached_total') };
    const search = (tenantId: string) => store.search({ tenantId, vector: atAngleOf(dimension), version: V1, limit: 1 });
    await search(first);
    expect((await value('vector_cache_bytes')) - before.bytes).toBe(store.cacheStats().bytes);
    await search(second);
    expect((await value('vector_search_uncached_total')) - before.uncached).toBe(1);
    await store.upsert(randomPoints(second, 1, dimension, 53));
    await store.delete(second, (await withTenant(second, (tx) => tx.execute<{ id: string }>(sql`select id from vector_points limit 500`))).map((r) => r.id));
    await search(second);
    expect((await value('vector_cache_evictions_total')) - before.evictions).toBe(1);
    expect((await value('vector_cache_bytes')) - before.bytes).toBe(store.cacheStats().bytes);
  });

  it('shares one load among concurrent searches of a tenant that is not cached yet', async () => {
    const tenant = await newTenant();
    const points = randomPoints(tenant, 300, DIMENSION, 31);
    const store = new PostgresVectorStore({ dimension: DIMENSION, cacheBytes: CACHE_BYTES });
    await store.upsert(points);
    const query = points[0].vector;
    const rowCounts: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        withTenant(tenant, (tx) => store.search({ tenantId: tenant, vector: query, version: V1, limit: 5, tx: recordingRows(tx, rowCounts) })),
      ),
    );
    for (const matches of results) expectSameMatches(matches, bruteForce(points, query, 5));
    // The points were read once (then one refresh for the searches that arrived during the load), not eight times.
    expect(rowCounts.reduce((sum, n) => sum + n, 0)).toBeLessThan(2 * points.length);
    expect(store.cacheStats()).toMatchObject({ tenants: 1, loads: 1, uncachedSearches: 0 });
  });

  it('never lets concurrent loads of two tenants hold more than the budget together', async () => {
    const tenants = [await newTenant(), await newTenant()];
    const dimension = 64;
    // Each tenant needs about 200 KiB of a 300 KiB budget: whichever reserves first is cached, the other scanned.
    const budgetBytes = 300 * KIB;
    const store = new PostgresVectorStore({ dimension, cacheBytes: budgetBytes });
    const pointsOf = tenants.map((tenant, n) => randomPoints(tenant, 500, dimension, 41 + n));
    await store.upsert(pointsOf.flat());
    const query = randomPoints(tenants[0], 1, dimension, 43)[0].vector;
    const searches = tenants.flatMap((tenantId, n) =>
      Array.from({ length: 3 }, async () => {
        const matches = await store.search({ tenantId, vector: query, version: V1, limit: 5 });
        expectSameMatches(matches, bruteForce(pointsOf[n], query, 5));
      }),
    );
    await Promise.all(searches);
    const stats = store.cacheStats();
    expect(stats.peakBytes).toBeGreaterThan(0);
    expect(stats.peakBytes).toBeLessThanOrEqual(budgetBytes);
    expect(stats.bytes).toBeLessThanOrEqual(budgetBytes);
    expect(stats.uncachedSearches).toBeGreaterThan(0);
  });
});
