/**
 * Usage ingestion throughput, three ways into the same database:
 *   api     POST /api/v1/usage/events of a running server, batches of 1,000 reported events, at a few concurrencies
 *   meter   the request wrapper's buffered path in this process: meterApiCall(…) per call, written by flushUsage()
 *   copy    a raw COPY of as many rows of the same shape into usage_events: the ceiling (no rollups, no checks)
 * The api and meter paths write the raw events and the hourly/daily rollups in one statement per batch
 * (lib/usage/record.ts); COPY writes the raw events only, so it is also timed with the set-based rollup after it.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { copyUsageLines, DAILY_FROM_HOURLY, HOURLY_FROM_EVENTS, ROUTE_TEMPLATES, usageCopyLine } from '../scripts/generate-usage';
import { httpRequest, percentile } from './http';

export const INGEST_BATCH_EVENTS = 1000;
const REPORTED_TYPES = ['file_upload', 'file_processed', 'cost_estimate'] as const;
const HOUR_MS = 3_600_000;

export interface TIngestApiLevel {
  concurrency: number;
  batches: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Latency of one batch request. */
  p50Ms: number;
  p95Ms: number;
  /** Answers other than 200 with every event accepted, and socket errors. */
  failures: number;
  failureStatuses: Record<string, number>;
  /** CPU cores used by other processes meanwhile (null off Linux). */
  otherCores: number | null;
}

/** A body of `POST /api/v1/usage/events`: fresh ids, reported types, times within the last day. */
export function reportedBatchBody(nowMs: number = Date.now()): string {
  const events = Array.from({ length: INGEST_BATCH_EVENTS }, (_, i) => {
    const type = REPORTED_TYPES[i % REPORTED_TYPES.length];
    return {
      id: randomUUID(),
      type,
      quantity: type === 'file_upload' ? 1024 + Math.floor(Math.random() * 50_000_000) : type === 'cost_estimate' ? 1 + Math.floor(Math.random() * 5000) : 1,
      occurredAt: new Date(nowMs - Math.floor(Math.random() * 24 * HOUR_MS)).toISOString(),
    };
  });
  return JSON.stringify({ events });
}

/**
 * `batches` batches at `concurrency` requests in flight, bodies built beforehand (so the load generator's JSON
 * work is outside the timing). One tenant, one API key: concurrent batches update the same rollup rows.
 */
export async function ingestThroughApi(opts: {
  origin: string;
  apiKey: string;
  concurrency: number;
  batches: number;
  measureOtherCores?: () => () => number | null;
}): Promise<TIngestApiLevel> {
  const bodies = Array.from({ length: opts.batches }, () => Buffer.from(reportedBatchBody()));
  const latencies: number[] = [];
  const failureStatuses: Record<string, number> = {};
  let next = 0;
  const stopCpu = opts.measureOtherCores?.();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        try {
          const res = await httpRequest(`${opts.origin}/api/v1/usage/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' },
            body,
          });
          latencies.push(res.ms);
          const accepted = res.status === 200 ? (JSON.parse(res.body) as { accepted?: number }).accepted : undefined;
          if (accepted !== INGEST_BATCH_EVENTS) {
            const key = res.status === 200 ? `200 accepted ${accepted}` : String(res.status);
            failureStatuses[key] = (failureStatuses[key] ?? 0) + 1;
          }
        } catch (error) {
          const key = `error ${(error as { code?: string }).code ?? 'unknown'}`;
          failureStatuses[key] = (failureStatuses[key] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const otherCores = stopCpu?.() ?? null;
  latencies.sort((a, b) => a - b);
  const failures = Object.values(failureStatuses).reduce((a, b) => a + b, 0);
  const events = (opts.batches - failures) * INGEST_BATCH_EVENTS;
  return {
    concurrency: opts.concurrency,
    batches: opts.batches,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failures,
    failureStatuses,
    otherCores,
  };
}

export interface TMeterBenchResult {
  calls: number;
  written: number;
  seconds: number;
  eventsPerSecond: number;
  routes: number;
}

/**
 * `calls` API calls of a new tenant, spread over the route templates, through meterApiCall and flushUsage in
 * this process, as route() and the 1-second flusher would: calls are pushed 1,000 at a time (each push of the
 * 1,000th starts a flush, as in the server) and the loop yields between pushes; it waits for the flushes when
 * 20,000 are waiting, well below the buffer's 100,000 bound, so nothing is dropped. Timed from the first call
 * to the last event written; needs DATABASE_URL of a migrated database and runs in its own process.
 */
export async function meterThroughBuffer(calls: number): Promise<TMeterBenchResult> {
  const { createTenant, withPlatform } = await import('@/lib/tenancy');
  const { meterApiCall, flushUsage, bufferedUsageCount } = await import('@/lib/usage');
  const { usageEvents } = await import('@/db/schema/usage');
  const { eq, sql } = await import('drizzle-orm');
  const slug = `bench-meter-${randomUUID().slice(0, 8)}`;
  const tenant = await withPlatform((tx) => createTenant(tx, { name: `Meter bench ${slug}`, slug, plan: 'enterprise' }));
  const statuses = [200, 200, 200, 200, 200, 200, 201, 404, 403, 422];
  const started = performance.now();
  for (let i = 0; i < calls; ) {
    const end = Math.min(calls, i + 1000);
    for (; i < end; i++) {
      const route = ROUTE_TEMPLATES[i % ROUTE_TEMPLATES.length];
      meterApiCall({ tenantId: tenant.id, route: route.path, method: route.method, status: statuses[i % statuses.length], occurredAt: new Date() });
    }
    if (bufferedUsageCount() >= 20_000) await flushUsage();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  // Chained after any flush in flight, so when the buffer is empty after it, everything is written.
  for (let attempt = 0; attempt < 10; attempt++) {
    await flushUsage();
    if (bufferedUsageCount() === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const [row] = await withPlatform((tx) =>
    tx.select({ n: sql<number>`count(*)::int` }).from(usageEvents).where(eq(usageEvents.tenantId, tenant.id)),
  );
  const written = Number(row?.n ?? 0);
  if (written !== calls) throw new Error(`metered ${calls} calls but ${written} were written`);
  return { calls, written, seconds, eventsPerSecond: calls / seconds, routes: ROUTE_TEMPLATES.length };
}

export interface TCopyBenchResult {
  rows: number;
  copySeconds: number;
  eventsPerSecond: number;
  /** The set-based hourly and daily rollup of the copied rows, after the COPY. */
  rollupSeconds: number;
  withRollupEventsPerSecond: number;
}

/**
 * COPY of `rows` api_call rows shaped like the metered ones (random UUIDv4 ids, 30 routes, now) for a new tenant,
 * text built beforehand; then the rollups of those rows with INSERT … SELECT … GROUP BY.
 */
export async function copyCeiling(databaseUrl: string, rows: number): Promise<TCopyBenchResult> {
  const { createTenant, withPlatform } = await import('@/lib/tenancy');
  const slug = `bench-copy-${randomUUID().slice(0, 8)}`;
  const tenant = await withPlatform((tx) => createTenant(tx, { name: `COPY bench ${slug}`, slug, plan: 'enterprise' }));
  const chunks: string[] = [];
  const statuses = [200, 200, 200, 200, 200, 200, 201, 404, 403, 422];
  const nowMs = Date.now();
  for (let i = 0; i < rows; ) {
    let chunk = '';
    const end = Math.min(rows, i + 1000);
    for (; i < end; i++) {
      const route = ROUTE_TEMPLATES[i % ROUTE_TEMPLATES.length];
      chunk += usageCopyLine({
        id: randomUUID(),
        tenantId: tenant.id,
        type: 'api_call',
        quantity: 1,
        route: route.path,
        method: route.method,
        status: statuses[i % statuses.length],
        occurredAtMs: nowMs - (i % 1000),
      });
    }
    chunks.push(chunk);
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const started = performance.now();
    await copyUsageLines(sql, chunks);
    const copySeconds = (performance.now() - started) / 1000;
    const rollupStarted = performance.now();
    await sql.unsafe(HOURLY_FROM_EVENTS, [[tenant.id]]);
    await sql.unsafe(DAILY_FROM_HOURLY, [[tenant.id]]);
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    return {
      rows,
      copySeconds,
      eventsPerSecond: rows / copySeconds,
      rollupSeconds,
      withRollupEventsPerSecond: rows / (copySeconds + rollupSeconds),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
