/**
 * Latency of the usage read paths over a large generated history (scripts/generate-usage.ts): sequential
 * requests, one at a time, so each figure is one request's latency on an otherwise idle server. Also signs a
 * user in through next-auth's credentials flow (for the portal page), and explains the rollup queries.
 */
import { sql } from 'drizzle-orm';
import { httpRequest, percentile, type THttpResponse } from './http';

export interface TLatency {
  label: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Answers other than the expected status. */
  failures: number;
  failureStatuses: Record<string, number>;
  /** Size of the last answer. */
  bodyBytes: number;
  otherCores: number | null;
}

/** `warmup` unmeasured requests, then `requests` sequential ones; an answer other than `expectStatus` is a failure. */
export async function measureLatency(opts: {
  label: string;
  requests: number;
  warmup: number;
  send: () => Promise<THttpResponse>;
  expectStatus?: number;
  measureOtherCores?: () => () => number | null;
}): Promise<TLatency> {
  const expected = opts.expectStatus ?? 200;
  for (let i = 0; i < opts.warmup; i++) await opts.send();
  const latencies: number[] = [];
  const failureStatuses: Record<string, number> = {};
  let bodyBytes = 0;
  const stopCpu = opts.measureOtherCores?.();
  for (let i = 0; i < opts.requests; i++) {
    const res = await opts.send();
    latencies.push(res.ms);
    bodyBytes = Buffer.byteLength(res.body);
    if (res.status !== expected) failureStatuses[res.status] = (failureStatuses[res.status] ?? 0) + 1;
  }
  const otherCores = stopCpu?.() ?? null;
  latencies.sort((a, b) => a - b);
  return {
    label: opts.label,
    requests: opts.requests,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1],
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    failures: Object.values(failureStatuses).reduce((a, b) => a + b, 0),
    failureStatuses,
    bodyBytes,
    otherCores,
  };
}

function setCookies(res: THttpResponse): Map<string, string> {
  const raw = res.headers['set-cookie'];
  const cookies = new Map<string, string>();
  for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return cookies;
}

const cookieHeader = (cookies: Map<string, string>) => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

/**
 * Signs in with email and password on a tenant host, as the sign-in form does (GET /api/auth/csrf, then
 * POST /api/auth/callback/credentials), and returns the Cookie header of the session.
 */
export async function signInOnHost(origin: string, host: string, email: string, password: string): Promise<string> {
  const csrf = await httpRequest(`${origin}/api/auth/csrf`, { headers: { host } });
  if (csrf.status !== 200) throw new Error(`GET /api/auth/csrf answered ${csrf.status}`);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookies = setCookies(csrf);
  const form = new URLSearchParams({ csrfToken, email, password, callbackUrl: `http://${host}/usage`, json: 'true' });
  const callback = await httpRequest(`${origin}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: { host, cookie: cookieHeader(cookies), 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  for (const [name, value] of setCookies(callback)) cookies.set(name, value);
  if (![...cookies.keys()].some((name) => name.endsWith('next-auth.session-token'))) {
    throw new Error(`sign-in as ${email} on ${host} set no session cookie (${callback.status} ${callback.body.slice(0, 200)})`);
  }
  return cookieHeader(cookies);
}

export interface TExplained {
  label: string;
  executionMs: number;
  plan: string;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements behind /usage/stats, /usage/breakdown and /usage/current (their
 * rollup part), as the app role under row-level security for `tenantId`, with the same bounds as the endpoints.
 */
export async function explainUsageQueries(tenantId: string, now: Date = new Date()): Promise<TExplained[]> {
  const { withTenant } = await import('@/lib/tenancy');
  const { periodDays } = await import('@/lib/usage');
  const days = periodDays('1y', now);
  const from = days[0];
  const to = days[days.length - 1];
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  const statements = [
    {
      label: 'stats ?period=1y',
      query: sql`select day, event_type, sum(count)::bigint,
          case when event_type = 'storage_bytes' then max(quantity_sum) else sum(quantity_sum) end::bigint
        from usage_daily where tenant_id = ${tenantId} and day >= ${from} and day <= ${to} group by day, event_type`,
    },
    {
      label: 'breakdown ?period=1y',
      query: sql`select route, sum(count)::bigint from usage_daily
        where tenant_id = ${tenantId} and event_type = 'api_call' and day >= ${from} and day <= ${to}
        group by route order by 2 desc, route`,
    },
    {
      label: 'current (this month)',
      query: sql`select event_type, sum(count)::bigint from usage_daily
        where tenant_id = ${tenantId} and event_type in ('file_upload', 'api_call') and day >= ${monthStart} and day < ${monthEnd}
        group by event_type`,
    },
  ];
  const explained: TExplained[] = [];
  for (const { label, query } of statements) {
    const rows = await withTenant(tenantId, (tx) => tx.execute<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) ${query}`));
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const time = /Execution Time: ([\d.]+) ms/.exec(plan);
    explained.push({ label, executionMs: time ? Number(time[1]) : NaN, plan });
  }
  return explained;
}

export interface TDatabaseSize {
  databaseBytes: number;
  tables: { name: string; rows: number; totalBytes: number; indexBytes: number }[];
}

export async function databaseSize(): Promise<TDatabaseSize> {
  const { platformDb } = await import('@/lib/tenancy');
  const [db] = await platformDb().execute<{ bytes: string }>(sql`select pg_database_size(current_database())::text as bytes`);
  const tables = await platformDb().execute<{ name: string; rows: string; total: string; indexes: string }>(sql`
    select c.relname as name, c.reltuples::bigint::text as rows, pg_total_relation_size(c.oid)::text as total,
      pg_indexes_size(c.oid)::text as indexes
    from pg_class c where c.relname in ('usage_events', 'usage_hourly', 'usage_daily') order by pg_total_relation_size(c.oid) desc`);
  return {
    databaseBytes: Number(db.bytes),
    tables: tables.map((t) => ({ name: t.name, rows: Number(t.rows), totalBytes: Number(t.total), indexBytes: Number(t.indexes) })),
  };
}
