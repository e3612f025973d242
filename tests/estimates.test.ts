import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { costEstimates, estimateIndexOutbox, vectorReindexRuns } from '@/db/schema/estimates';
import { usageEvents } from '@/db/schema/usage';
import { seedDemoData } from '@/db/seed';
import { createReindexRun, drainIndexOutbox, embedder, runReindex, setEmbedderForTests, ZEstimateInput, type TCostEstimate } from '@/lib/estimates';
import { metrics } from '@/lib/telemetry';
import { flushUsage } from '@/lib/usage';
import { vectorStore, type TVectorStore } from '@/lib/vectors';
import * as estimateRoute from '../app/api/v1/estimates/[id]/route';
import * as similarRoute from '../app/api/v1/estimates/[id]/similar/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import * as searchRoute from '../app/api/v1/estimates/search-similar/route';
import { houseEstimate, roadEstimate, syntheticBodies } from './support/estimates';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TCallResult, type TDemo } from './support/http';

/**
 * Cost estimates end to end through the API: validation (the offending row named), exact totals checked by the
 * database, keyset lists, the index outbox (a vector store outage delays indexing, loses nothing; a deletion is
 * out of results at once), similarity search with its summary, metering and the reindex run.
 */

let demo: TDemo;
let acmeKey: string;
let globexKey: string;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  acmeKey = await createKey('acme', 'owner', ['estimates:read', 'estimates:write']);
  globexKey = await createKey('globex', 'owner', ['estimates:read', 'estimates:write']);
});

const acme = () => ({ host: hostOf('acme'), apiKey: acmeKey });

async function create(body: unknown, credentials = acme()): Promise<TCallResult> {
  return callRoute(estimatesRoute.POST, { method: 'POST', path: '/api/v1/estimates', body, ...credentials });
}

async function created(body: TCostEstimate, credentials = acme()): Promise<{ id: string; totalCostCents: number }> {
  const result = await create(body, credentials);
  expect(result.status, result.text).toBe(201);
  return result.body.estimate;
}

const estimateCount = async () => (await ownerDb().select({ n: sql<number>`count(*)::int` }).from(costEstimates))[0].n;

/** A vector store that can be switched off, standing in for a Qdrant outage in front of the real store. */
function switchableStore(inner: TVectorStore): TVectorStore & { isDown: boolean } {
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (store.isDown) throw new Error('connect ECONNREFUSED (vector store down)');
      return fn(...args);
    };
  const store = {
    isDown: false,
    backend: inner.backend,
    isRemote: inner.isRemote,
    ensureReady: guard(inner.ensureReady.bind(inner)),
    upsert: guard(inner.upsert.bind(inner)),
    delete: guard(inner.delete.bind(inner)),
    deleteTenant: guard(inner.deleteTenant.bind(inner)),
    search: guard(inner.search.bind(inner)),
    count: guard(inner.count.bind(inner)),
  };
  return store;
}

describe('creating an estimate', () => {
  it('computes every cost part in integer cents and stores the row the database agrees with', async () => {
    const estimate = await created(houseEstimate({ name: `House ${Date.now()}` }));
    expect(estimate).toMatchObject({
      materialsCostCents: 962_000 + 483_000 + 342_000,
      laborCostCents: 5_760_000,
      equipmentCostCents: 360_000,
      totalCostCents: 7_907_000,
      embeddingVersion: null,
    });
    const [row] = await ownerDb().select().from(costEstimates).where(eq(costEstimates.id, estimate.id));
    expect(row.tenantId).toBe(demo.acme.id);
    expect(row.createdByApiKeyId).not.toBeNull();
    const [outbox] = await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, estimate.id));
    expect(outbox).toMatchObject({ op: 'upsert', tenantId: demo.acme.id });
  });

  it('rounds each line half up on its own and accepts unit spellings, stored canonically', async () => {
    const body = houseEstimate({
      materials: [
        { name: 'Screws', category: 'fixings', quantity: 2.5, unit: 'pcs', unitCostCents: 3 }, // 7.5 → 8
        { name: 'Glue', category: 'fixings', quantity: 0.5, unit: 'L', unitCostCents: 5 }, // 2.5 → 3
      ],
      laborHours: 0,
      equipmentHours: 0,
    });
    const estimate = await created(body);
    expect(estimate.totalCostCents).toBe(11);
    const [row] = await ownerDb().select().from(costEstimates).where(eq(costEstimates.id, estimate.id));
    expect(row.materials.map((m) => m.unit)).toEqual(['each', 'l']);
  });

  it.each([
    ['a negative quantity', { quantity: -2 }, 'materials.1.quantity', /must not be negative/],
    ['an unknown unit', { unit: 'm4' }, 'materials.1.unit', /unknown unit "m4"/],
    ['a fractional cent price', { unitCostCents: 10.5 }, 'materials.1.unitCostCents', /whole number of cents/],
    ['a line total that does not add up', { lineCostCents: 1 }, 'materials.1.lineCostCents', /row 2 \(OSB sheathing\): 420 m² × 1150 cents = 483000 cents, not 1/],
  ])('refuses %s with 400 naming the row, and stores nothing', async (_case, change, field, message) => {
    const body = houseEstimate();
    const materials = body.materials.map((m, i) => (i === 1 ? { ...m, ...change } : m));
    const before = await estimateCount();
    const result = await create({ ...body, materials });
    expectError(result, 400, 'validation_failed');
    expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
    expect(await estimateCount()).toBe(before);
  });

  it('refuses a total that does not add up, and unknown or malformed fields', async () => {
    const mismatch = await create({ ...houseEstimate(), totalCostCents: 7_906_999 });
    expectError(mismatch, 400, 'validation_failed', /add up to 7907000 cents, not 7906999/);
    expectError(await create({ ...houseEstimate(), discount: 5 }), 400, 'validation_failed', /discount: is not a known field/);
    expectError(await create({ ...houseEstimate(), currency: 'euro' }), 400, 'validation_failed', /currency/);
    expectError(await create({ ...houseEstimate(), location: { country: 'Germany' } }), 400, 'validation_failed', /country/);
    expectError(await create('{"name": '), 400, 'invalid_json');
  });

  it("refuses another tenant's file as the source file (the foreign key alone would accept it)", async () => {
    const [globexFile] = await ownerDb().execute<{ id: string }>(sql`
      insert into files (tenant_id, filename, extension, content_type, size_bytes, storage_key)
      values (${demo.globex.id}, 'plan.pdf', 'pdf', 'application/pdf', 10, 'k/plan.pdf') returning id`);
    const before = await estimateCount();
    expectError(await create({ ...houseEstimate(), sourceFileId: globexFile.id }), 400, 'validation_failed', /sourceFileId/);
    expect(await estimateCount()).toBe(before);
  });

  it('accepts every synthetic estimate (the demo seed and the benchmarks write them through this schema)', () => {
    for (const estimate of syntheticBodies(400)) {
      const parsed = ZEstimateInput.safeParse(estimate);
      expect(parsed.error?.issues, estimate.name).toBeUndefined();
    }
  });

  it('is held to exact totals by the database itself, whatever code writes the row', async () => {
    const attempt = ownerDb().execute(sql`
      insert into cost_estimates (tenant_id, project, name, country, materials, labor_rate_cents, labor_hours,
        equipment_rate_cents, equipment_hours, materials_cost_cents, labor_cost_cents, equipment_cost_cents,
        total_cost_cents, currency)
      values (${demo.acme.id}, 'p', 'n', 'DE', '[{"name":"x","category":"c","quantity":2.5,"unit":"each","unitCostCents":3}]',
        0, 0, 0, 0, 7, 0, 0, 7, 'EUR')`);
    const error = await attempt.then(() => null, (e: unknown) => e as { cause?: { constraint_name?: string } });
    expect(error?.cause?.constraint_name).toBe('cost_estimates_materials_cost_check');
  });
});

describe('listing, reading, replacing and deleting', () => {
  it('pages through every estimate once in each order, and filters by text', async () => {
    const marker = `L${Date.now()}`;
    for (const [i, labor] of [900, 100, 500, 300].entries()) {
      await created(houseEstimate({ name: `${marker} ${String.fromCharCode(100 - i)}`, laborHours: labor }));
    }
    const expectations: Record<string, (a: { totalCostCents: number; name: string }, b: { totalCostCents: number; name: string }) => boolean> = {
      total_desc: (a, b) => a.totalCostCents >= b.totalCostCents,
      total_asc: (a, b) => a.totalCostCents <= b.totalCostCents,
      name: (a, b) => a.name.toLowerCase() <= b.name.toLowerCase(),
      newest: () => true,
      oldest: () => true,
    };
    for (const [sort, inOrder] of Object.entries(expectations)) {
      const seen: { id: string; totalCostCents: number; name: string }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?q=${marker}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await callRoute(estimatesRoute.GET, { path: `/api/v1/estimates${query}`, ...acme() });
        expect(page.status, page.text).toBe(200);
        seen.push(...page.body.estimates);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen.map((e) => e.id)).size, sort).toBe(4);
      for (let i = 1; i < seen.length; i++) expect(inOrder(seen[i - 1], seen[i]), `${sort} at ${i}`).toBe(true);
    }
    const cursorOfOtherSort = (await callRoute(estimatesRoute.GET, { path: `/api/v1/estimates?q=${marker}&sort=name&limit=1`, ...acme() })).body.nextCursor;
    expectError(await callRoute(estimatesRoute.GET, { path: `/api/v1/estimates?sort=newest&cursor=${cursorOfOtherSort}`, ...acme() }), 400, 'validation_failed');
  });

  it('replaces an estimate (its vector is rebuilt) and deletes it', async () => {
    const { id } = await created(houseEstimate());
    const replaced = await callRoute(estimateRoute.PUT, {
      method: 'PUT',
      path: `/api/v1/estimates/${id}`,
      params: { id },
      body: { ...houseEstimate(), laborHours: 0 },
      ...acme(),
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.estimate.totalCostCents).toBe(7_907_000 - 5_760_000);
    const queued = await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, id));
    expect(queued.map((row) => row.op)).toEqual(['upsert', 'upsert']);
    const removed = await callRoute(estimateRoute.DELETE, { method: 'DELETE', path: `/api/v1/estimates/${id}`, params: { id }, ...acme() });
    expect(removed.status).toBe(204);
    expectError(await callRoute(estimateRoute.GET, { path: `/api/v1/estimates/${id}`, params: { id }, ...acme() }), 404, 'not_found');
    const afterDelete = await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, id));
    expect(afterDelete.map((row) => row.op)).toEqual(['upsert', 'upsert', 'delete']);
  });
});

describe('the index outbox and similarity search', () => {
  const search = (body: unknown, credentials = acme()) =>
    callRoute(searchRoute.POST, { method: 'POST', path: '/api/v1/estimates/search-similar', body, ...credentials });
  const similar = (id: string, query = '') => callRoute(similarRoute.GET, { path: `/api/v1/estimates/${id}/similar${query}`, params: { id }, ...acme() });

  it('indexes an estimate created while the vector store is down once it is back, and drops a deleted one at once', async () => {
    const store = switchableStore(vectorStore());
    await drainIndexOutbox({ store }, { ignoreBackoff: true });
    const materials = [...houseEstimate().materials, { name: `Marker outage ${Date.now()}`, category: 'sealants', quantity: 50, unit: 'each', unitCostCents: 10_000 }];
    store.isDown = true;
    const house = await created(houseEstimate({ materials }));
    const twin = await created(houseEstimate({ materials, name: 'Twin house', laborHours: 1_150 }));
    const failed = await drainIndexOutbox({ store }, { ignoreBackoff: true });
    expect(failed.failed).toBeGreaterThanOrEqual(2);
    const [kept] = await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, house.id));
    expect(kept).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/vector store down/) });
    // Not before its backoff: a drain honouring it leaves the rows alone.
    expect((await drainIndexOutbox({ store })).upserted).toBe(0);

    store.isDown = false;
    const applied = await drainIndexOutbox({ store }, { ignoreBackoff: true });
    expect(applied.upserted).toBeGreaterThanOrEqual(2);
    expect(await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, house.id))).toEqual([]);
    const [indexed] = await ownerDb().select().from(costEstimates).where(eq(costEstimates.id, house.id));
    expect(indexed.embeddingVersion).toBe(embedder().version);
    const found = await similar(house.id);
    expect(found.status, found.text).toBe(200);
    expect(found.body.results[0].estimate.id).toBe(twin.id);

    // Deleted: gone from results before the outbox row is applied (results are read back from Postgres).
    await callRoute(estimateRoute.DELETE, { method: 'DELETE', path: `/api/v1/estimates/${twin.id}`, params: { id: twin.id }, ...acme() });
    const afterDelete = await similar(house.id);
    expect(afterDelete.body.results.map((r: { estimate: { id: string } }) => r.estimate.id)).not.toContain(twin.id);
    const storedBefore = await vectorStore().count(demo.acme.id);
    await drainIndexOutbox({}, { ignoreBackoff: true });
    expect(await vectorStore().count(demo.acme.id)).toBe(storedBefore - 1);
  });

  it('ranks the same kind of project first and summarises the neighbours', async () => {
    const marker = `Rank ${Date.now()}`;
    const house = await created(houseEstimate({ project: marker }));
    const similarHouse = await created(
      houseEstimate({
        project: marker,
        name: 'Similar house',
        materials: houseEstimate().materials.map((m) => ({ ...m, quantity: Math.round(m.quantity * 1.1 * 100) / 100 })),
        laborHours: 1_300,
      }),
    );
    const road = await created(roadEstimate({ project: marker }));
    await drainIndexOutbox({}, { ignoreBackoff: true });

    const result = await similar(house.id, '?limit=50');
    expect(result.status, result.text).toBe(200);
    const ids = result.body.results.map((r: { estimate: { id: string } }) => r.estimate.id);
    expect(ids).not.toContain(house.id);
    expect(ids.indexOf(similarHouse.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(similarHouse.id)).toBeLessThan(ids.indexOf(road.id));
    const scores = result.body.results.map((r: { score: number }) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(result.body.summary).toMatchObject({ count: ids.length, currency: 'EUR' });
    expect(result.body.summary.confidence).toBeGreaterThan(0);
    expect(result.body.summary.confidence).toBeLessThanOrEqual(1);

    const threshold = result.body.results.find((r: { estimate: { id: string } }) => r.estimate.id === similarHouse.id).score;
    const close = await similar(house.id, `?score_threshold=${threshold}`);
    expect(close.body.results.every((r: { score: number }) => r.score >= threshold)).toBe(true);
    expect(close.body.results.map((r: { estimate: { id: string } }) => r.estimate.id)).not.toContain(road.id);
  });

  it('searches by description, with the average, range, dominant material and confidence of the neighbours', async () => {
    // A line no other test's estimate has, so these two are the nearest whatever else the tenant holds.
    const marker = { name: `Marker sealant ${Date.now()}`, category: 'sealants', quantity: 50, unit: 'each', unitCostCents: 10_000 };
    const materials = [...houseEstimate().materials, marker];
    const a = await created(houseEstimate({ name: 'A', materials }));
    const b = await created(houseEstimate({ name: 'B', materials, laborHours: 1_000 }));
    await drainIndexOutbox({}, { ignoreBackoff: true });
    const { project: _p, name: _n, ...described } = houseEstimate({ materials });
    const result = await search({ ...described, limit: 2 });
    expect(result.status, result.text).toBe(200);
    const top = result.body.results.map((r: { estimate: { id: string } }) => r.estimate.id);
    expect(top).toHaveLength(2);
    expect(top[0]).toBe(a.id);
    const totals = result.body.results.map((r: { estimate: { totalCostCents: number } }) => r.estimate.totalCostCents);
    const summary = result.body.summary;
    expect(summary.averageCostCents).toBe(Math.round((totals[0] + totals[1]) / 2));
    expect(summary.costRange).toEqual({ minCents: Math.min(...totals), maxCents: Math.max(...totals) });
    // Timber studs are the largest material line (962,000 cents): the job costs total ÷ 18.5 m³ per m³ of them.
    expect(summary.dominantMaterial).toMatchObject({ name: 'Timber studs C24', unit: 'm³', averageUnitCostCents: 52_000, estimates: 2 });
    expect(summary.dominantMaterial.totalCostPerUnitCents).toBe(Math.round((totals[0] / 18.5 + totals[1] / 18.5) / 2));
    expect(b.id).toBeDefined();

    expectError(await search({ ...described, limit: 51 }), 400, 'validation_failed', /limit/);
    expectError(await search({ ...described, materials: [] }), 400, 'validation_failed', /materials/);
  });

  it("never returns another tenant's estimate, even an identical one", async () => {
    const marker = `Isolated ${Date.now()}`;
    const acmeHouse = await created(houseEstimate({ project: marker }));
    const globexHouse = await created(houseEstimate({ project: marker }), { host: hostOf('globex'), apiKey: globexKey });
    await drainIndexOutbox({}, { ignoreBackoff: true });
    const { project: _p, name: _n, ...described } = houseEstimate();
    const fromGlobex = await search({ ...described, limit: 50 }, { host: hostOf('globex'), apiKey: globexKey });
    const globexIds = fromGlobex.body.results.map((r: { estimate: { id: string } }) => r.estimate.id);
    expect(globexIds).toContain(globexHouse.id);
    expect(globexIds).not.toContain(acmeHouse.id);
    expectError(
      await callRoute(similarRoute.GET, { path: `/api/v1/estimates/${acmeHouse.id}/similar`, params: { id: acmeHouse.id }, host: hostOf('globex'), apiKey: globexKey }),
      404,
      'not_found',
    );
  });

  it("never has one estimate in two drains at once: a slow drain's older vector cannot land after the newer one", async () => {
    await drainIndexOutbox({}, { ignoreBackoff: true });
    const marker = { name: `Marker drain race ${Date.now()}`, category: 'sealants', quantity: 400, unit: 'each' as const, unitCostCents: 90_000 };
    const before = houseEstimate({ materials: [...houseEstimate().materials, marker] });
    const after = roadEstimate({ materials: [...roadEstimate().materials, marker] });
    const { id } = await created(before);
    const base = embedder();
    let release!: () => void;
    let entered!: () => void;
    const isEmbedding = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stalled = { version: base.version, dimension: base.dimension, embed: async (estimate: TCostEstimate) => (entered(), await gate, base.embed(estimate)) };

    // A drain has claimed the estimate and is slow to embed it; meanwhile the estimate changes.
    const slowDrain = drainIndexOutbox({ embedder: stalled });
    await isEmbedding;
    const replaced = await callRoute(estimateRoute.PUT, { method: 'PUT', path: `/api/v1/estimates/${id}`, params: { id }, body: after, ...acme() });
    expect(replaced.status).toBe(200);
    // Another drain leaves the newer change alone while the first one holds the estimate...
    await drainIndexOutbox({}, { ignoreBackoff: true });
    expect(await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, id))).toHaveLength(2);
    release();
    await slowDrain;
    // ...and applies it after: the stored vector is the newer estimate's.
    await drainIndexOutbox({}, { ignoreBackoff: true });
    expect(await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, id))).toEqual([]);
    const { project: _p, name: _n, ...described } = after;
    const found = await search({ ...described, limit: 1 });
    expect(found.body.results[0]).toMatchObject({ estimate: { id }, score: expect.closeTo(1, 3) });
  });

  it('answers more concurrent searches than the connection pool holds (a search takes no second connection)', async () => {
    const { config } = await import('@/lib/config');
    const { project: _p, name: _n, ...described } = houseEstimate();
    const searches = Array.from({ length: config().DATABASE_POOL_MAX * 2 }, () => search(described));
    const results = await Promise.race([
      Promise.all(searches),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('searches deadlocked on the connection pool')), 10_000)),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
  }, 15_000);

  it('meters each search as a cost_estimate event and times it in vector_search_seconds', async () => {
    const { project: _p, name: _n, ...described } = houseEstimate();
    const countOf = async () =>
      (
        await ownerDb()
          .select({ n: sql<number>`count(*)::int` })
          .from(usageEvents)
          .where(and(eq(usageEvents.tenantId, demo.acme.id), eq(usageEvents.eventType, 'cost_estimate')))
      )[0].n;
    await flushUsage();
    const before = await countOf();
    expect((await search(described)).status).toBe(200);
    expect((await search(described)).status).toBe(200);
    await flushUsage();
    expect(await countOf()).toBe(before + 2);
    const histogram = await metrics().registry.getSingleMetricAsString('vector_search_seconds');
    expect(histogram).toMatch(/vector_search_seconds_count\{backend="postgres"\} [1-9]/);
  });

  it('answers 503, not 500, when the embedder (or the store) is unreachable during a search', async () => {
    const working = embedder();
    setEmbedderForTests({ ...working, embed: () => Promise.reject(new Error('connect ECONNREFUSED (embedding endpoint down)')) });
    try {
      const { project: _p, name: _n, ...described } = houseEstimate();
      expectError(await search(described), 503, 'unavailable', /try again/);
    } finally {
      setEmbedderForTests(undefined);
    }
  });
});

describe('deleting a tenant', () => {
  it('takes its estimates, outbox rows and vectors with it', async () => {
    const { createTenant, withPlatform, withTenant } = await import('@/lib/tenancy');
    const { tenants } = await import('@/db/schema/tenancy');
    const { insertEstimates } = await import('@/lib/estimates');
    const doomed = await withPlatform((tx) => createTenant(tx, { name: 'Doomed', slug: `doomed-${Date.now()}` }));
    await withTenant(doomed.id, (tx) => insertEstimates(tx, { tenantId: doomed.id, userId: null, apiKeyId: null }, [ZEstimateInput.parse(houseEstimate())]));
    await drainIndexOutbox({}, { ignoreBackoff: true });
    expect(await vectorStore().count(doomed.id)).toBe(1);
    await withPlatform((tx) => tx.delete(tenants).where(eq(tenants.id, doomed.id)));
    expect(await vectorStore().count(doomed.id)).toBe(0);
  });
});

describe('rebuilding the vectors', () => {
  it('re-embeds every estimate of a tenant and records the progress', async () => {
    const run = await createReindexRun({ tenantId: demo.globex.id, requestedBy: demo.operator.id });
    expect(run.status).toBe('queued');
    const done = await runReindex(run.id);
    const globexCount = (
      await ownerDb().select({ n: sql<number>`count(*)::int` }).from(costEstimates).where(eq(costEstimates.tenantId, demo.globex.id))
    )[0].n;
    expect(done).toMatchObject({ status: 'done', totalEstimates: globexCount, indexedEstimates: globexCount, embeddingVersion: embedder().version });
    expect(await vectorStore().count(demo.globex.id)).toBe(globexCount);
    const [row] = await ownerDb().select().from(vectorReindexRuns).where(eq(vectorReindexRuns.id, run.id));
    expect(row.finishedAt).not.toBeNull();
  });

  it('records a failed run with the reason', async () => {
    const down = switchableStore(vectorStore());
    down.isDown = true;
    const run = await createReindexRun({ requestedBy: null });
    await expect(runReindex(run.id, { store: down })).rejects.toThrow(/vector store down/);
    const [row] = await ownerDb().select().from(vectorReindexRuns).where(eq(vectorReindexRuns.id, run.id));
    expect(row).toMatchObject({ status: 'failed', error: expect.stringMatching(/vector store down/) });
  });
});
