import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TCostEstimate } from '@/lib/estimates';
import { startQdrantStandIn } from './support/qdrant-stand-in';
import { startSilenceableProxy, startSmtpStandIn } from './support/silent-services';

/**
 * Outside services that fall silent (an embedding endpoint, Qdrant, an SMTP server, S3) while the pools are small
 * (DATABASE_POOL_MAX=2): each call waits at most its client's timeout, with no database transaction held, so more
 * such calls than the pool has connections still leave other requests served at once, and the calls end with a
 * clear 503. The services are local stand-ins, configured before the app's configuration is first read.
 */

const EMBEDDING_TIMEOUT_MS = 2_500;
const QDRANT_TIMEOUT_MS = 2_500;
const SMTP_TIMEOUT_MS = 2_000;
/** A request that waits for a pooled connection behind the silent calls would take about this long or more. */
const PROMPT_MS = 1_500;

/** An embedding endpoint that answers with the built-in embedding, or falls silent. */
const embedding = { isSilent: false, received: 0, embed: undefined as ((estimate: TCostEstimate) => Promise<number[]>) | undefined };
const embeddingServer: Server = createServer((request, response) => {
  let raw = '';
  request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  request.on('end', async () => {
    embedding.received += 1;
    if (embedding.isSilent) return;
    const vector = await embedding.embed!((JSON.parse(raw) as { estimate: TCostEstimate }).estimate);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ vector, version: 'stand-in-1' }));
  });
});
await new Promise<void>((resolve) => embeddingServer.listen(0, '127.0.0.1', resolve));
const qdrant = await startQdrantStandIn();
const smtp = await startSmtpStandIn();
const s3Proxy = await startSilenceableProxy(process.env.S3_ENDPOINT!);

Object.assign(process.env, {
  DATABASE_POOL_MAX: '2',
  EMBEDDING_URL: `http://127.0.0.1:${(embeddingServer.address() as AddressInfo).port}/embed`,
  EMBEDDING_TIMEOUT_MS: String(EMBEDDING_TIMEOUT_MS),
  QDRANT_URL: qdrant.url,
  QDRANT_TIMEOUT_MS: String(QDRANT_TIMEOUT_MS),
  SMTP_URL: smtp.url,
  SMTP_TIMEOUT_MS: String(SMTP_TIMEOUT_MS),
  S3_ENDPOINT: s3Proxy.url,
  S3_CONNECT_TIMEOUT_MS: '1000',
  S3_SOCKET_TIMEOUT_MS: '1500',
  S3_ARCHIVE_RESTORE_MODE: 'copy',
});

const { ownerDb } = await import('@/db/client');
const { emailOutbox } = await import('@/db/schema/mail');
const { estimateIndexOutbox } = await import('@/db/schema/estimates');
const { storageDeletions } = await import('@/db/schema/files');
const { seedDemoData } = await import('@/db/seed');
const { createLocalEmbedder, drainIndexOutbox } = await import('@/lib/estimates');
const { deliverPendingEmails, enqueueEmail } = await import('@/lib/mail');
const { startArchivalRun } = await import('@/lib/archival');
const { processStorageDeletions } = await import('@/lib/files');
const { bucketNames, ensureBuckets } = await import('@/lib/storage');
const { withPlatform } = await import('@/lib/tenancy');
const { createAgedFile, fileRecord, objectSha256 } = await import('./support/archival');
const { houseEstimate, roadEstimate } = await import('./support/estimates');
const { callRoute, createKey, demoUsers, expectError, hostOf } = await import('./support/http');
const estimatesRoute = await import('../app/api/v1/estimates/route');
const searchRoute = await import('../app/api/v1/estimates/search-similar/route');
const similarRoute = await import('../app/api/v1/estimates/[id]/similar/route');
const tenantRoute = await import('../app/api/v1/tenant/route');
const filesRoute = await import('../app/api/v1/files/route');
const restoreRoute = await import('../app/api/v1/files/[id]/restore/route');
const reindexRoute = await import('../app/api/v1/admin/vectors/reindex/route');

const local = createLocalEmbedder(256);
embedding.embed = (estimate) => local.embed(estimate);

// Outside the pools under test: it must answer whatever they are doing.
const observer = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });

let acmeId: string;
let operator: Awaited<ReturnType<typeof demoUsers>>['operator'];
let apiKey: string;
let houseId: string;
const acme = () => ({ host: hostOf('acme'), apiKey });

beforeAll(async () => {
  await Promise.all([seedDemoData(), ensureBuckets()]);
  const demo = await demoUsers();
  acmeId = demo.acme.id;
  operator = demo.operator;
  apiKey = await createKey('acme', 'owner', ['tenant:read', 'files:read', 'files:write', 'estimates:read', 'estimates:write']);
  const house = await callRoute(estimatesRoute.POST, { method: 'POST', path: '/api/v1/estimates', body: houseEstimate(), ...acme() });
  expect(house.status, house.text).toBe(201);
  houseId = house.body.estimate.id;
  await callRoute(estimatesRoute.POST, { method: 'POST', path: '/api/v1/estimates', body: roadEstimate(), ...acme() });
  expect((await drainIndexOutbox()).upserted).toBeGreaterThanOrEqual(2);
  // Mail queued by the seed goes out first, so each test sees only its own.
  while ((await deliverPendingEmails()) > 0);
  // Warm: the first request of a tenant also loads its plan and its month's usage.
  expect((await callRoute(tenantRoute.GET, { path: '/api/v1/tenant', ...acme() })).status).toBe(200);
});

afterAll(async () => {
  embeddingServer.closeAllConnections();
  await new Promise<void>((resolve) => embeddingServer.close(() => resolve()));
  await Promise.all([qdrant.close(), smtp.close(), s3Proxy.close(), observer.end()]);
});

/** Connections of this database sitting in an open transaction (a request or job waiting inside one). */
async function openTransactions(): Promise<number> {
  const [row] = await observer<{ count: number }[]>`
    select count(*)::int as count from pg_stat_activity
    where datname = current_database() and state like 'idle in transaction%' and pid <> pg_backend_pid()`;
  return row.count;
}

async function waitFor(condition: () => boolean, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

function tracked<T>(promise: Promise<T>): { promise: Promise<T>; isSettled: boolean } {
  const entry = { promise, isSettled: false };
  promise.then(
    () => (entry.isSettled = true),
    () => (entry.isSettled = true),
  );
  return entry;
}

/** Other requests of the tenant (its settings, its file list), timed, while `hanging` calls are still waiting. */
async function otherRequestsWhile(hanging: { isSettled: boolean }[]) {
  const started = performance.now();
  const tenant = await callRoute(tenantRoute.GET, { path: '/api/v1/tenant', ...acme() });
  const list = await callRoute(filesRoute.GET, { path: '/api/v1/files', ...acme() });
  return { statuses: [tenant.status, list.status], ms: performance.now() - started, isAnyHangingCallOver: hanging.some((call) => call.isSettled) };
}

describe('a silent embedding endpoint', () => {
  it('keeps serving other requests while more similarity searches than the pool has connections wait on it, and answers those 503 after EMBEDDING_TIMEOUT_MS', async () => {
    const { project: _p, name: _n, ...described } = houseEstimate();
    embedding.isSilent = true;
    embedding.received = 0;
    try {
      const started = performance.now();
      const searches = [
        ...Array.from({ length: 4 }, () => callRoute(searchRoute.POST, { method: 'POST', path: '/api/v1/estimates/search-similar', body: described, ...acme() })),
        ...Array.from({ length: 2 }, () => callRoute(similarRoute.GET, { path: `/api/v1/estimates/${houseId}/similar`, params: { id: houseId }, ...acme() })),
      ].map(tracked);
      // All six reach the embedder together: none waits for a connection another one holds.
      expect(await waitFor(() => embedding.received >= 6, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);

      const others = await otherRequestsWhile(searches);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });
      expect(others.ms).toBeLessThan(PROMPT_MS);

      for (const result of await Promise.all(searches.map((search) => search.promise))) {
        expectError(result, 503, 'unavailable', /Similarity search is unavailable/);
      }
      expect(performance.now() - started).toBeGreaterThanOrEqual(EMBEDDING_TIMEOUT_MS - 100);
    } finally {
      embedding.isSilent = false;
    }
  }, 20_000);

  it('holds no transaction while the index drain waits on it; the rows stay queued with a backoff', async () => {
    const created = await callRoute(estimatesRoute.POST, { method: 'POST', path: '/api/v1/estimates', body: houseEstimate({ name: 'Queued house' }), ...acme() });
    expect(created.status).toBe(201);
    const id = created.body.estimate.id as string;
    embedding.isSilent = true;
    embedding.received = 0;
    try {
      const drain = tracked(drainIndexOutbox());
      expect(await waitFor(() => embedding.received >= 1, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);
      const others = await otherRequestsWhile([drain]);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });

      expect((await drain.promise).failed).toBeGreaterThanOrEqual(1);
      const [row] = await ownerDb().select().from(estimateIndexOutbox).where(eq(estimateIndexOutbox.estimateId, id));
      expect(row).toMatchObject({ attempts: 1, claimedUntil: null, lastError: expect.stringMatching(/did not answer within 2500 ms/) });
      expect(row.availableAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      embedding.isSilent = false;
    }
    expect((await drainIndexOutbox({}, { ignoreBackoff: true })).upserted).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it("holds no transaction while an operator's rebuild (run in the request without a job queue) waits on it", async () => {
    embedding.isSilent = true;
    embedding.received = 0;
    try {
      const rebuild = tracked(
        callRoute(reindexRoute.POST, { method: 'POST', path: '/api/v1/admin/vectors/reindex', body: { tenantId: acmeId }, cookieFor: operator }),
      );
      expect(await waitFor(() => embedding.received >= 1, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);
      const others = await otherRequestsWhile([rebuild]);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });
      expect((await rebuild.promise).status).toBeGreaterThanOrEqual(500);
    } finally {
      embedding.isSilent = false;
    }
  }, 20_000);
});

describe('a silent Qdrant', () => {
  it('keeps serving other requests while more similarity searches than the pool has connections wait on it, and answers those 503 after QDRANT_TIMEOUT_MS', async () => {
    const { project: _p, name: _n, ...described } = roadEstimate();
    const queries = () => qdrant.requests.filter((r) => r.path.endsWith('/points/query')).length;
    const before = queries();
    qdrant.isSilent = true;
    try {
      const started = performance.now();
      const searches = Array.from({ length: 6 }, () =>
        callRoute(searchRoute.POST, { method: 'POST', path: '/api/v1/estimates/search-similar', body: described, ...acme() }),
      ).map(tracked);
      expect(await waitFor(() => queries() - before >= 6, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);

      const others = await otherRequestsWhile(searches);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });
      expect(others.ms).toBeLessThan(PROMPT_MS);

      for (const result of await Promise.all(searches.map((search) => search.promise))) expectError(result, 503, 'unavailable');
      expect(performance.now() - started).toBeGreaterThanOrEqual(QDRANT_TIMEOUT_MS - 100);
    } finally {
      qdrant.isSilent = false;
    }
    const answered = await callRoute(searchRoute.POST, { method: 'POST', path: '/api/v1/estimates/search-similar', body: described, ...acme() });
    expect(answered.status, answered.text).toBe(200);
  }, 20_000);
});

describe('a silent SMTP server', () => {
  const queue = (addresses: string[]) =>
    withPlatform(async (tx) => {
      for (const to of addresses) await enqueueEmail(tx, { tenantId: acmeId, to, subject: `Hello ${to}`, text: 'Welcome aboard.' });
    });
  const rowsOf = (addresses: string[]) => ownerDb().select().from(emailOutbox).where(inArray(emailOutbox.toAddress, addresses)).orderBy(emailOutbox.createdAt);

  it('holds no transaction while the mail sweep waits on it, claims one message at a time, and backs the failed one off', async () => {
    const addresses = ['first@example.test', 'second@example.test', 'third@example.test'];
    await queue(addresses.slice(0, 1));
    await queue(addresses.slice(1));
    smtp.mode = 'silent';
    const connectionsBefore = smtp.connections;
    try {
      const sweep = tracked(deliverPendingEmails());
      expect(await waitFor(() => smtp.connections > connectionsBefore, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);
      // Only the message in flight is claimed: a crash now would send it again after its lease, and no other.
      const during = await rowsOf(addresses);
      expect(during.map((row) => [row.toAddress, row.attempts, row.claimedUntil !== null])).toEqual([
        ['first@example.test', 1, true],
        ['second@example.test', 0, false],
        ['third@example.test', 0, false],
      ]);
      const others = await otherRequestsWhile([sweep]);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });

      // The sweep gives up at the first failure (the server is likely down) and sends nothing.
      expect(await sweep.promise).toBe(0);
      expect(smtp.connections - connectionsBefore).toBe(1);
    } finally {
      smtp.mode = 'answering';
    }
    const [failed] = await rowsOf(addresses.slice(0, 1));
    expect(failed).toMatchObject({ attempts: 1, claimedUntil: null, sentAt: null, lastError: expect.stringMatching(/timeout/i) });
    expect(failed.availableAt.getTime()).toBeGreaterThan(Date.now() + 20_000);

    // The server is back: the next sweep sends the others, not the one backing off.
    expect(await deliverPendingEmails()).toBe(2);
    expect(smtp.messages.map((m) => m.to)).toEqual([['<second@example.test>'], ['<third@example.test>']]);
    await ownerDb().update(emailOutbox).set({ availableAt: sql`now()` }).where(eq(emailOutbox.id, failed.id));
    expect(await deliverPendingEmails()).toBe(1);
    expect((await rowsOf(addresses)).map((row) => [row.attempts, row.sentAt !== null])).toEqual([
      [2, true],
      [1, true],
      [1, true],
    ]);
  }, 20_000);
});

describe('a silent S3 endpoint', () => {
  it('holds no transaction while a restore waits on it, serves other requests, answers 503 and leaves the file archived', async () => {
    const file = await createAgedFile(acmeId, { ageDays: 400, status: 'completed', sizeBytes: 6_000 });
    await startArchivalRun('manual');
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');
    const restore = () =>
      callRoute(restoreRoute.POST, { method: 'POST', path: `/api/v1/files/${file.id}/restore`, params: { id: file.id }, body: { days: 2 }, ...acme() });

    s3Proxy.setSilent(true);
    try {
      const pending = tracked(restore());
      expect(await waitFor(() => s3Proxy.silencedConnections > 0, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);
      const others = await otherRequestsWhile([pending]);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });

      expectError(await pending.promise, 503, 'unavailable', /archive storage did not answer/);
      expect(await fileRecord(file.id)).toMatchObject({ storageTier: 'archived', restoreRequestedAt: null });
    } finally {
      s3Proxy.setSilent(false);
    }
    const again = await restore();
    expect(again.status, again.text).toBe(200);
    expect(again.body.restore.storageTier).toBe('restored');
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
  }, 30_000);

  it('holds no transaction while the deletion sweep waits on it; the deletion is retried later and the next one handed back untried', async () => {
    const [queued, next] = await ownerDb()
      .insert(storageDeletions)
      .values(
        ['plan.pdf', 'section.pdf'].map((name, i) => ({
          tenantId: acmeId,
          bucket: bucketNames().files,
          objectKey: `tenants/${acmeId}/files/gone/${name}`,
          createdAt: new Date(Date.now() - 10_000 + i),
        })),
      )
      .returning({ id: storageDeletions.id });
    s3Proxy.setSilent(true);
    try {
      const sweep = tracked(processStorageDeletions());
      expect(await waitFor(() => s3Proxy.silencedConnections > 0, PROMPT_MS)).toBe(true);
      expect(await openTransactions()).toBe(0);
      const others = await otherRequestsWhile([sweep]);
      expect(others).toMatchObject({ statuses: [200, 200], isAnyHangingCallOver: false });
      expect((await sweep.promise).failed).toBeGreaterThanOrEqual(1);
    } finally {
      s3Proxy.setSilent(false);
    }
    const [row] = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.id, queued.id));
    expect(row).toMatchObject({ attempts: 1, claimedUntil: null, deletedAt: null, lastError: expect.stringMatching(/timed out/) });
    const [untried] = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.id, next.id));
    expect(untried).toMatchObject({ attempts: 0, claimedUntil: null, deletedAt: null });
  }, 30_000);
});
