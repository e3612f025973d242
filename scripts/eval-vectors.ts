/**
 * `npm run eval:vectors`: how well similarity search finds the same kind of project, measured on synthetic
 * estimates (lib/estimates/synthetic.ts) stored and indexed through the product's own path.
 *
 *   npm run eval:vectors -- [--count=2000] [--held-out=200] [--seed=1] [--difficulty=both|standard|hard] [--k=5]
 *
 * For each difficulty: `count` estimates of eight archetypes are inserted for a fresh tenant (insertEstimates, so
 * validated and queued in the index outbox) and indexed by the vector-index drain into the PostgreSQL store; then
 * `held-out` further estimates, never stored, are the queries:
 * - precision@k: the share of each query's k nearest stored estimates that are of the query's archetype
 *   (target ≥ 0.95, the seeds' "vector search accuracy > 95 %");
 * - MdAPE: the median absolute percentage error of the cost predicted as the mean total of those k neighbours;
 * - with QDRANT_URL set: recall@10 of Qdrant against the exact PostgreSQL search for the same queries (target ≥ 0.99).
 * Uses DATABASE_URL when set (the tenant is deleted afterwards), else a throwaway embedded PostgreSQL in .data/eval.
 * Exits 1 when a target is missed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { migrateDatabase } from '../db/migrate';

const PRECISION_TARGET = 0.95;
const RECALL_TARGET = 0.99;
const RECALL_K = 10;

function flag(name: string, fallback: string): string {
  const match = process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`));
  return match ? match.slice(name.length + 3) : fallback;
}

function integerFlag(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const count = integerFlag('count', 2_000);
  const heldOut = integerFlag('held-out', 200);
  const seed = integerFlag('seed', 1);
  const k = integerFlag('k', 5);
  const difficultyFlag = flag('difficulty', 'both');
  if (!['both', 'standard', 'hard'].includes(difficultyFlag)) throw new Error('--difficulty must be both, standard or hard');
  const difficulties = difficultyFlag === 'both' ? (['standard', 'hard'] as const) : [difficultyFlag as 'standard' | 'hard'];

  const stops: Array<() => Promise<void>> = [];
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString('base64url');
  process.env.LOG_LEVEL ??= 'warn';
  if (!process.env.DATABASE_URL) {
    const dataDir = path.join('.data', 'eval');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const pg = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), ['sitework'], { disposable: true });
    stops.push(() => pg.stop());
    process.env.DATABASE_URL = pg.urlFor('sitework');
    process.env.PORT ??= String(await freePort());
  }
  await migrateDatabase(process.env.DATABASE_URL, { appRoleSecret: process.env.DATABASE_APP_URL ? undefined : process.env.NEXTAUTH_SECRET });

  const { generateEstimates, insertEstimates, drainIndexOutbox, embedder, totalCostCents, ZEstimateInput } = await import('../lib/estimates');
  const { PostgresVectorStore, QdrantVectorStore } = await import('../lib/vectors');
  const { createTenant, withPlatform, withTenant } = await import('../lib/tenancy');
  const { tenants } = await import('../db/schema/tenancy');
  const { eq } = await import('drizzle-orm');
  const { config } = await import('../lib/config');
  const { closeDb } = await import('../db/client');

  const settings = config();
  const currentEmbedder = embedder();
  const exact = new PostgresVectorStore({ dimension: currentEmbedder.dimension, cacheBytes: settings.VECTOR_CACHE_MB * 1024 * 1024 });
  // A collection of its own, dropped at the end: the evaluation never touches the product's.
  const evalCollection = `${settings.QDRANT_COLLECTION}_eval_${randomBytes(3).toString('hex')}`;
  const qdrant = settings.QDRANT_URL
    ? new QdrantVectorStore({ url: settings.QDRANT_URL, apiKey: settings.QDRANT_API_KEY, collection: evalCollection, dimension: currentEmbedder.dimension })
    : null;
  let failed = false;
  say(`embedder ${currentEmbedder.version}; ${count} stored and ${heldOut} held-out estimates per difficulty, seed ${seed}, k = ${k}`);
  say(qdrant ? 'Qdrant: QDRANT_URL is set, recall@10 against exact search follows' : 'Qdrant: QDRANT_URL not set, recall@10 skipped');
  say('');
  say('| data | precision@k | MdAPE of predicted cost | recall@10 (Qdrant vs exact) |');
  say('| --- | ---: | ---: | ---: |');

  for (const difficulty of difficulties) {
    const generated = generateEstimates({ count: count + heldOut, seed, difficulty });
    // Held-out queries are spread over the archetypes too: every (count+heldOut)/heldOut-th estimate.
    const stride = Math.floor((count + heldOut) / heldOut);
    const queries = generated.filter((_, i) => i % stride === 0).slice(0, heldOut);
    const stored = generated.filter((g) => !queries.includes(g));
    // Enterprise: no cap on the number of estimates.
    const tenant = await withPlatform((tx) => createTenant(tx, { name: `Eval ${difficulty}`, slug: `eval-${difficulty}-${randomBytes(3).toString('hex')}`, plan: 'enterprise' }));
    try {
      const archetypeOf = new Map<string, string>();
      const BATCH = 1_000;
      for (let i = 0; i < stored.length; i += BATCH) {
        const batch = stored.slice(i, i + BATCH);
        const inserted = await withTenant(tenant.id, (tx) =>
          insertEstimates(
            tx,
            { tenantId: tenant.id, userId: null, apiKeyId: null },
            batch.map((g) => ZEstimateInput.parse(g.estimate)),
          ),
        );
        inserted.forEach((estimate, j) => archetypeOf.set(estimate.id, batch[j].archetype));
      }
      const drained = await drainIndexOutbox({ store: exact }, { ignoreBackoff: true });
      if (drained.failed > 0) throw new Error(`indexing failed for ${drained.failed} estimates`);
      if (qdrant) await drainIndexOutboxInto(qdrant, tenant.id);

      const totalsById = await withTenant(tenant.id, async (tx) => {
        const { costEstimates } = await import('../db/schema/estimates');
        const rows = await tx.select({ id: costEstimates.id, total: costEstimates.totalCostCents }).from(costEstimates);
        return new Map(rows.map((row) => [row.id, row.total]));
      });

      let precisionSum = 0;
      let recallSum = 0;
      const errors: number[] = [];
      for (const query of queries) {
        const vector = await currentEmbedder.embed(query.estimate);
        const search = { tenantId: tenant.id, vector, version: currentEmbedder.version };
        const neighbours = await exact.search({ ...search, limit: Math.max(k, RECALL_K) });
        const topK = neighbours.slice(0, k);
        precisionSum += topK.filter((m) => archetypeOf.get(m.id) === query.archetype).length / k;
        const predicted = topK.reduce((sum, m) => sum + (totalsById.get(m.id) ?? 0), 0) / topK.length;
        const actual = totalCostCents(query.estimate);
        if (actual > 0) errors.push(Math.abs(predicted - actual) / actual);
        if (qdrant) {
          const approximate = await qdrant.search({ ...search, limit: RECALL_K });
          const truth = new Set(neighbours.slice(0, RECALL_K).map((m) => m.id));
          recallSum += approximate.filter((m) => truth.has(m.id)).length / RECALL_K;
        }
      }
      errors.sort((a, b) => a - b);
      const precision = precisionSum / queries.length;
      const mdape = errors[Math.floor(errors.length / 2)];
      const recall = qdrant ? recallSum / queries.length : null;
      if (precision < PRECISION_TARGET || (recall !== null && recall < RECALL_TARGET)) failed = true;
      say(
        `| ${difficulty} | ${precision.toFixed(3)}${precision >= PRECISION_TARGET ? '' : ' (below 0.95)'} | ${(mdape * 100).toFixed(1)} % | ${
          recall === null ? 'not run' : `${recall.toFixed(3)}${recall >= RECALL_TARGET ? '' : ' (below 0.99)'}`
        } |`,
      );
    } finally {
      await withPlatform((tx) => tx.delete(tenants).where(eq(tenants.id, tenant.id))).catch((e: { cause?: unknown }) => say(String(e.cause)));
    }
  }
  say('');
  say(`targets: precision@${k} ≥ ${PRECISION_TARGET}${qdrant ? `, recall@${RECALL_K} ≥ ${RECALL_TARGET}` : ''}: ${failed ? 'MISSED' : 'met'}`);

  async function drainIndexOutboxInto(store: NonNullable<typeof qdrant>, tenantId: string): Promise<void> {
    // The outbox is empty by now (drained into the exact store): copy the exact store's points instead.
    await store.ensureReady(currentEmbedder.dimension);
    const { vectorPoints } = await import('../db/schema/estimates');
    const { copyFloat32Bytes } = await import('../lib/vectors/float32');
    const rows = await withPlatform((tx) => tx.select().from(vectorPoints).where(eq(vectorPoints.tenantId, tenantId)));
    const toVector = (bytes: Buffer) => {
      const vector = new Float32Array(currentEmbedder.dimension);
      copyFloat32Bytes(bytes, vector, 0);
      return Array.from(vector);
    };
    for (let i = 0; i < rows.length; i += 256) {
      await store.upsert(rows.slice(i, i + 256).map((row) => ({ id: row.id, tenantId, vector: toVector(row.vector), version: row.version })));
    }
  }

  if (settings.QDRANT_URL) {
    const { QdrantClient } = await import('@qdrant/js-client-rest');
    await new QdrantClient({ url: settings.QDRANT_URL, apiKey: settings.QDRANT_API_KEY }).deleteCollection(evalCollection).catch(() => undefined);
  }
  await closeDb();
  for (const stop of stops.reverse()) await stop();
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`eval:vectors failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
