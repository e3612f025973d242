/**
 * A year of usage for many tenants, for benchmarks of the usage read paths:
 *
 *   npx tsx --conditions=react-server scripts/generate-usage.ts --events=10000000 --tenants=1000 [--prefix=bench]
 *
 * against DATABASE_URL (migrated). Creates `--tenants` tenants through createTenant (slugs bench-0001, …; the
 * first, the largest, on the enterprise plan) and `--events` usage events over the past 365 days, skewed by rank
 * (Zipf: tenant k gets a share ∝ 1/k, ~13 % for the largest of 1,000): api_call over 30 route templates with
 * methods and statuses, file_upload with bytes, file_processed, cost_estimate, and one storage_bytes snapshot a
 * day per tenant. Events are loaded with COPY (two streams, one per core), then the usage_hourly and usage_daily
 * rollups are built from them with INSERT … SELECT … GROUP BY — what lib/usage/record.ts would have written
 * event by event: route 'METHOD /path' for api_call and '' otherwise, counters summed, storage_bytes the largest
 * snapshot of the bucket. The daily rollup is grouped from the hourly one (same sums and maxima, a fraction of the
 * rows to read). Prints rows/s and the time of each step.
 *
 * COPY into usage_events needs a role that row-level security does not apply to (a superuser or BYPASSRLS; the
 * tables FORCE it), e.g. the postgres user of the embedded cluster. Event ids are time-ordered (UUIDv7 layout),
 * as an ingesting client would mint them; that keeps the primary key's inserts local.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';

export interface TGenerateUsageOptions {
  databaseUrl: string;
  events: number;
  tenants: number;
  /** Slugs are `<prefix>-0001`, …; they must not exist yet. */
  slugPrefix?: string;
  /** Parallel COPY streams and rollup statements (default 2). */
  streams?: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface TGeneratedUsage {
  eventCount: number;
  tenantCount: number;
  largest: { id: string; slug: string; eventCount: number };
  /** Share of all events that the largest tenant holds. */
  largestShare: number;
  hourlyRows: number;
  dailyRows: number;
  tenantsSeconds: number;
  copySeconds: number;
  /** Events per second of the COPY step alone. */
  copyRowsPerSecond: number;
  rollupSeconds: number;
  analyzeSeconds: number;
  /** Everything, tenants to ANALYZE. */
  seconds: number;
  /** Events per second over the whole generation. */
  rowsPerSecond: number;
  streams: number;
}

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365;

/** Route templates of /api/v1 with a relative weight: what a year of API traffic is spread over. */
export const ROUTE_TEMPLATES: readonly { method: string; path: string; weight: number }[] = [
  { method: 'GET', path: '/api/v1/files', weight: 120 },
  { method: 'POST', path: '/api/v1/files', weight: 40 },
  { method: 'GET', path: '/api/v1/files/{id}', weight: 150 },
  { method: 'PATCH', path: '/api/v1/files/{id}', weight: 10 },
  { method: 'DELETE', path: '/api/v1/files/{id}', weight: 6 },
  { method: 'GET', path: '/api/v1/files/{id}/download', weight: 90 },
  { method: 'POST', path: '/api/v1/files/{id}/restore', weight: 2 },
  { method: 'GET', path: '/api/v1/files/{id}/status', weight: 80 },
  { method: 'GET', path: '/api/v1/tenant', weight: 60 },
  { method: 'PATCH', path: '/api/v1/tenant/settings', weight: 2 },
  { method: 'GET', path: '/api/v1/members', weight: 12 },
  { method: 'PATCH', path: '/api/v1/members/{id}', weight: 1 },
  { method: 'DELETE', path: '/api/v1/members/{id}', weight: 1 },
  { method: 'GET', path: '/api/v1/invitations', weight: 4 },
  { method: 'POST', path: '/api/v1/invitations', weight: 2 },
  { method: 'DELETE', path: '/api/v1/invitations/{id}', weight: 1 },
  { method: 'GET', path: '/api/v1/api-keys', weight: 3 },
  { method: 'POST', path: '/api/v1/api-keys', weight: 1 },
  { method: 'DELETE', path: '/api/v1/api-keys/{id}', weight: 1 },
  { method: 'GET', path: '/api/v1/usage/stats', weight: 25 },
  { method: 'GET', path: '/api/v1/usage/breakdown', weight: 10 },
  { method: 'GET', path: '/api/v1/usage/current', weight: 30 },
  { method: 'POST', path: '/api/v1/usage/events', weight: 20 },
  { method: 'GET', path: '/api/v1/estimates', weight: 35 },
  { method: 'POST', path: '/api/v1/estimates', weight: 15 },
  { method: 'GET', path: '/api/v1/estimates/{id}', weight: 45 },
  { method: 'GET', path: '/api/v1/audit', weight: 5 },
  { method: 'GET', path: '/api/v1/archival/policy', weight: 2 },
  { method: 'GET', path: '/api/v1/billing/invoices', weight: 4 },
  { method: 'GET', path: '/api/v1/billing/invoices/{id}', weight: 3 },
];

/** Weighted choice over a cumulative table, by a uniform number in [0, 1). */
function cumulative<T>(items: readonly T[], weightOf: (item: T) => number): (u: number) => T {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let running = 0;
  const bounds = items.map((item) => (running += weightOf(item) / total));
  return (u) => {
    let lo = 0;
    let hi = bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < bounds[mid]) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
}

const pickRoute = cumulative(ROUTE_TEMPLATES, (r) => r.weight);
const pickReadStatus = cumulative(
  [
    [200, 930],
    [304, 20],
    [401, 8],
    [403, 7],
    [404, 30],
    [429, 3],
    [500, 2],
  ] as const,
  ([, weight]) => weight,
);
const pickWriteStatus = cumulative(
  [
    [201, 880],
    [200, 40],
    [400, 30],
    [403, 10],
    [409, 10],
    [422, 25],
    [429, 3],
    [500, 2],
  ] as const,
  ([, weight]) => weight,
);
const pickType = cumulative(
  [
    ['api_call', 80],
    ['file_upload', 8],
    ['file_processed', 7],
    ['cost_estimate', 5],
  ] as const,
  ([, weight]) => weight,
);

/** One row of `COPY usage_events (USAGE_COPY_COLUMNS) FROM STDIN` (text format). */
export interface TUsageCopyRow {
  id: string;
  tenantId: string;
  type: string;
  quantity: number;
  route: string | null;
  method: string | null;
  status: number | null;
  occurredAtMs: number;
}

export const USAGE_COPY_COLUMNS = 'id, tenant_id, event_type, quantity, route, method, status, metadata, occurred_at';

/** The row as a line of COPY's text format (no value here needs escaping: uuids, numbers, route templates). */
export function usageCopyLine(row: TUsageCopyRow): string {
  const nullable = (value: string | number | null) => (value === null ? '\\N' : String(value));
  return `${row.id}\t${row.tenantId}\t${row.type}\t${row.quantity}\t${nullable(row.route)}\t${nullable(row.method)}\t${nullable(row.status)}\t{}\t${new Date(row.occurredAtMs).toISOString()}\n`;
}

/** Streams COPY text (chunks of lines) into usage_events through one connection of `sql`. */
export async function copyUsageLines(sql: postgres.Sql, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
  const writable = await sql.unsafe(`copy usage_events (${USAGE_COPY_COLUMNS}) from stdin`).writable();
  await pipeline(Readable.from(chunks), writable);
}

/** Ids shaped as UUIDv7 (milliseconds first), unique within a run by a counter after a random run tag. */
function timeOrderedIds(): (ms: number) => string {
  const tag = randomBytes(3).toString('hex');
  let sequence = 0;
  return (ms) => {
    const time = Math.floor(ms).toString(16).padStart(12, '0');
    const rest = `${tag}${(sequence++).toString(16).padStart(12, '0')}`;
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rest.slice(0, 3)}-8${rest.slice(3, 6)}-${rest.slice(6, 18)}`;
  };
}

interface TTenantPlan {
  id: string;
  slug: string;
  rank: number;
  eventCount: number;
}

/** Tenant k of n gets a share ∝ 1/k of the events (Zipf); the rounding remainder goes to the largest. */
export function eventsPerTenant(events: number, tenants: number): number[] {
  const weights = Array.from({ length: tenants }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((events * w) / total));
  counts[0] += events - counts.reduce((a, b) => a + b, 0);
  return counts;
}

const ROWS_PER_CHUNK = 2_000;

/**
 * One tenant's year, oldest first, as COPY text chunks: a storage_bytes snapshot at 00:05 UTC of each of the
 * last days (365, fewer for a tenant with very few events), the rest spread over the year with more recent
 * days busier (density growing linearly, as a growing customer's).
 */
function* tenantYear(tenant: TTenantPlan, nowMs: number, nextId: (ms: number) => string): Generator<string> {
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const startMs = todayMs - (YEAR_DAYS - 1) * DAY_MS;
  const spanMs = nowMs - startMs;
  const snapshotDays = Math.min(YEAR_DAYS, Math.floor(tenant.eventCount / 4));
  const others = tenant.eventCount - snapshotDays;
  const times = new Float64Array(others);
  for (let i = 0; i < others; i++) times[i] = startMs + Math.sqrt(Math.random()) * spanMs;
  times.sort();
  // Storage grows over the year towards a size that falls with rank.
  const finalStorageBytes = Math.round((200 * 1024 ** 3) / Math.sqrt(tenant.rank));
  const snapshotTimes = Array.from({ length: snapshotDays }, (_, i) =>
    Math.min(nowMs - 1000, todayMs - (snapshotDays - 1 - i) * DAY_MS + 5 * 60_000),
  );

  let lines: string[] = [];
  let s = 0;
  let o = 0;
  while (s < snapshotTimes.length || o < others) {
    let row: TUsageCopyRow;
    if (s < snapshotTimes.length && (o >= others || snapshotTimes[s] <= times[o])) {
      const at = snapshotTimes[s++];
      const grown = 0.4 + (0.6 * (at - startMs)) / spanMs;
      row = {
        id: nextId(at),
        tenantId: tenant.id,
        type: 'storage_bytes',
        quantity: Math.round(finalStorageBytes * grown * (0.98 + Math.random() * 0.02)),
        route: null,
        method: null,
        status: null,
        occurredAtMs: at,
      };
    } else {
      const at = times[o++];
      const [type] = pickType(Math.random());
      if (type === 'api_call') {
        const route = pickRoute(Math.random());
        const [status] = route.method === 'GET' ? pickReadStatus(Math.random()) : pickWriteStatus(Math.random());
        row = { id: nextId(at), tenantId: tenant.id, type, quantity: 1, route: route.path, method: route.method, status, occurredAtMs: at };
      } else {
        // Uploads: 4 KiB to ~256 MiB, log-uniform; cost estimates: a quantity in cents.
        const quantity =
          type === 'file_upload' ? Math.round(2 ** (12 + Math.random() * 16)) : type === 'cost_estimate' ? 1 + Math.floor(Math.random() * 5000) : 1;
        row = { id: nextId(at), tenantId: tenant.id, type, quantity, route: null, method: null, status: null, occurredAtMs: at };
      }
    }
    lines.push(usageCopyLine(row));
    if (lines.length === ROWS_PER_CHUNK) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length) yield lines.join('');
}

/** Splits tenants into `n` groups of about equal event counts (largest first, each to the lightest group). */
function balance(tenants: TTenantPlan[], n: number): TTenantPlan[][] {
  const groups = Array.from({ length: n }, () => ({ events: 0, tenants: [] as TTenantPlan[] }));
  for (const tenant of [...tenants].sort((a, b) => b.eventCount - a.eventCount)) {
    const lightest = groups.reduce((min, g) => (g.events < min.events ? g : min));
    lightest.tenants.push(tenant);
    lightest.events += tenant.eventCount;
  }
  return groups.map((g) => g.tenants.sort((a, b) => a.rank - b.rank)).filter((g) => g.length > 0);
}

const planOfRank = (rank: number) => (rank === 1 ? 'enterprise' : rank <= 20 ? 'professional' : rank <= 200 ? 'starter' : 'free');

/** What record.ts writes per event, grouped by hour: the rollup of these tenants' raw events. */
export const HOURLY_FROM_EVENTS = `
  insert into usage_hourly (tenant_id, hour_start, event_type, route, count, quantity_sum)
  select tenant_id, date_trunc('hour', occurred_at, 'UTC'), event_type,
    case when event_type = 'api_call' then coalesce(method, '') || ' ' || coalesce(route, '') else '' end,
    count(*), case when event_type = 'storage_bytes' then max(quantity) else sum(quantity)::bigint end
  from usage_events
  where tenant_id = any($1::uuid[])
  group by 1, 2, 3, 4`;

/** Days from hours: counts and counter sums add up, a gauge's daily maximum is the maximum of its hours. */
export const DAILY_FROM_HOURLY = `
  insert into usage_daily (tenant_id, day, event_type, route, count, quantity_sum)
  select tenant_id, (hour_start at time zone 'UTC')::date, event_type, route,
    sum(count)::bigint, case when event_type = 'storage_bytes' then max(quantity_sum) else sum(quantity_sum)::bigint end
  from usage_hourly
  where tenant_id = any($1::uuid[])
  group by 1, 2, 3, 4`;

export async function generateUsage(options: TGenerateUsageOptions): Promise<TGeneratedUsage> {
  const log = options.log ?? (() => {});
  const streams = Math.max(1, options.streams ?? 2);
  const prefix = options.slugPrefix ?? 'bench';
  const nowMs = (options.now ?? new Date()).getTime();
  if (options.tenants < 1 || options.events < options.tenants) throw new Error('need at least one tenant and one event per tenant');
  const started = performance.now();

  const { createTenant, withPlatform } = await import('../lib/tenancy');
  const counts = eventsPerTenant(options.events, options.tenants);
  const digits = Math.max(4, String(options.tenants).length);
  const tenants: TTenantPlan[] = await withPlatform(async (tx) => {
    const created: TTenantPlan[] = [];
    for (let i = 0; i < options.tenants; i++) {
      const slug = `${prefix}-${String(i + 1).padStart(digits, '0')}`;
      const ref = await createTenant(tx, { name: `Bench ${String(i + 1).padStart(digits, '0')}`, slug, plan: planOfRank(i + 1) });
      created.push({ id: ref.id, slug, rank: i + 1, eventCount: counts[i] });
    }
    return created;
  });
  const tenantsSeconds = (performance.now() - started) / 1000;
  log(`${tenants.length.toLocaleString('en-US')} tenants created in ${tenantsSeconds.toFixed(1)} s`);

  // work_mem: the rollups' hash aggregates stay in memory; synchronous_commit: nothing here waits on a flush.
  const sql = postgres(options.databaseUrl, {
    max: streams,
    onnotice: () => {},
    connection: { work_mem: '256MB', synchronous_commit: 'off', application_name: 'generate-usage' },
  });
  try {
    const groups = balance(tenants, streams);
    const copyStarted = performance.now();
    const nextId = timeOrderedIds();
    let copied = 0;
    let lastReport = copyStarted;
    await Promise.all(
      groups.map((group) =>
        copyUsageLines(
          sql,
          (function* () {
            for (const tenant of group) {
              yield* tenantYear(tenant, nowMs, nextId);
              copied += tenant.eventCount;
              const now = performance.now();
              if (now - lastReport > 10_000) {
                lastReport = now;
                log(`  ${copied.toLocaleString('en-US')} events copied (${Math.round(copied / ((now - copyStarted) / 1000)).toLocaleString('en-US')}/s)…`);
              }
            }
          })(),
        ),
      ),
    );
    const copySeconds = (performance.now() - copyStarted) / 1000;
    log(`${options.events.toLocaleString('en-US')} events copied in ${copySeconds.toFixed(1)} s (${Math.round(options.events / copySeconds).toLocaleString('en-US')} rows/s, ${groups.length} streams)`);

    const rollupStarted = performance.now();
    const ids = groups.map((group) => group.map((t) => t.id));
    const hourly = await Promise.all(ids.map((group) => sql.unsafe(HOURLY_FROM_EVENTS, [group])));
    const hourlyRows = hourly.reduce((sum, result) => sum + result.count, 0);
    log(`  usage_hourly: ${hourlyRows.toLocaleString('en-US')} rows in ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s`);
    const daily = await Promise.all(ids.map((group) => sql.unsafe(DAILY_FROM_HOURLY, [group])));
    const dailyRows = daily.reduce((sum, result) => sum + result.count, 0);
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    log(`rollups built in ${rollupSeconds.toFixed(1)} s (${hourlyRows.toLocaleString('en-US')} hourly, ${dailyRows.toLocaleString('en-US')} daily rows)`);

    // The rollups must account for every event, or a benchmark would read something record.ts never writes.
    const allIds = tenants.map((t) => t.id);
    const [check] = await sql<{ events: string; hourly: string; daily: string }[]>`
      select (select count(*) from usage_events where tenant_id = any(${allIds}::uuid[]))::text as events,
             (select coalesce(sum(count), 0) from usage_hourly where tenant_id = any(${allIds}::uuid[]))::text as hourly,
             (select coalesce(sum(count), 0) from usage_daily where tenant_id = any(${allIds}::uuid[]))::text as daily`;
    if ([check.events, check.hourly, check.daily].some((n) => Number(n) !== options.events)) {
      throw new Error(`generated ${options.events} events but found ${check.events} events, ${check.hourly} in usage_hourly, ${check.daily} in usage_daily`);
    }

    // Fresh statistics (autovacuum would get there later) and the rollups' visibility maps for index-only scans.
    const analyzeStarted = performance.now();
    await sql`vacuum (analyze) usage_hourly, usage_daily`;
    await sql`analyze usage_events`;
    const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
    const seconds = (performance.now() - started) / 1000;
    log(`checked and analyzed in ${analyzeSeconds.toFixed(1)} s; ${seconds.toFixed(1)} s in all (${Math.round(options.events / seconds).toLocaleString('en-US')} events/s)`);

    const largest = tenants[0];
    return {
      eventCount: options.events,
      tenantCount: tenants.length,
      largest: { id: largest.id, slug: largest.slug, eventCount: largest.eventCount },
      largestShare: largest.eventCount / options.events,
      hourlyRows,
      dailyRows,
      tenantsSeconds,
      copySeconds,
      copyRowsPerSecond: options.events / copySeconds,
      rollupSeconds,
      analyzeSeconds,
      seconds,
      rowsPerSecond: options.events / seconds,
      streams: groups.length,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

function intArg(argv: string[], name: string, fallback: number): number {
  const raw = argValue(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer (got "${raw}")`);
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL must name the (migrated) database to fill');
  // lib/config wants a session secret; this script signs nothing.
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString('base64url');
  const say = (line: string) => process.stdout.write(`[generate-usage] ${line}\n`);
  const result = await generateUsage({
    databaseUrl,
    events: intArg(argv, 'events', 10_000_000),
    tenants: intArg(argv, 'tenants', 1000),
    slugPrefix: argValue(argv, 'prefix'),
    streams: intArg(argv, 'streams', 2),
    log: say,
  });
  say(
    `largest tenant ${result.largest.slug} (${result.largest.id}): ${result.largest.eventCount.toLocaleString('en-US')} events ` +
      `(${(result.largestShare * 100).toFixed(1)} %)`,
  );
  const { closeDb } = await import('../db/client');
  await closeDb();
}

if (process.argv[1] && /generate-usage\.ts$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    process.stderr.write(`[generate-usage] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
