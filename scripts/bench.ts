/**
 * `npm run bench`: what the request path and the heavy jobs cost, at the configuration `npm start` runs. Builds the
 * app as `npm run build` does (`next build` into BENCH_DIST_DIR, then scripts/package.ts into `<dist dir>-dist/`),
 * serves `node <dist dir>-dist/server.mjs` (scripts/serve.ts, what `npm start` runs) with NODE_ENV=production,
 * LOG_LEVEL unset (info: the access log is written, to `<data dir>/server.log`, counted, not shown), tracing exported
 * only when OTEL_EXPORTER_OTLP_ENDPOINT is set, and SITEWORK_BENCH_ROUTES=1; against fresh embedded PostgreSQL + S3
 * in .data/bench (or DATABASE_URL / S3_ENDPOINT when set). Before the server starts, the enterprise plan's
 * requests_per_minute and api_calls_per_month are raised through updatePlan so that one API key may carry the load
 * (put back at the end on a DATABASE_URL). Each section written to BENCHMARKS.md carries the speed index
 * (bench/cpu.ts) measured at its part's start, so that a slower machine can be told from a slower program.
 *
 * wrapper → "Wrapper overhead": four endpoints of the same server loaded in alternating rounds with autocannon:
 *   bare-json  GET /api/bench/bare           Response.json({ ok: true }): no wrapper, no database (the baseline)
 *   health     GET /api/health               the route() wrapper, no database
 *   wrapped    GET /api/v1/tenant            the full wrapper and one tenant read, ONE API key (scope tenant:read) of a
 *                                            new tenant bench-wrapper-<tag> on the raised enterprise plan
 *   bare-sql   GET /api/bench/tenant?id=…    the wrapped read's SQL (withTenant + getTenant) without the wrapper
 * Medians of requests/s, p50, p99, CPU ms per request of the server and of PostgreSQL, log lines per request, and
 * (a separate pass) PostgreSQL transactions per request; each scenario's requests/s as a ratio to bare-json. Targets,
 * reported and not fatal: health ≥ 0.85× and wrapped ≥ 0.5× bare-json, wrapped ≤ 1.05 transactions per request. A run
 * with a non-2xx answer (a 429 included) or a socket error is invalid: the command exits non-zero.
 * With BENCH_CPU_PROFILE=1 (or --profile), a second server of the same build started with `node --cpu-prof` is loaded
 * with the wrapped scenario for BENCH_PROFILE_SECONDS after a warm-up; the top 10 functions by self time during the
 * load (bench/cpu-profile.ts) go into the section. Not a measured run.
 *
 * Then, on the same server, one streamed upload of 1 GiB through POST /api/v1/files (bench/upload.ts: MB/s and
 * the server's RSS growth, target < 200 MiB, reported, not fatal) → "File upload (1 GiB)"; and, against the same
 * PostgreSQL and S3, one archival run over 2,000 aged files of 256 KiB (bench/archival.ts, in a child process of
 * this script so that s3rver's memory, which lives in this process, does not count) → "Archival (2,000 × 256 KiB)".
 * A failed upload or archival run makes the command exit non-zero.
 *
 * ingest (bench/ingest.ts) → "Usage ingestion": events/s of POST /api/v1/usage/events (batches of 1,000 reported
 * events, one tenant, at BENCH_INGEST_CONCURRENCY requests in flight; target ≥ 20,000 events/s, reported, not
 * fatal), of the wrapper's buffered api_call metering (meterApiCall + flushUsage, in a child process like the
 * archival run) and of a raw COPY of as many rows into usage_events (the ceiling; no rollups, then timed again with
 * the set-based rollup). A failed batch makes the command exit non-zero.
 *
 * usage-stats (scripts/generate-usage.ts, bench/usage-stats.ts) → "Usage stats (10M events)": generates
 * BENCH_USAGE_EVENTS events for BENCH_USAGE_TENANTS tenants (COPY, then the rollups with INSERT … SELECT), then the
 * p50/p95/p99 of sequential GET /api/v1/usage/stats?period=1y, /usage/breakdown?period=1y, /usage/current (API
 * keys) and of the portal page GET /usage (Host: <slug>.localhost, a session signed in through next-auth) for the
 * largest tenant (target p95 < 100 ms, reported, not fatal), EXPLAIN ANALYZE of the rollup queries and the
 * database size. A failed request makes the command exit non-zero.
 *
 * pages (bench/pages.ts) → "Portal pages (50 concurrent users)": time to first byte (the server render: the pages
 * send nothing before they are rendered) of GET / (dashboard), /usage, /billing, /audit and /estimates for an owner
 * signed in on the tenant host, BENCH_PAGES_USERS keep-alive clients requesting the pages in turn for
 * BENCH_PAGES_SECONDS; p50/p95/p99 per page and pages/s (target p95 < 300 ms per page, reported, not fatal). The
 * tenant is the usage-stats part's largest when that part ran; otherwise the largest of BENCH_PAGES_EVENTS events
 * generated for 10 tenants. It also gets BENCH_PAGES_AUDIT_ROWS audit rows (set-based) and BENCH_PAGES_ESTIMATES
 * estimates (imported through the API). A failed request makes the command exit non-zero.
 *
 * invoices (bench/invoices.ts) → "Invoice run (1,000 tenants)": the monthly invoice run (runInvoices, in this
 * process) billing last month for the usage-stats part's tenants (moved back a year), or, without that part, for
 * BENCH_USAGE_TENANTS tenants generated with BENCH_INVOICE_EVENTS events; then the same run again (creates nothing).
 * Seconds and invoices/s; a failed tenant or a missing or duplicated invoice makes the command exit non-zero.
 *
 * audit (bench/audit.ts) → "Audit log": recordAudit insert throughput with the hash chain (one event per
 * transaction) for one tenant with 1 and 8 writers and across 100 tenants; then BENCH_AUDIT_ROWS (5,000,000) rows for
 * one tenant (generated set-based, hashes not chained) and the p50/p95 of GET /api/v1/audit/logs (first page and two
 * filters, API key) and of the portal Audit page (session on the tenant host); target p95 < 50 ms, reported. Also
 * error ingest: BENCH_ERROR_EVENTS (50,000) errors through captureError + flushErrors over 100 tenants, errors/s.
 *
 * estimates (bench/estimates.ts) → "Cost estimates: import and similarity search": POST /api/v1/estimates/import of
 * BENCH_ESTIMATES_FORMAT_ROWS synthetic estimates as a JSON array, CSV and JSON lines (fresh tenants; estimates/s,
 * material rows/s, the server's RSS), then one tenant grown to each of BENCH_ESTIMATES_SIZES in JSON imports of up to
 * 50,000 (the index waited for with drainIndexOutbox in this process), and at each size: the first search alone (cold
 * cache load; after growth, the refresh; after a deletion, dropping the deleted ids), the p50/p95/p99 of sequential
 * POST /api/v1/estimates/search-similar (held-out queries) and GET /api/v1/estimates/{id}/similar (API key), and
 * queries/s with BENCH_ESTIMATES_CLIENTS concurrent clients. Target p95 < 30 ms at 10,000 (reported, not fatal). The
 * store is the served app's: PostgreSQL, or Qdrant when QDRANT_URL is set. A non-2xx answer makes the command exit non-zero.
 *
 * Options: --only=wrapper,upload,archival,ingest,usage-stats,pages,invoices,audit,estimates (comma-separated; default
 * all nine); --profile (as BENCH_CPU_PROFILE=1); --smoke: every part for a few seconds with tiny sizes (SMOKE_SETTINGS
 * below; an explicit BENCH_* wins), one attempt per run, no quiet wait, the CPU profile on, nothing written (as
 * BENCH_OUTPUT=-), served from npm test's build (.next-e2e-dist, taken as it is when present) with its own data
 * directory (.data/bench-smoke-<pid>, removed at the end); it exits non-zero when a part fails or a run is invalid.
 * `npm test` runs it (tests/bench-smoke.test.ts). Each part ends with a line `[bench] done: <part> — …`.
 *
 * Knobs (environment): BENCH_CONNECTIONS (50), BENCH_DURATION seconds per run (15), BENCH_ROUNDS (3),
 * BENCH_WARMUP seconds per scenario (5), BENCH_PORT (a free one), BENCH_OUTPUT (BENCHMARKS.md; "-" prints only),
 * BENCH_DIST_DIR (.next-bench; .next-e2e with --smoke), BENCH_REBUILD=1 (force npm run build), BENCH_QUIET_WAIT seconds
 * to wait for other processes to calm down before each run (120; 0: no waiting), BENCH_LOG_LEVEL of the server (unset:
 * the app's default, info), BENCH_CPU_PROFILE=1, BENCH_PROFILE_SECONDS (15), BENCH_UPLOAD_BYTES (1 GiB),
 * BENCH_ARCHIVAL_FILES (2000), BENCH_ARCHIVAL_FILE_BYTES (262144), BENCH_INGEST_BATCHES per concurrency (200),
 * BENCH_INGEST_CONCURRENCY (1,4,8), BENCH_METER_CALLS (200000, also the COPY's rows), BENCH_USAGE_EVENTS (10000000),
 * BENCH_USAGE_TENANTS (1000), BENCH_LATENCY_REQUESTS per request kind (250), BENCH_LATENCY_WARMUP unmeasured requests
 * before them (20), BENCH_PAGES_USERS (50), BENCH_PAGES_SECONDS (20) per load, BENCH_PAGES_THINK_MS each user's pause
 * between pages, min-max ms (1000-3000; 0: back to back only), BENCH_PAGES_EVENTS (1000000, without
 * usage-stats), BENCH_PAGES_AUDIT_ROWS (200000), BENCH_PAGES_ESTIMATES (2000), BENCH_INVOICE_EVENTS (1000000),
 * BENCH_AUDIT_ROWS (5000000), BENCH_AUDIT_INSERTS per level (20000), BENCH_ERROR_EVENTS (50000),
 * BENCH_ESTIMATES_SIZES (10000,100000), BENCH_ESTIMATES_FORMAT_ROWS (10000), BENCH_ESTIMATES_CLIENTS (4,8),
 * BENCH_ESTIMATES_QPS_SECONDS per level (10).
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { migrateDatabase } from '../db/migrate';
import { startEmbeddedS3 } from './embedded-s3';
import { packagedBuildDirOf } from './packaged-build';
import { cpuBetween, cpuSpeedIndex, residentMiB, snapshotCpu, type TCpuUse } from '../bench/cpu';
import {
  ARCHIVAL_SECTION_TITLE,
  archivalTable,
  costTable,
  describeMachine,
  median,
  otherLoad,
  ratioToBaseline,
  describeServer,
  disturbedNote,
  machineLine,
  versionsLine,
  renderArchivalSection,
  renderSection,
  renderUploadSection,
  resultsTable,
  roundsTable,
  targetsTable,
  wrapperTargets,
  UPLOAD_SECTION_TITLE,
  uploadTable,
  uploadVerdict,
  writeNamedSection,
  writeSection,
  type TArchivalReport,
  type TReport,
  type TRun,
  type TServerConfig,
  type TSummary,
  type TUploadReport,
  INGEST_SECTION_TITLE,
  ingestTable,
  ingestVerdict,
  renderIngestSection,
  type TIngestReport,
  USAGE_STATS_SECTION_TITLE,
  usageLatencyTable,
  generationTable,
  renderUsageStatsSection,
  type TUsageStatsReport,
  INVOICES_SECTION_TITLE,
  invoiceRunTable,
  AUDIT_SECTION_TITLE,
  auditInsertTable,
  renderAuditSection,
  type TAuditBenchReport,
  renderInvoicesSection,
  type TInvoiceRunReport,
} from '../bench/report';
import type { TArchivalBenchResult } from '../bench/archival';
import type { TCpuProfile } from '../bench/cpu-profile';
import type { TIngestApiLevel, TMeterBenchResult } from '../bench/ingest';
import type { TLatency } from '../bench/usage-stats';
import type {
  TEstimatesImport,
  TEstimatesReport,
  TEstimatesSizeResult,
  TEstimatesTenant,
  TSingleRequest,
  TThroughput,
} from '../bench/estimates';
import type { TCostEstimate } from '../lib/estimates';

/**
 * `--smoke`: every part for a few seconds with tiny sizes, so that `npm test` (tests/bench-smoke.test.ts) keeps the
 * bench working. No thresholds, nothing written, no waiting for quiet; exits non-zero when a part fails or a run is
 * invalid. The knobs below are its defaults (an explicit BENCH_* still wins, BENCH_OUTPUT excepted).
 */
const isSmoke = process.argv.includes('--smoke');
const SMOKE_SETTINGS: Record<string, string> = {
  BENCH_DURATION: '1',
  BENCH_ROUNDS: '1',
  BENCH_WARMUP: '0',
  BENCH_QUIET_WAIT: '0',
  BENCH_UPLOAD_BYTES: String(8 * 1024 ** 2),
  BENCH_ARCHIVAL_FILES: '20',
  BENCH_ARCHIVAL_FILE_BYTES: '16384',
  BENCH_INGEST_BATCHES: '3',
  BENCH_INGEST_CONCURRENCY: '2',
  BENCH_METER_CALLS: '1000',
  BENCH_USAGE_EVENTS: '20000',
  BENCH_USAGE_TENANTS: '5',
  BENCH_LATENCY_REQUESTS: '10',
  BENCH_LATENCY_WARMUP: '2',
  BENCH_INVOICE_EVENTS: '20000',
  BENCH_AUDIT_ROWS: '5000',
  BENCH_AUDIT_INSERTS: '100',
  BENCH_ERROR_EVENTS: '100',
  BENCH_ESTIMATES_SIZES: '200',
  BENCH_ESTIMATES_FORMAT_ROWS: '100',
  BENCH_ESTIMATES_CLIENTS: '2',
  BENCH_ESTIMATES_QPS_SECONDS: '1',
  BENCH_PAGES_SECONDS: '2',
  BENCH_PAGES_THINK_MS: '100-300',
  BENCH_PAGES_EVENTS: '20000',
  BENCH_PAGES_AUDIT_ROWS: '2000',
  BENCH_PAGES_ESTIMATES: '50',
  BENCH_PROFILE_SECONDS: '2',
};
if (isSmoke) {
  for (const [name, value] of Object.entries(SMOKE_SETTINGS)) if (!process.env[name]) process.env[name] = value;
  process.env.BENCH_OUTPUT = '-';
}

/** How long idle PostgreSQL backends may keep their statistics unpublished (PGSTAT_IDLE_INTERVAL) + margin. */
const STATS_SETTLE_MS = 11_000;
/**
 * Its own build folder, so that a benchmark never touches the .next of a running `npm start`. The smoke run serves
 * the build `npm test` made already (test:build).
 */
const DIST_DIR = process.env.BENCH_DIST_DIR || (isSmoke ? '.next-e2e' : '.next-bench');
/** The packaged build of DIST_DIR (`npm run build`'s second half): its server.mjs is what is measured. */
const PACKAGED_DIR = packagedBuildDirOf(DIST_DIR);
/** The smoke run's data directory is its own (a real bench may be running) and is removed at the end. */
const DATA_DIR = path.resolve(isSmoke ? `.data/bench-smoke-${process.pid}` : '.data/bench');

function intSetting(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min} (got "${raw}")`);
  return value;
}

const settings = {
  connections: intSetting('BENCH_CONNECTIONS', 50, 1),
  durationSeconds: intSetting('BENCH_DURATION', 15, 1),
  rounds: intSetting('BENCH_ROUNDS', 3, 1),
  warmupSeconds: intSetting('BENCH_WARMUP', 5, 0),
  /** Before each timed run, wait up to this long for other processes to leave the CPU alone. */
  quietWaitSeconds: intSetting('BENCH_QUIET_WAIT', 120, 0),
};
const uploadBytes = intSetting('BENCH_UPLOAD_BYTES', 1024 ** 3, 1024);
const archivalFiles = intSetting('BENCH_ARCHIVAL_FILES', 2000, 1);
const archivalFileBytes = intSetting('BENCH_ARCHIVAL_FILE_BYTES', 256 * 1024, 4);
const ingestBatches = intSetting('BENCH_INGEST_BATCHES', 200, 1);
const ingestConcurrencies = (process.env.BENCH_INGEST_CONCURRENCY || '1,4,8').split(',').map((c) => {
  const value = Number(c.trim());
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_INGEST_CONCURRENCY must list integers ≥ 1 (got "${c}")`);
  return value;
});
const meterCalls = intSetting('BENCH_METER_CALLS', 200_000, 1000);
const usageEvents = intSetting('BENCH_USAGE_EVENTS', 10_000_000, 1000);
const usageTenants = intSetting('BENCH_USAGE_TENANTS', 1000, 1);
const latencyRequests = intSetting('BENCH_LATENCY_REQUESTS', 250, 10);
/** History the invoices part generates for its tenants when the usage-stats part (whose tenants it bills otherwise) does not run. */
const invoiceHistoryEvents = intSetting('BENCH_INVOICE_EVENTS', 1_000_000, 1000);
const auditRows = intSetting('BENCH_AUDIT_ROWS', 5_000_000, 1000);
const auditInsertEvents = intSetting('BENCH_AUDIT_INSERTS', 20_000, 100);
const errorEvents = intSetting('BENCH_ERROR_EVENTS', 50_000, 100);
/** A comma-separated list of integers ≥ min from the environment. */
function intListSetting(name: string, fallback: string, min: number): number[] {
  return (process.env[name] || fallback).split(',').map((c) => {
    const value = Number(c.trim());
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must list integers ≥ ${min} (got "${c}")`);
    return value;
  });
}
/** Tenant sizes at which search is measured, ascending. */
const estimateSizes = [...new Set(intListSetting('BENCH_ESTIMATES_SIZES', '10000,100000', 100))].sort((a, b) => a - b);
const estimateFormatRows = intSetting('BENCH_ESTIMATES_FORMAT_ROWS', 10_000, 100);
const estimateClients = intListSetting('BENCH_ESTIMATES_CLIENTS', '4,8', 1);
const estimateQpsSeconds = intSetting('BENCH_ESTIMATES_QPS_SECONDS', 10, 1);
/** Similarity search target: p95 below this with ESTIMATES_TARGET_SIZE estimates in the tenant (reported, not fatal). */
const ESTIMATES_TARGET_P95_MS = 30;
const ESTIMATES_TARGET_SIZE = 10_000;
const SEARCH_LIMIT = 10;
/** Audit read paths target: p95 below this (reported, not fatal). */
const AUDIT_TARGET_P95_MS = 50;
/** POST /api/v1/usage/events target, events/s (reported, not fatal). */
const INGEST_TARGET_EVENTS_PER_SECOND = 20_000;
/** Usage read paths target: p95 below this (reported, not fatal). */
const USAGE_TARGET_P95_MS = 100;
const LATENCY_WARMUP = intSetting('BENCH_LATENCY_WARMUP', 20, 0);
/** The plan of the wrapper's tenant, and the limits it is raised to so that neither refuses the load. */
const BENCH_PLAN = 'enterprise';
const BENCH_PLAN_REQUESTS_PER_MINUTE = 10_000_000;
const BENCH_PLAN_API_CALLS_PER_MONTH = 1_000_000_000;
/** Requests per scenario of the pass that counts database transactions (smaller in the smoke run, with shorter pauses). */
const TRANSACTION_COUNT_REQUESTS = isSmoke ? 200 : 2_000;
const transactionCountSettleMs = isSmoke ? 1_500 : STATS_SETTLE_MS;
/** Portal pages: concurrent users, seconds of load, and the history made for the tenant when usage-stats does not run. */
const pagesUsers = intSetting('BENCH_PAGES_USERS', 50, 1);
const pagesSeconds = intSetting('BENCH_PAGES_SECONDS', 20, 1);
/** `BENCH_PAGES_THINK_MS=min-max`: how long each user reads a page before the next (uniform); `0` for back to back. */
const pagesThinkMs = ((): { min: number; max: number } | null => {
  const raw = (process.env.BENCH_PAGES_THINK_MS || '1000-3000').trim();
  if (raw === '0') return null;
  const match = /^(\d+)-(\d+)$/.exec(raw);
  if (!match || Number(match[1]) > Number(match[2])) throw new Error(`BENCH_PAGES_THINK_MS must be "min-max" in ms or 0 (got "${raw}")`);
  return { min: Number(match[1]), max: Number(match[2]) };
})();
const pagesEvents = intSetting('BENCH_PAGES_EVENTS', 1_000_000, 1000);
const pagesAuditRows = intSetting('BENCH_PAGES_AUDIT_ROWS', 200_000, 0);
const pagesEstimates = intSetting('BENCH_PAGES_ESTIMATES', 2_000, 0);
/** Portal pages target: TTFB p95 below this for each page (reported, not fatal). */
const PAGES_TARGET_P95_MS = 300;
/** `BENCH_CPU_PROFILE=1` or `--profile`: a CPU profile of the server during an extra wrapped run of this many seconds. */
const isProfiling = process.env.BENCH_CPU_PROFILE === '1' || process.argv.includes('--profile') || isSmoke;
const profileSeconds = intSetting('BENCH_PROFILE_SECONDS', 15, 1);
/** The upload's target: the server's resident memory grows by less than this. */
const UPLOAD_TARGET_GROWTH_MIB = 200;

const PARTS = ['wrapper', 'upload', 'archival', 'ingest', 'usage-stats', 'pages', 'invoices', 'audit', 'estimates'] as const;
type TPart = (typeof PARTS)[number];
/** `--only=wrapper,upload,archival,ingest,usage-stats,pages,invoices,audit,estimates` (or `--only wrapper`): the parts to run; all by default. */
function partsToRun(argv: string[]): Set<TPart> {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i === -1) return new Set(PARTS);
  const value = argv[i].startsWith('--only=') ? argv[i].slice('--only='.length) : (argv[i + 1] ?? '');
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (!names.length || unknown.length) {
    throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')} (got "${value}")`);
  }
  return new Set(names as TPart[]);
}
/** Runs this script as the archival child (see inChild). */
const ARCHIVAL_CHILD_FLAG = '--archival-child';
/** Runs this script as the metering child of the ingest part (see inChild). */
const METER_CHILD_FLAG = '--meter-child';
/** Marks the result line a child prints on stdout. */
const CHILD_RESULT_PREFIX = '[bench] child result ';
/** Other processes' CPU (in cores) below which the machine counts as quiet. */
const QUIET_CORES = 0.3;
/** Attempts at a timed run that other processes keep disturbing; the quietest counts. The smoke run measures once. */
const MAX_ATTEMPTS = isSmoke ? 1 : 3;

const startedAt = performance.now();
/** Progress lines; the smoke run also says when (seconds since the start), to show where its time goes. */
const say = (line: string) =>
  process.stdout.write(`[bench] ${line}${isSmoke ? ` (${((performance.now() - startedAt) / 1000).toFixed(1)} s)` : ''}\n`);
const stops: (() => Promise<void>)[] = [];
let server: ChildProcess | undefined;
let serverLog: TServerLog | undefined;
/** Set while the server is stopped on purpose (before the archival part), so that its exit is not an error. */
let serverStopping = false;
/** Whether this process runs the S3 endpoint (s3rver), i.e. S3_ENDPOINT was not set. */
let embeddedS3 = false;
let load: autocannon.Instance | undefined;
let stopping = false;
let dbTransactionCount: () => Promise<number | null> = async () => null;
/** Transactions a second the served app makes with no request (job queue polls and the like), from the wrapper part. */
let backgroundTransactionsPerSecond: number | null = null;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    load?.stop();
    restoreGuardedFiles();
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => {
        server!.once('exit', resolve);
        setTimeout(resolve, 10_000).unref();
      });
    }
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    stops.push(async () => void (child.exitCode === null && child.kill('SIGTERM')));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * `next build` rewrites tsconfig.json (adding <distDir>/types to "include") and next-env.d.ts (pointing at
 * <distDir>'s route types) for a distDir other than .next. Both are shared with everyone's type check: put them back.
 */
const GUARDED_FILES = ['tsconfig.json', 'next-env.d.ts'];
let guarded: [string, string | null][] = [];
function restoreGuardedFiles(): void {
  for (const [file, content] of guarded) {
    if (content === null) continue;
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) writeFileSync(file, content);
  }
  guarded = [];
}

/** `npm run build` into DIST_DIR: `next build`, then scripts/package.ts into PACKAGED_DIR. */
async function build(env: NodeJS.ProcessEnv): Promise<void> {
  guarded = GUARDED_FILES.map((file) => [file, existsSync(file) ? readFileSync(file, 'utf8') : null]);
  try {
    await run('npm', ['run', 'build', '--silent'], env);
  } finally {
    restoreGuardedFiles();
  }
}

/** Newest modification time under the paths a build depends on. */
function newestSource(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p)) visit(path.join(p, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  paths.forEach(visit);
  return newest;
}

const BUILD_SOURCES = ['app', 'lib', 'db', 'components', 'public', 'middleware.ts', 'instrumentation.ts', 'next.config.ts', 'package-lock.json', 'scripts/serve.ts', 'scripts/package.ts'];

/**
 * Why the packaged build must be (re)made, or null when it is current and has the bench routes. The smoke run takes
 * the build `npm test` made moments before as it is.
 */
function buildNeeded(): string | null {
  const serverFile = path.join(PACKAGED_DIR, 'server.mjs');
  if (process.env.BENCH_REBUILD === '1') return 'BENCH_REBUILD=1';
  if (!existsSync(serverFile)) return `no ${path.relative(process.cwd(), serverFile)}`;
  for (const route of ['bare', 'tenant']) {
    if (!existsSync(path.join(PACKAGED_DIR, DIST_DIR, `server/app/api/bench/${route}/route.js`))) return `the build lacks /api/bench/${route}`;
  }
  if (isSmoke) return null;
  if (newestSource(BUILD_SOURCES) > statSync(serverFile).mtimeMs) return 'sources changed since the last bench build';
  return null;
}

async function waitForHealth(origin: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited before it answered');
    try {
      const response = await fetch(`${origin}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${origin}/api/health did not answer 200 within ${timeoutMs / 1000} s`);
}

/**
 * Waits (up to settings.quietWaitSeconds) until the rest of the machine uses less than QUIET_CORES, so that
 * other people's builds and tests do not land in a timed run. Returns the last reading.
 */
async function waitForQuiet(): Promise<number | null> {
  if (settings.quietWaitSeconds === 0) return null;
  const deadline = Date.now() + settings.quietWaitSeconds * 1000;
  let announced = false;
  for (;;) {
    const before = snapshotCpu(server?.pid);
    await sleep(2_000);
    const use = cpuBetween(before, snapshotCpu(server?.pid));
    if (!use || use.otherCores < QUIET_CORES) return use?.otherCores ?? null;
    if (Date.now() >= deadline) {
      say(`  the machine is still busy (${use.otherCores.toFixed(2)} cores used by other processes): measuring anyway`);
      return use.otherCores;
    }
    if (!announced) say(`  other processes use ${use.otherCores.toFixed(2)} cores: waiting up to ${settings.quietWaitSeconds} s for quiet…`);
    announced = true;
  }
}

interface TScenario {
  name: string;
  description: string;
  requests: autocannon.Request[];
}

/** Loads one scenario for `seconds`, or for exactly `amount` requests when given. */
function runLoad(origin: string, scenario: TScenario, seconds: number, amount?: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    load = autocannon(
      {
        url: origin,
        connections: settings.connections,
        ...(amount ? { amount } : { duration: seconds }),
        requests: scenario.requests,
      },
      (error, result) => {
        load = undefined;
        if (error) reject(error);
        else resolve(result);
      },
    );
  });
}

function toRun(
  scenario: TScenario,
  round: number,
  result: autocannon.Result,
  cpu: TCpuUse | null,
  speedIndexMs: number,
): TRun {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    scenario: scenario.name,
    round,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpu,
    speedIndexMs,
    serverMiB: residentMiB(server?.pid),
    logLines: 0,
  };
}

/** The answers of a run by status, e.g. `200×1234 429×3`. */
const statusList = (run: TRun) =>
  Object.entries(run.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');

async function expectTenant(label: string, url: string, headers: Record<string, string>, tenantId: string): Promise<void> {
  const response = await fetch(url, { headers });
  const body = (await response.json().catch(() => null)) as { tenant?: { id?: string } } | null;
  if (response.status !== 200 || body?.tenant?.id !== tenantId) {
    throw new Error(`${label} ${url} answered ${response.status} ${JSON.stringify(body)} (expected 200 with tenant ${tenantId})`);
  }
}

const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;

/** The commit measured, and whether the working tree differed from it. */
function codeVersion(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'app', 'lib', 'db', 'middleware.ts', 'instrumentation.ts'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function commandLine(): string {
  const overrides = Object.entries(process.env)
    .filter(([name]) => /^BENCH_/.test(name) && name !== 'BENCH_OUTPUT')
    .map(([name, value]) => `${name}=${value}`);
  const args = process.argv.slice(2);
  return [...overrides, 'npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ');
}

/**
 * `scripts/bench.ts --archival-child`: runs benchArchival in this (child) process against the services the
 * environment names (set by the parent) and prints the result as one JSON line.
 */
async function archivalChild(): Promise<void> {
  const { benchArchival } = await import('../bench/archival');
  const result = await benchArchival({ fileCount: archivalFiles, fileSizeBytes: archivalFileBytes });
  process.stdout.write(`${CHILD_RESULT_PREFIX}${JSON.stringify(result)}\n`);
  const { closeDb } = await import('../db/client');
  await closeDb().catch(() => {});
}

/** `scripts/bench.ts --meter-child`: the ingest part's wrapper-buffer run (bench/ingest.ts), one JSON line. */
async function meterChild(): Promise<void> {
  const { meterThroughBuffer } = await import('../bench/ingest');
  const result = await meterThroughBuffer(meterCalls);
  process.stdout.write(`${CHILD_RESULT_PREFIX}${JSON.stringify(result)}\n`);
  const { closeDb } = await import('../db/client');
  await closeDb().catch(() => {});
}

/**
 * Runs a benchmark in a child process (this script with `flag`: --archival-child, --meter-child), so that its RSS
 * and CPU are its own: s3rver, when embedded, lives in this process. Samples this process's RSS meanwhile.
 */
async function inChild<T>(flag: string): Promise<{ result: T; selfStartMiB: number | null; selfPeakMiB: number | null }> {
  const selfStartMiB = residentMiB(process.pid);
  let selfPeakMiB = selfStartMiB;
  const sampler = setInterval(() => {
    const now = residentMiB(process.pid);
    if (now !== null) selfPeakMiB = Math.max(selfPeakMiB ?? 0, now);
  }, 50);
  try {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', path.resolve('scripts/bench.ts'), flag], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    stops.push(async () => void (child.exitCode === null && child.kill('SIGTERM')));
    let result: T | undefined;
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.startsWith(CHILD_RESULT_PREFIX)) result = JSON.parse(line.slice(CHILD_RESULT_PREFIX.length)) as T;
        else if (!stopping) process.stdout.write(`${line}\n`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    if (code !== 0 || !result) throw new Error(`the ${flag} child exited with ${code}${result ? '' : ' without a result'}`);
    return { result, selfStartMiB, selfPeakMiB };
  } finally {
    clearInterval(sampler);
  }
}

/** A server's stdout, written to a file: its JSON log, with an access-log line per wrapped request at the default level. */
interface TServerLog {
  file: string;
  /** Bytes read so far (up to the end of the last whole line). */
  offset: number;
}

/**
 * Starts `node server.mjs` of the packaged build in its directory, as `npm start` does. Its stdout goes to a file
 * (`<name>.log` in DATA_DIR), as with `npm start > app.log`: written all the same, so the access log costs what it
 * costs, but not to the terminal, and not into a pipe this process (the load generator) would have to drain.
 */
function startServer(env: NodeJS.ProcessEnv, name: string, nodeArgs: string[] = []): { child: ChildProcess; log: TServerLog } {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = path.join(DATA_DIR, `${name}.log`);
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [...nodeArgs, 'server.mjs'], { cwd: PACKAGED_DIR, stdio: ['ignore', fd, 'pipe'], env });
    // Passed on until shutdown begins: on Ctrl-C PostgreSQL (same process group) stops at once, and the requests
    // still in flight would each log a connection error.
    child.stderr!.on('data', (chunk: Buffer) => void (stopping || process.stderr.write(chunk)));
    return { child, log: { file, offset: 0 } };
  } finally {
    closeSync(fd);
  }
}

/** The whole lines the server wrote since the last call. */
function newLogLines(log: TServerLog): string[] {
  const size = existsSync(log.file) ? statSync(log.file).size : 0;
  if (size <= log.offset) return [];
  const fd = openSync(log.file, 'r');
  try {
    const bytes = Buffer.alloc(size - log.offset);
    readSync(fd, bytes, 0, bytes.length, log.offset);
    const end = bytes.lastIndexOf(0x0a);
    if (end === -1) return [];
    log.offset += end + 1;
    return bytes.subarray(0, end).toString('utf8').split('\n');
  } finally {
    closeSync(fd);
  }
}

/** A pino line of level warn or above, the level as a label or as pino's number. */
const WARNING_LEVEL = /"level":(?:"(?:warn|error|fatal)"|[456]0\b)/;

/** Counts the server's new log lines, showing those of level warn and above and anything that is not JSON. */
function countLogLines(log: TServerLog): number {
  const lines = newLogLines(log);
  for (const line of lines) if (!line.startsWith('{') || WARNING_LEVEL.test(line)) process.stdout.write(`${line}\n`);
  return lines.length;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
    child.once('exit', resolve);
    setTimeout(resolve, 15_000).unref();
  });
}

/** The monotonic clock in microseconds, the clock of V8's CPU profiles on the same machine. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * A CPU profile of the server under the wrapped load: a second server of the same build, started with
 * `node --cpu-prof`, loaded for profileSeconds after a warm-up, then stopped (Node writes the profile as it exits);
 * only the samples taken during the load count. Not a measured run: its figures are not in the results.
 */
async function profileServer(scenario: TScenario, serverEnv: NodeJS.ProcessEnv): Promise<NonNullable<TReport['profile']>> {
  const dir = path.join(DATA_DIR, 'cpu-profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const { child: profiled, log } = startServer({ ...serverEnv, PORT: String(port) }, 'server-profiled', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  stops.push(() => stopProcess(profiled));
  const origin = `http://127.0.0.1:${port}`;
  let window: { fromMicros: number; toMicros: number };
  try {
    await waitForHealth(origin, 60_000, profiled);
    if (settings.warmupSeconds > 0) await runLoad(origin, scenario, settings.warmupSeconds);
    await waitForQuiet();
    say(`profile: ${scenario.name} for ${profileSeconds} s on a second server started with --cpu-prof…`);
    const fromMicros = monotonicMicros();
    const result = await runLoad(origin, scenario, profileSeconds);
    window = { fromMicros, toMicros: monotonicMicros() };
    if (result.non2xx || result.errors) throw new Error(`the profiled run saw ${result.non2xx} non-2xx answers and ${result.errors} socket errors`);
  } finally {
    await stopProcess(profiled);
    countLogLines(log);
  }
  if (profiled.exitCode !== 0) throw new Error(`the profiled server exited with ${profiled.exitCode ?? profiled.signalCode}, so it wrote no profile`);
  // Worker threads write profiles of their own; the main thread's is the one with thread id 0.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const file = files.find((f) => f.includes(`.${profiled.pid}.0.`)) ?? files[0];
  if (!file) throw new Error(`the profiled server wrote no .cpuprofile into ${dir}`);
  const { topSelfTime, selfTimeTable } = await import('../bench/cpu-profile');
  const summary = topSelfTime(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as TCpuProfile, { window, root: PACKAGED_DIR });
  return { seconds: profileSeconds, table: selfTimeTable(summary), busyMs: summary.busyMs, idleMs: summary.idleMs, isWindowed: summary.isWindowed };
}

/** A new tenant on the bench plan with an owner (who cannot sign in: a random password nobody keeps). */
async function createOwnedTenant(slug: string, name: string): Promise<{ tenantId: string; ownerId: string }> {
  const { createTenantWithOwner, insertUser } = await import('../lib/auth');
  const { withPlatform } = await import('../lib/tenancy');
  const ownerEmail = `owner@${slug}.bench.local`;
  return withPlatform(async (tx) => {
    const owner = await insertUser(tx, { email: ownerEmail, name: `${name} owner`, password: randomBytes(18).toString('base64url'), isEmailVerified: true });
    const created = await createTenantWithOwner(tx, { name, slug, plan: BENCH_PLAN, ownerEmail }, null);
    return { tenantId: created.tenant.id, ownerId: owner.id };
  });
}

/** An owner of an existing tenant whose password the bench knows, to sign in on the tenant's host. */
async function addSignInOwner(tenantId: string, slug: string, name: string): Promise<{ email: string; password: string; userId: string }> {
  const { insertUser } = await import('../lib/auth');
  const { memberships } = await import('../db/schema/auth');
  const { withPlatform } = await import('../lib/tenancy');
  const email = `owner@${slug}.bench.local`;
  const password = randomBytes(18).toString('base64url');
  const user = await withPlatform(async (tx) => {
    const created = await insertUser(tx, { email, name, password, isEmailVerified: true });
    await tx.insert(memberships).values({ tenantId, userId: created.id, role: 'owner' });
    return created;
  });
  return { email, password, userId: user.id };
}

/** The line tests/bench-smoke.test.ts looks for: a part that ends without it failed or was skipped. */
const partDone = (part: TPart, summary: string) => {
  if (serverLog) countLogLines(serverLog);
  say(`done: ${part} — ${summary}`);
};

async function main() {
  if (process.argv.includes(ARCHIVAL_CHILD_FLAG)) {
    await archivalChild();
    process.exit(0);
  }
  if (process.argv.includes(METER_CHILD_FLAG)) {
    await meterChild();
    process.exit(0);
  }
  const parts = partsToRun(process.argv.slice(2).filter((a) => a !== '--smoke' && a !== '--profile'));
  say(`parts: ${[...parts].join(', ')}${isSmoke ? ' (smoke run: a few seconds each, tiny sizes, no thresholds, nothing written)' : ''}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const isUserDatabase = !!env.DATABASE_URL;
  const port = process.env.BENCH_PORT ? intSetting('BENCH_PORT', 0, 1) : await freePort();
  env.PORT = String(port);
  env.APP_URL = `http://localhost:${port}`;
  env.NEXTAUTH_URL = env.APP_URL;
  env.NEXTAUTH_SECRET ??= randomBytes(32).toString('base64url');
  env.AUTH_TRUST_HOST = 'true';
  // The server's log level is the app's default (info, with the access log) unless BENCH_LOG_LEVEL says otherwise;
  // this process and its archival and metering children, which are not what is measured, log warnings only.
  const serverLogLevel = process.env.BENCH_LOG_LEVEL || null;
  env.LOG_LEVEL = 'warn';

  // Pushed first, so run last: after PostgreSQL and S3 have stopped.
  if (isSmoke) stops.push(async () => rmSync(DATA_DIR, { recursive: true, force: true }));
  if (!env.DATABASE_URL || !env.S3_ENDPOINT) {
    rmSync(DATA_DIR, { recursive: true, force: true });
    mkdirSync(DATA_DIR, { recursive: true });
  }
  const dataDirName = path.relative(process.cwd(), DATA_DIR);
  if (!env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres(path.join(DATA_DIR, 'postgres'), ['sitework']);
    stops.push(() => pg.stop());
    env.DATABASE_URL = pg.urlFor('sitework');
    say(`embedded PostgreSQL started (fresh cluster in ${dataDirName}/postgres)`);
  } else {
    say('using DATABASE_URL');
  }
  if (!env.S3_ENDPOINT) {
    const buckets = [env.S3_BUCKET ?? 'sitework-files', env.S3_ARCHIVE_BUCKET ?? 'sitework-archive'];
    const s3 = await startEmbeddedS3(path.join(DATA_DIR, 's3'), buckets);
    stops.push(() => s3.stop());
    embeddedS3 = true;
    Object.assign(env, { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' });
    say(`embedded S3 endpoint at ${s3.endpoint}`);
  }
  Object.assign(process.env, env);

  const { parseConfig } = await import('../lib/config');
  const config = parseConfig(process.env);
  await migrateDatabase(config.DATABASE_URL, { appRoleSecret: env.DATABASE_APP_URL ? undefined : config.NEXTAUTH_SECRET });
  const { ensureBuckets } = await import('../lib/storage');
  await ensureBuckets();
  const { seedDemoData, demoEmail } = await import('../db/seed');
  await seedDemoData();
  say('migrated and seeded');

  const { inArray, sql } = await import('drizzle-orm');
  const { users, apiKeys } = await import('../db/schema/auth');
  const { findTenantRef, withPlatform, withTenant, platformDb } = await import('../lib/tenancy');
  const { createApiKey } = await import('../lib/auth');
  const { getPlan, updatePlan } = await import('../lib/billing');
  const { closeDb } = await import('../db/client');
  const acme = await findTenantRef('acme');
  if (!acme) throw new Error('the demo tenant acme is missing after seeding');
  const [acmeOwner] = await withPlatform((tx) =>
    tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${demoEmail('owner', 'acme')}`),
  );
  if (!acmeOwner) throw new Error('acme has no owner after seeding');
  const runTag = randomBytes(4).toString('hex');
  // On a shared DATABASE_URL the keys must not outlive the run, nor the raised plan (restoredAtEnd, run before closeDb).
  const keyIds: string[] = [];
  const restoredAtEnd: (() => Promise<unknown>)[] = [];
  stops.push(async () => {
    await withPlatform((tx) => tx.delete(apiKeys).where(inArray(apiKeys.id, keyIds))).catch(() => {});
    for (const restore of restoredAtEnd.reverse()) await restore().catch(() => {});
    await closeDb();
  });

  // The wrapper's load is one API key's, and the portal pages' one user's: the plan of their tenants is raised so that
  // neither the rate limit nor the monthly quota refuses it. Before the server starts; updatePlan also announces it.
  if (parts.has('wrapper') || parts.has('pages')) {
    const before = await withPlatform((tx) => getPlan(tx, BENCH_PLAN));
    await withPlatform((tx) =>
      updatePlan(tx, BENCH_PLAN, { requestsPerMinute: BENCH_PLAN_REQUESTS_PER_MINUTE, apiCallsPerMonth: BENCH_PLAN_API_CALLS_PER_MONTH }),
    );
    if (isUserDatabase) {
      restoredAtEnd.push(() =>
        withPlatform((tx) => updatePlan(tx, BENCH_PLAN, { requestsPerMinute: before.requestsPerMinute, apiCallsPerMonth: before.apiCallsPerMonth })),
      );
    }
    say(
      `plan ${BENCH_PLAN}: requests_per_minute ${before.requestsPerMinute.toLocaleString('en-US')} → ${BENCH_PLAN_REQUESTS_PER_MINUTE.toLocaleString('en-US')}, ` +
        `api_calls_per_month ${before.apiCallsPerMonth.toLocaleString('en-US')} → ${BENCH_PLAN_API_CALLS_PER_MONTH.toLocaleString('en-US')}` +
        `${isUserDatabase ? ' (put back at the end)' : ''}`,
    );
  }
  // The wrapper's tenant, created after the plan was raised (a tenant's monthly API quota is the plan's at creation),
  // and its one API key, scope tenant:read.
  let wrapperTenant: { id: string; slug: string; key: string } | undefined;
  if (parts.has('wrapper')) {
    const slug = `bench-wrapper-${runTag}`;
    const { tenantId, ownerId } = await createOwnedTenant(slug, `Wrapper bench ${runTag}`);
    const key = await withTenant(tenantId, (tx) =>
      createApiKey(tx, tenantId, { userId: ownerId, role: 'owner' }, { name: `bench ${runTag} wrapper`, scopes: ['tenant:read'] }),
    );
    keyIds.push(key.id);
    wrapperTenant = { id: tenantId, slug, key: key.secret };
    say(`wrapper: tenant ${slug} (${BENCH_PLAN}) with one API key of scope tenant:read`);
  }
  // The pages part's tenant when the usage-stats part (whose largest tenant it takes) does not run. Its history is
  // generated before the server starts: the server's schedule catch-up at start records storage snapshots of every
  // tenant into the same rollup rows that the generator's INSERT … SELECT writes, and the two must not race.
  let pagesTenant: { id: string; slug: string; eventCount: number; email: string; password: string; userId: string } | undefined;
  if (parts.has('pages') && !parts.has('usage-stats')) {
    const { generateUsage } = await import('./generate-usage');
    const tenantCount = Math.min(10, pagesEvents);
    say(`pages: generating ${pagesEvents.toLocaleString('en-US')} usage events for ${tenantCount} tenants…`);
    const generated = await generateUsage({
      databaseUrl: env.DATABASE_URL!,
      events: pagesEvents,
      tenants: tenantCount,
      slugPrefix: `pages-${runTag}`,
      log: (line) => say(`  ${line}`),
    });
    const { id, slug, eventCount } = generated.largest;
    pagesTenant = { id, slug, eventCount, ...(await addSignInOwner(id, slug, 'Pages bench owner')) };
  }
  // The upload part's key: scope files:write.
  const uploadKey = parts.has('upload')
    ? await withTenant(acme.id, (tx) =>
        createApiKey(tx, acme.id, { userId: acmeOwner.id, role: 'owner' }, { name: `bench ${runTag} upload`, scopes: ['files:write'] }),
      )
    : undefined;
  if (uploadKey) {
    keyIds.push(uploadKey.id);
    say(`an API key with scope files:write created for acme's owner`);
  }
  const [pgVersion] = await platformDb().execute<{ version: string }>(sql`select current_setting('server_version') as version`);
  /** Transactions of this database so far (each statement outside BEGIN … COMMIT is one); counts itself. */
  dbTransactionCount = async () => {
    const [row] = await platformDb().execute<{ n: string }>(
      sql`select (xact_commit + xact_rollback)::text as n from pg_stat_database where datname = current_database()`,
    );
    return row ? Number(row.n) : null;
  };
  const nextVersion = packageVersion('next');
  const output = process.env.BENCH_OUTPUT ?? 'BENCHMARKS.md';
  const invalid: string[] = [];

  // What `npm start` gives the web process (scripts/start.ts), plus the bench routes.
  const { currentRelease } = await import('../lib/errors');
  const serverEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: 'production', SITEWORK_BENCH_ROUTES: '1', NEXT_TELEMETRY_DISABLED: '1' };
  delete serverEnv.LOG_LEVEL;
  if (serverLogLevel) serverEnv.LOG_LEVEL = serverLogLevel;
  serverEnv.SITEWORK_RELEASE ??= currentRelease() ?? undefined;
  const serverConfig: TServerConfig = {
    packagedDir: PACKAGED_DIR,
    distDir: DIST_DIR,
    logLevel: serverLogLevel,
    otelEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || null,
    hasRedis: !!env.REDIS_URL,
    poolMax: config.DATABASE_POOL_MAX,
  };
  const packagedName = path.relative(process.cwd(), PACKAGED_DIR);
  if (parts.has('wrapper') || parts.has('upload') || parts.has('ingest') || parts.has('usage-stats') || parts.has('pages') || parts.has('audit') || parts.has('estimates')) {
    const why = buildNeeded();
    if (why) {
      say(`building: npm run build into ${DIST_DIR}, packaged into ${packagedName} (${why})…`);
      await build({ ...serverEnv, NEXT_DIST_DIR: DIST_DIR });
    } else {
      const isStale = newestSource(BUILD_SOURCES) > statSync(path.join(PACKAGED_DIR, 'server.mjs')).mtimeMs;
      say(`reusing the packaged build in ${packagedName}${isStale ? ' (older than the sources: the smoke run takes it as it is)' : ''}`);
    }

    // server.mjs listens on all interfaces and leaves Next's hostname unset, as under `npm start`: the portal on a
    // tenant host (bench-0001.localhost) needs that (with a hostname of 127.0.0.1 Next would proxy middleware's
    // rewrite to /t/<slug>/… as an external one, which middleware refuses).
    const started = startServer(serverEnv, 'server');
    server = started.child;
    serverLog = started.log;
    server.once('exit', (code, signal) => {
      if (!stopping && !serverStopping) {
        countLogLines(started.log);
        process.stderr.write(`[bench] the server exited (${signal ?? code}) during the benchmark\n`);
        void shutdown(1);
      }
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitForHealth(origin, 60_000, server);
    say(
      `node ${packagedName}/server.mjs is serving on ${origin} (LOG_LEVEL ${serverLogLevel ?? 'unset: info, access log on'}; ` +
        `tracing ${serverConfig.otelEndpoint ? `exported to ${serverConfig.otelEndpoint}` : 'not exported'})`,
    );

    if (parts.has('wrapper') && wrapperTenant) {
      const tenantId = wrapperTenant.id;
      const bearer = { authorization: `Bearer ${wrapperTenant.key}` };
      // Every endpoint must answer as expected, the two with SQL the same tenant, before anything is measured.
      const bare = await fetch(`${origin}/api/bench/bare`);
      const bareBody = await bare.text();
      if (bare.status !== 200 || bareBody !== JSON.stringify({ ok: true })) throw new Error(`/api/bench/bare answered ${bare.status} ${bareBody.slice(0, 200)}`);
      await expectTenant('bare-sql', `${origin}/api/bench/tenant?id=${tenantId}`, {}, tenantId);
      await expectTenant('wrapped', `${origin}/api/v1/tenant`, bearer, tenantId);

      const scenarios: TScenario[] = [
        { name: 'bare-json', description: 'a route handler returning JSON: no wrapper, no database', requests: [{ method: 'GET', path: '/api/bench/bare' }] },
        { name: 'health', description: 'GET /api/health: the wrapper, no database', requests: [{ method: 'GET', path: '/api/health' }] },
        {
          name: 'wrapped',
          description: 'GET /api/v1/tenant: the wrapper and one tenant read, one API key',
          requests: [{ method: 'GET', path: '/api/v1/tenant', headers: bearer }],
        },
        {
          name: 'bare-sql',
          description: "the wrapped read's SQL (withTenant + getTenant), no wrapper",
          requests: [{ method: 'GET', path: `/api/bench/tenant?id=${tenantId}` }],
        },
      ];

      if (settings.warmupSeconds > 0) {
        say(`warming up (${settings.warmupSeconds} s each)…`);
        for (const scenario of scenarios) {
          const result = await runLoad(origin, scenario, settings.warmupSeconds);
          if (result.non2xx || result.errors) say(`  warm-up of ${scenario.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
      }

      /** One timed run, logged. */
      const measureOnce = async (scenario: TScenario, round: number): Promise<TRun> => {
        await waitForQuiet();
        const speedIndexMs = cpuSpeedIndex();
        const cpuBefore = snapshotCpu(server!.pid);
        countLogLines(started.log);
        const measured = await runLoad(origin, scenario, settings.durationSeconds);
        const result = toRun(scenario, round, measured, cpuBetween(cpuBefore, snapshotCpu(server!.pid)), speedIndexMs);
        result.logLines = countLogLines(started.log);
        say(
          `  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.total} requests [${statusList(result)}]` +
            (result.errors ? `, ${result.errors} socket errors (${result.timeouts} timeouts)` : ''),
        );
        const cpu = result.cpu;
        if (cpu) {
          const perRequest = (seconds: number) => ((seconds * 1000) / Math.max(1, result.total)).toFixed(2);
          say(
            `  CPU ms/request: next ${perRequest(cpu.next)} (${(cpu.next / cpu.seconds).toFixed(2)} cores), ` +
              `postgres ${perRequest(cpu.postgres)}, autocannon ${perRequest(cpu.bench)}; ` +
              `other load ${cpu.otherCores.toFixed(2)} cores; speed index ${speedIndexMs} ms; server RSS ${result.serverMiB ?? '?'} MiB`,
          );
        }
        return result;
      };

      /**
       * A run during which other processes used QUIET_CORES or more is measured again (MAX_ATTEMPTS in all) and
       * the quietest attempt counts. A run with a failed request counts as it is: failures are never retried away.
       */
      const measure = async (scenario: TScenario, round: number): Promise<TRun> => {
        let best: TRun | undefined;
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const run = await measureOnce(scenario, round);
          if (run.non2xx || run.errors) return run;
          const other = run.cpu?.otherCores ?? 0;
          if (!best || other < (best.cpu?.otherCores ?? 0)) best = run;
          if (other < QUIET_CORES) break;
          if (attempt < MAX_ATTEMPTS) say(`  disturbed (other processes used ${other.toFixed(2)} cores): measuring again`);
        }
        return best!;
      };

      // After the warm-up: the server's own start-up work (compiling, the schedule catch-up) would slow it down.
      await waitForQuiet();
      const speedIndexAtStart = cpuSpeedIndex();
      const runs: TRun[] = [];
      for (let round = 1; round <= settings.rounds; round++) {
        for (const scenario of scenarios) {
          say(`round ${round}/${settings.rounds}: ${scenario.name} (${settings.durationSeconds} s, ${settings.connections} connections)…`);
          runs.push(await measure(scenario, round));
        }
      }

      // Database transactions per request, counted apart from the timed rounds: pg_stat_database shows a
      // backend's counts only once it has flushed them, which an idle backend may delay by up to 10 s.
      const transactions = new Map<string, number>();
      const countFailures: string[] = [];
      say(
        `counting database transactions per request (${TRANSACTION_COUNT_REQUESTS} requests per scenario, ~${transactionCountSettleMs / 1000} s pauses)…`,
      );
      await sleep(transactionCountSettleMs);
      // What the server does with no request at all (the job queue's polls, schedules, liveness checks) goes on during
      // each count too: measured over an idle window first and taken off each scenario's count for its duration.
      const idleStarted = performance.now();
      const idleBefore = await dbTransactionCount();
      await sleep(transactionCountSettleMs);
      const idleAfter = await dbTransactionCount();
      const backgroundPerMs = idleBefore !== null && idleAfter !== null ? Math.max(0, idleAfter - idleBefore - 1) / (performance.now() - idleStarted) : 0;
      backgroundTransactionsPerSecond = backgroundPerMs * 1000;
      say(`  background (no requests): ${backgroundTransactionsPerSecond.toFixed(2)} transactions/s`);
      for (const scenario of scenarios) {
        const started = performance.now();
        const before = await dbTransactionCount();
        const result = await runLoad(origin, scenario, 0, TRANSACTION_COUNT_REQUESTS);
        await sleep(transactionCountSettleMs);
        const after = await dbTransactionCount();
        if (result.non2xx || result.errors) {
          countFailures.push(`${scenario.name} transaction count (${result.non2xx} non-2xx, ${result.errors} errors)`);
        } else if (before !== null && after !== null) {
          // The reading before counts itself once.
          const background = backgroundPerMs * (performance.now() - started);
          transactions.set(scenario.name, Math.max(0, after - before - 1 - background) / result.requests.total);
        }
        say(`  ${scenario.name}: ${transactions.get(scenario.name)?.toFixed(2) ?? 'n/a'} transactions/request`);
      }

      const summaries: TSummary[] = scenarios.map((scenario) => {
        const mine = runs.filter((r) => r.scenario === scenario.name);
        return {
          scenario: scenario.name,
          description: scenario.description,
          requestsPerSecond: median(mine.map((r) => r.requestsPerSecond)),
          p50: median(mine.map((r) => r.p50)),
          p99: median(mine.map((r) => r.p99)),
          non2xx: mine.reduce((sum, r) => sum + r.non2xx, 0),
          errors: mine.reduce((sum, r) => sum + r.errors, 0),
          nextCpuMs: median(mine.map((r) => (r.cpu ? (r.cpu.next * 1000) / r.total : null))),
          nextCores: median(mine.map((r) => (r.cpu ? r.cpu.next / r.cpu.seconds : null))),
          postgresCpuMs: median(mine.map((r) => (r.cpu ? (r.cpu.postgres * 1000) / r.total : null))),
          loadGeneratorCpuMs: median(mine.map((r) => (r.cpu ? (r.cpu.bench * 1000) / r.total : null))),
          dbTransactions: transactions.get(scenario.name) ?? null,
          logLinesPerRequest: median(mine.map((r) => r.logLines / Math.max(1, r.total))),
        };
      });

      let profile: TReport['profile'] = null;
      if (isProfiling) profile = await profileServer(scenarios.find((s) => s.name === 'wrapped')!, serverEnv);

      const report: TReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?', autocannon: packageVersion('autocannon') },
        settings: {
          connections: settings.connections,
          durationSeconds: settings.durationSeconds,
          rounds: settings.rounds,
          warmupSeconds: settings.warmupSeconds,
          requestsPerMinute: BENCH_PLAN_REQUESTS_PER_MINUTE,
          apiCallsPerMonth: BENCH_PLAN_API_CALLS_PER_MONTH,
          plan: BENCH_PLAN,
          tenantSlug: wrapperTenant.slug,
          transactionCountRequests: TRANSACTION_COUNT_REQUESTS,
          backgroundTransactionsPerSecond,
        },
        server: serverConfig,
        summaries,
        runs,
        command: commandLine(),
        code: codeVersion(),
        profile,
      };

      const targets = wrapperTargets(summaries);
      process.stdout.write(
        `\n${resultsTable(summaries)}\n\n${targetsTable(targets).replace(/\*\*/g, '')}\n\n${costTable(summaries)}\n\n${roundsTable(runs)}\n\n`,
      );
      if (profile) process.stdout.write(`Top self time in the server, wrapped, ${profile.seconds} s:\n${profile.table}\n\n`);
      for (const missed of targets.filter((t) => t.isMet === false)) say(`target missed (reported, not fatal): ${missed.label} ${missed.measured}, wanted ${missed.target}`);
      const other = otherLoad(runs);
      if (other !== null && other >= QUIET_CORES) {
        process.stdout.write(`DISTURBED: other processes kept ${other.toFixed(2)} cores busy (median) during the timed runs\n`);
      }
      const machine = report.machine;
      process.stdout.write(`${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, Node ${machine.node}, ${machine.os}; speed index ${machine.speedIndexMs} ms\n`);
      if (output !== '-') {
        writeSection(output, renderSection(report));
        say(`results written to ${output}`);
      }

      invalid.push(
        ...runs.filter((r) => r.non2xx > 0 || r.errors > 0).map((r) => `${r.scenario} round ${r.round} (${statusList(r)}, ${r.errors} socket errors)`),
        ...countFailures,
      );
      const ratio = (name: string) => ratioToBaseline(summaries, name)?.toFixed(2) ?? 'n/a';
      partDone(
        'wrapper',
        `bare-json ${Math.round(summaries[0].requestsPerSecond)} req/s; health ${ratio('health')}×, wrapped ${ratio('wrapped')}×, bare-sql ${ratio('bare-sql')}×; ` +
          `wrapped ${summaries.find((s) => s.scenario === 'wrapped')?.dbTransactions?.toFixed(2) ?? 'n/a'} transactions/request`,
      );
    }

    if (parts.has('upload') && uploadKey) {
      const speedIndexAtStart = cpuSpeedIndex();
      say(`upload: raising acme's storage quota and maximum file size for ${uploadBytes.toLocaleString('en-US')} bytes…`);
      const { tenants, tenantSettings } = await import('../db/schema/tenancy');
      const { eq } = await import('drizzle-orm');
      // Through the owner connection (withPlatform). Raised by twice the file, so that it fits whatever acme stores.
      const [before] = await withPlatform((tx) =>
        tx
          .select({ quota: tenants.storageQuotaBytes, maxFile: tenantSettings.maxFileSizeBytes, types: tenantSettings.allowedFileTypes })
          .from(tenants)
          .innerJoin(tenantSettings, eq(tenantSettings.tenantId, tenants.id))
          .where(eq(tenants.id, acme.id)),
      );
      if (!before) throw new Error('acme has no tenant_settings row');
      await withPlatform(async (tx) => {
        await tx
          .update(tenants)
          .set({ storageQuotaBytes: before.quota + 2 * uploadBytes })
          .where(eq(tenants.id, acme.id));
        await tx
          .update(tenantSettings)
          .set({
            maxFileSizeBytes: Math.max(before.maxFile, uploadBytes),
            allowedFileTypes: before.types.includes('pdf') ? before.types : [...before.types, 'pdf'],
          })
          .where(eq(tenantSettings.tenantId, acme.id));
      });
      // On a shared DATABASE_URL acme's limits are put back afterwards (the uploaded file itself stays).
      stops.push(async () => {
        await withPlatform(async (tx) => {
          await tx.update(tenants).set({ storageQuotaBytes: before.quota }).where(eq(tenants.id, acme.id));
          await tx
            .update(tenantSettings)
            .set({ maxFileSizeBytes: before.maxFile, allowedFileTypes: before.types })
            .where(eq(tenantSettings.tenantId, acme.id));
        }).catch(() => {});
      });
      await waitForQuiet();
      const { benchUpload } = await import('../bench/upload');
      say(`upload: POST /api/v1/files, ${(uploadBytes / 1024 ** 2).toLocaleString('en-US')} MiB streamed…`);
      const started = performance.now();
      const result = await benchUpload({ baseUrl: origin, apiKey: uploadKey.secret, sizeBytes: uploadBytes, pid: server!.pid });
      const seconds = (performance.now() - started) / 1000;
      const report: TUploadReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?' },
        sizeBytes: uploadBytes,
        mbPerSecond: result.mbPerSecond,
        seconds,
        baselineRssMiB: result.peakRssMiB - result.rssGrowthMiB,
        peakRssMiB: result.peakRssMiB,
        rssGrowthMiB: result.rssGrowthMiB,
        targetGrowthMiB: UPLOAD_TARGET_GROWTH_MIB,
        server: serverConfig,
        afterWrapper: parts.has('wrapper'),
        embeddedS3,
      };
      process.stdout.write(`\n${UPLOAD_SECTION_TITLE.replace(/^## /, '')}\n${uploadTable(report).replace(/\*\*/g, '')}\n\n`);
      if (uploadVerdict(report) !== 'pass') say(`upload: RSS grew by ${report.rssGrowthMiB} MiB, target < ${UPLOAD_TARGET_GROWTH_MIB} MiB: FAIL`);
      if (output !== '-') {
        writeNamedSection(output, UPLOAD_SECTION_TITLE, renderUploadSection(report));
        say(`upload results written to ${output}`);
      }
      partDone('upload', `${report.mbPerSecond.toFixed(1)} MB/s, server RSS grew ${report.rssGrowthMiB} MiB`);
    }

    /** Other processes' CPU (cores) from now until the returned function is called. */
    const watchOtherCores = () => {
      const before = snapshotCpu(server?.pid);
      return () => cpuBetween(before, snapshotCpu(server?.pid))?.otherCores ?? null;
    };
    /**
     * As the wrapper's rounds: after waiting for quiet, a run during which other processes used QUIET_CORES or more
     * is measured again (MAX_ATTEMPTS in all) and the quietest counts; a run with failures counts as it is.
     */
    const quietest = async <T extends { otherCores: number | null; failures: number }>(measureOnce: () => Promise<T>): Promise<T> => {
      let best: T | undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await waitForQuiet();
        const result = await measureOnce();
        if (result.failures) return result;
        if (!best || (result.otherCores ?? 0) < (best.otherCores ?? 0)) best = result;
        if ((result.otherCores ?? 0) < QUIET_CORES) break;
        if (attempt < MAX_ATTEMPTS) say(`  disturbed (other processes used ${(result.otherCores ?? 0).toFixed(2)} cores): measuring again`);
      }
      return best!;
    };

    if (parts.has('ingest')) {
      const speedIndexAtStart = cpuSpeedIndex();
      const { ingestThroughApi, copyCeiling, INGEST_BATCH_EVENTS } = await import('../bench/ingest');
      const slug = `bench-ingest-${runTag}`;
      const ingestTenant = await createOwnedTenant(slug, `Ingest bench ${runTag}`);
      const ingestKey = await withTenant(ingestTenant.tenantId, (tx) =>
        createApiKey(tx, ingestTenant.tenantId, { userId: ingestTenant.ownerId, role: 'owner' }, { name: `bench ${runTag} ingest`, scopes: ['files:write'] }),
      );
      say(`ingest: tenant ${slug} (enterprise) with an API key of scope files:write`);

      // Unmeasured: compiles the route and warms the pool and the caches.
      await ingestThroughApi({ origin, apiKey: ingestKey.secret, concurrency: 2, batches: 6 });
      const levels: TIngestApiLevel[] = [];
      for (const concurrency of ingestConcurrencies) {
        const level = await quietest(async () => {
          say(`ingest: API, ${ingestBatches} batches of ${INGEST_BATCH_EVENTS.toLocaleString('en-US')} events, ${concurrency} in flight…`);
          const once = await ingestThroughApi({
            origin,
            apiKey: ingestKey.secret,
            concurrency,
            batches: ingestBatches,
            measureOtherCores: watchOtherCores,
          });
          say(`  ${Math.round(once.eventsPerSecond).toLocaleString('en-US')} events/s; other load ${once.otherCores?.toFixed(2) ?? 'n/a'} cores`);
          return once;
        });
        say(
          `  counted: ${Math.round(level.eventsPerSecond).toLocaleString('en-US')} events/s, request p50 ${Math.round(level.p50Ms)} ms, p95 ${Math.round(level.p95Ms)} ms` +
            `${level.failures ? `, ${level.failures} failed (${JSON.stringify(level.failureStatuses)})` : ''}; other load ${level.otherCores?.toFixed(2) ?? 'n/a'} cores`,
        );
        levels.push(level);
      }
      invalid.push(...levels.filter((l) => l.failures > 0).map((l) => `ingest at ${l.concurrency} in flight (${l.failures} failed batches)`));

      await waitForQuiet();
      say(`ingest: ${meterCalls.toLocaleString('en-US')} calls through meterApiCall + flushUsage, in a child process…`);
      const { result: meter } = await inChild<TMeterBenchResult>(METER_CHILD_FLAG);
      say(`  ${Math.round(meter.eventsPerSecond).toLocaleString('en-US')} events/s (${meter.seconds.toFixed(1)} s)`);

      await waitForQuiet();
      say(`ingest: COPY of ${meterCalls.toLocaleString('en-US')} rows into usage_events…`);
      const copy = await copyCeiling(env.DATABASE_URL!, meterCalls);
      say(
        `  ${Math.round(copy.eventsPerSecond).toLocaleString('en-US')} events/s (${copy.copySeconds.toFixed(1)} s); ` +
          `with the rollups ${Math.round(copy.withRollupEventsPerSecond).toLocaleString('en-US')} events/s`,
      );

      const report: TIngestReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?', postgres: packageVersion('postgres') },
        batchEvents: INGEST_BATCH_EVENTS,
        api: levels,
        meter,
        copy,
        targetEventsPerSecond: INGEST_TARGET_EVENTS_PER_SECOND,
        server: serverConfig,
      };
      process.stdout.write(`\n${INGEST_SECTION_TITLE.replace(/^## /, '')}\n${ingestTable(report).replace(/\*\*/g, '')}\n\n`);
      say(`ingest: best API rate vs target ${INGEST_TARGET_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s: ${ingestVerdict(report)}`);
      if (output !== '-') {
        writeNamedSection(output, INGEST_SECTION_TITLE, renderIngestSection(report));
        say(`ingest results written to ${output}`);
      }
      partDone('ingest', `API up to ${Math.round(Math.max(...levels.map((l) => l.eventsPerSecond))).toLocaleString('en-US')} events/s, buffer ${Math.round(meter.eventsPerSecond).toLocaleString('en-US')} events/s`);
    }

    // The usage-stats part's largest tenant, which the pages part measures when both run.
    let usageTenant: { id: string; slug: string; eventCount: number; email: string; password: string; userId: string } | undefined;

    if (parts.has('usage-stats')) {
      const speedIndexAtStart = cpuSpeedIndex();
      const { generateUsage } = await import('./generate-usage');
      const { measureLatency, signInOnHost, explainUsageQueries, databaseSize } = await import('../bench/usage-stats');
      const { httpRequest } = await import('../bench/http');

      await waitForQuiet();
      say(`usage-stats: generating ${usageEvents.toLocaleString('en-US')} events for ${usageTenants.toLocaleString('en-US')} tenants…`);
      const generated = await generateUsage({ databaseUrl: env.DATABASE_URL!, events: usageEvents, tenants: usageTenants, log: (line) => say(`  ${line}`) });
      const largest = generated.largest;

      // An owner to sign in as, and one usage:read key per API endpoint (each stays far below the plan's rate).
      const { email, password, userId } = await addSignInOwner(largest.id, largest.slug, 'Usage bench owner');
      usageTenant = { id: largest.id, slug: largest.slug, eventCount: largest.eventCount, email, password, userId };
      const readKeys = await withTenant(largest.id, async (tx) => {
        const created: string[] = [];
        for (let i = 0; i < 3; i++) {
          const key = await createApiKey(tx, largest.id, { userId, role: 'owner' }, { name: `bench ${runTag} usage #${i + 1}`, scopes: ['usage:read'] });
          created.push(key.secret);
        }
        return created;
      });
      const host = `${largest.slug}.localhost:${port}`;
      const cookie = await signInOnHost(origin, host, email, password);
      say(`usage-stats: signed in as the owner of ${largest.slug} on ${host}`);
      const pageSource = 'app/t/[tenant]/(portal)/usage/page.tsx';
      const isPagePlaceholder = existsSync(pageSource) && readFileSync(pageSource, 'utf8').includes('SectionPlaceholder');

      const targets: { label: string; path: string; headers: Record<string, string> }[] = [
        { label: 'GET /api/v1/usage/stats?period=1y', path: '/api/v1/usage/stats?period=1y', headers: { authorization: `Bearer ${readKeys[0]}` } },
        { label: 'GET /api/v1/usage/breakdown?period=1y', path: '/api/v1/usage/breakdown?period=1y', headers: { authorization: `Bearer ${readKeys[1]}` } },
        { label: 'GET /api/v1/usage/current', path: '/api/v1/usage/current', headers: { authorization: `Bearer ${readKeys[2]}` } },
        { label: `GET /usage (portal page${isPagePlaceholder ? ', placeholder' : ', its default period'})`, path: '/usage', headers: { host, cookie } },
        ...(isPagePlaceholder ? [] : [{ label: 'GET /usage?period=1y (portal page)', path: '/usage?period=1y', headers: { host, cookie } }]),
      ];
      const latencies: TLatency[] = [];
      for (const target of targets) {
        const send = () => httpRequest(`${origin}${target.path}`, { headers: target.headers });
        const first = await send();
        if (first.status !== 200) {
          throw new Error(`${target.label} answered ${first.status} ${String(first.headers.location ?? '')} ${first.body.slice(0, 300)}`);
        }
        const latency = await quietest(async () => {
          say(`usage-stats: ${target.label}, ${latencyRequests} sequential requests after ${LATENCY_WARMUP}…`);
          const once = await measureLatency({
            label: target.label,
            requests: latencyRequests,
            warmup: LATENCY_WARMUP,
            send,
            measureOtherCores: watchOtherCores,
          });
          say(`  p95 ${once.p95Ms.toFixed(1)} ms; other load ${once.otherCores?.toFixed(2) ?? 'n/a'} cores`);
          return once;
        });
        say(
          `  counted: p50 ${latency.p50Ms.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, max ${latency.maxMs.toFixed(1)} ms` +
            `${latency.failures ? `, ${latency.failures} failed` : ''}; other load ${latency.otherCores?.toFixed(2) ?? 'n/a'} cores`,
        );
        latencies.push(latency);
      }
      invalid.push(...latencies.filter((l) => l.failures > 0).map((l) => `${l.label} (${l.failures} failed requests)`));

      const report: TUsageStatsReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?' },
        generated,
        latencies,
        warmup: LATENCY_WARMUP,
        targetP95Ms: USAGE_TARGET_P95_MS,
        explained: await explainUsageQueries(largest.id),
        size: await databaseSize(),
        isPagePlaceholder,
        server: serverConfig,
      };
      process.stdout.write(`\n${USAGE_STATS_SECTION_TITLE.replace(/^## /, '')}\n${usageLatencyTable(report).replace(/\*\*/g, '')}\n\n`);
      process.stdout.write(`${generationTable(generated).replace(/\*\*/g, '')}\n\n`);
      for (const e of report.explained) process.stdout.write(`${e.label}: ${e.executionMs.toFixed(2)} ms\n`);
      say(`usage-stats: database ${(report.size.databaseBytes / 1024 ** 3).toFixed(2)} GiB`);
      if (output !== '-') {
        writeNamedSection(output, USAGE_STATS_SECTION_TITLE, renderUsageStatsSection(report));
        say(`usage-stats results written to ${output}`);
      }
      partDone('usage-stats', latencies.map((l) => `${l.label} p95 ${l.p95Ms.toFixed(1)} ms`).join('; '));
    }

    if (parts.has('pages')) {
      const speedIndexAtStart = cpuSpeedIndex();
      const { generateAuditHistory } = await import('../bench/audit');
      const { signInOnHost } = await import('../bench/usage-stats');
      const { httpRequest } = await import('../bench/http');
      const { loadPages, pagesTable, renderPagesSection, PAGES_SECTION_TITLE } = await import('../bench/pages');
      const est = await import('../bench/estimates');

      // The usage-stats part's largest tenant (its history, its signed-in owner) when it ran; else the one made before.
      const tenant = usageTenant ?? pagesTenant;
      if (!tenant) throw new Error('pages: no tenant with a usage history');
      if (pagesAuditRows > 0) {
        say(`pages: ${pagesAuditRows.toLocaleString('en-US')} audit rows for ${tenant.slug}…`);
        await generateAuditHistory(env.DATABASE_URL!, tenant.id, pagesAuditRows);
      }
      if (pagesEstimates > 0) {
        say(`pages: importing ${pagesEstimates.toLocaleString('en-US')} cost estimates into ${tenant.slug}…`);
        const writer = tenant;
        const key = await withTenant(writer.id, (tx) =>
          createApiKey(tx, writer.id, { userId: writer.userId, role: 'owner' }, { name: `bench ${runTag} pages`, scopes: ['estimates:read', 'estimates:write'] }),
        );
        keyIds.push(key.id);
        for (let imported = 0, seed = 1; imported < pagesEstimates; seed++) {
          const batch = est.syntheticEstimates(Math.min(est.MAX_IMPORT_BATCH, pagesEstimates - imported), seed);
          await est.importOverHttp({ origin, apiKey: key.secret, tenantId: writer.id, label: 'pages', format: 'json', estimates: batch, tenantBefore: imported, serverPid: server!.pid });
          imported += batch.length;
        }
      }

      const host = `${tenant.slug}.localhost:${port}`;
      const cookie = await signInOnHost(origin, host, tenant.email, tenant.password);
      const pages = [
        { label: 'GET / (dashboard)', path: '/' },
        { label: 'GET /usage', path: '/usage' },
        { label: 'GET /billing', path: '/billing' },
        { label: 'GET /audit', path: '/audit' },
        { label: 'GET /estimates', path: '/estimates' },
      ];
      for (const page of pages) {
        const first = await httpRequest(`${origin}${page.path}`, { headers: { host, cookie } });
        if (first.status !== 200) throw new Error(`pages: ${page.label} answered ${first.status} ${String(first.headers.location ?? '')} ${first.body.slice(0, 300)}`);
      }
      say(`pages: signed in as the owner of ${tenant.slug} on ${host}; every page answers 200`);
      if (settings.warmupSeconds > 0) {
        say(`pages: warming up (${settings.warmupSeconds} s, ${pagesUsers} users)…`);
        await loadPages({ origin, host, cookie, pages, users: pagesUsers, seconds: settings.warmupSeconds });
      }
      const thinkLabel = pagesThinkMs ? `reading each page ${pagesThinkMs.min}–${pagesThinkMs.max} ms` : 'back to back';
      const { load: pagesLoad, cpu } = await quietest(async () => {
        say(`pages: ${pagesUsers} users for ${pagesSeconds} s, ${thinkLabel}…`);
        const cpuBefore = snapshotCpu(server!.pid);
        const once = await loadPages({ origin, host, cookie, pages, users: pagesUsers, seconds: pagesSeconds, thinkMs: pagesThinkMs, measureOtherCores: watchOtherCores });
        const used = cpuBetween(cpuBefore, snapshotCpu(server!.pid));
        say(`  ${once.requestsPerSecond.toFixed(1)} pages/s; other load ${once.otherCores?.toFixed(2) ?? 'n/a'} cores`);
        return { load: once, cpu: used, otherCores: once.otherCores, failures: once.pages.reduce((sum, p) => sum + p.failures, 0) };
      });
      // The same users without a pause: the most one process serves (no target: the latencies are the queue).
      const capacity = pagesThinkMs
        ? await quietest(async () => {
            say(`pages: ${pagesUsers} users for ${pagesSeconds} s, back to back (capacity)…`);
            const once = await loadPages({ origin, host, cookie, pages, users: pagesUsers, seconds: pagesSeconds, thinkMs: null, measureOtherCores: watchOtherCores });
            say(`  ${once.requestsPerSecond.toFixed(1)} pages/s; other load ${once.otherCores?.toFixed(2) ?? 'n/a'} cores`);
            return { ...once, failures: once.pages.reduce((sum, p) => sum + p.failures, 0) };
          })
        : null;
      const cpuPerPage = (seconds: number | undefined) => (seconds === undefined ? null : (seconds * 1000) / Math.max(1, pagesLoad.requests));
      invalid.push(...[...pagesLoad.pages, ...(capacity?.pages ?? [])].filter((p) => p.failures > 0).map((p) => `pages: ${p.label} (${p.failures} failed requests)`));
      const report = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?' },
        load: pagesLoad,
        capacity,
        targetP95Ms: PAGES_TARGET_P95_MS,
        tenantSlug: tenant.slug,
        usageEvents: tenant.eventCount,
        isUsageStatsTenant: tenant === usageTenant,
        auditRows: pagesAuditRows,
        estimates: pagesEstimates,
        serverCpuMsPerPage: cpuPerPage(cpu?.next),
        postgresCpuMsPerPage: cpuPerPage(cpu?.postgres),
        server: describeServer(serverConfig),
      };
      process.stdout.write(
        `\n${PAGES_SECTION_TITLE.replace(/^## /, '')}, ${thinkLabel}\n${pagesTable(pagesLoad, PAGES_TARGET_P95_MS).replace(/\*\*/g, '')}\n\n` +
          (capacity ? `Back to back (capacity)\n${pagesTable(capacity, null).replace(/\*\*/g, '')}\n\n` : ''),
      );
      say(
        `pages: CPU per page: server ${report.serverCpuMsPerPage?.toFixed(1) ?? 'n/a'} ms, PostgreSQL ${report.postgresCpuMsPerPage?.toFixed(1) ?? 'n/a'} ms; ` +
          `tenant ${tenant.slug} with ${tenant.eventCount.toLocaleString('en-US')} usage events`,
      );
      for (const page of pagesLoad.pages.filter((p) => p.ttfbP95Ms >= PAGES_TARGET_P95_MS)) {
        say(`target missed (reported, not fatal): ${page.label} TTFB p95 ${page.ttfbP95Ms.toFixed(1)} ms, wanted < ${PAGES_TARGET_P95_MS} ms`);
      }
      if (output !== '-') {
        writeNamedSection(
          output,
          PAGES_SECTION_TITLE,
          renderPagesSection(report, {
            machineLine: machineLine(report.machine),
            versionsLine: versionsLine(report.versions),
            disturbed: disturbedNote(pagesLoad.otherCores, 'the render times are high for this machine.'),
          }),
        );
        say(`pages results written to ${output}`);
      }
      partDone('pages', `${pagesLoad.requestsPerSecond.toFixed(1)} pages/s; ${pagesLoad.pages.map((p) => `${p.path} p95 ${p.ttfbP95Ms.toFixed(0)} ms`).join(', ')}`);
    }

    if (parts.has('audit')) {
      const speedIndexAtStart = cpuSpeedIndex();
      const { createBenchTenants, measureAuditInserts, generateAuditHistory } = await import('../bench/audit');
      const { measureLatency, signInOnHost } = await import('../bench/usage-stats');
      const { httpRequest } = await import('../bench/http');

      await waitForQuiet();
      const one = await createBenchTenants(1, `audit-one-${runTag}`);
      const hundred = await createBenchTenants(100, `audit-many-${runTag}`);
      const inserts = [];
      for (const [label, tenantIds, writers] of [
        ['one tenant, 1 writer', one, 1],
        ['one tenant, 8 writers', one, 8],
        ['100 tenants, 8 writers', hundred, 8],
      ] as const) {
        say(`audit: ${auditInsertEvents.toLocaleString('en-US')} inserts, ${label}…`);
        const level = await measureAuditInserts(label, [...tenantIds], writers, auditInsertEvents);
        say(`  ${Math.round(level.eventsPerSecond).toLocaleString('en-US')} events/s`);
        inserts.push(level);
      }

      const { benchErrorIngest } = await import('../bench/errors');
      say(`errors: capturing ${errorEvents.toLocaleString('en-US')} errors over ${hundred.length} tenants…`);
      const errorIngest = await benchErrorIngest(hundred, errorEvents);
      const [{ stored }] = await platformDb().execute<{ stored: string }>(
        sql`select count(*) as stored from error_events where tenant_id = any(${`{${hundred.join(",")}}`}::uuid[])`,
      );
      if (Number(stored) !== errorEvents) invalid.push(`error ingest stored ${stored} of ${errorEvents} errors`);
      say(`  ${Math.round(errorIngest.errorsPerSecond).toLocaleString('en-US')} errors/s (${stored} stored)`);

      const [bigTenant] = await createBenchTenants(1, `audit-big-${runTag}`);
      say(`audit: generating ${auditRows.toLocaleString('en-US')} rows for one tenant…`);
      const history = await generateAuditHistory(env.DATABASE_URL!, bigTenant, auditRows);
      say(`  ${Math.round(history.rowsPerSecond).toLocaleString('en-US')} rows/s, ${history.seconds.toFixed(1)} s`);
      const slug = `audit-big-${runTag}-0001`;
      const { email, password, userId } = await addSignInOwner(bigTenant, slug, 'Audit bench owner');
      const readKey = await withTenant(bigTenant, (tx) =>
        createApiKey(tx, bigTenant, { userId, role: 'owner' }, { name: `bench ${runTag} audit`, scopes: ['audit:read'] }),
      );
      const host = `${slug}.localhost:${port}`;
      const cookie = await signInOnHost(origin, host, email, password);
      const bearer = { authorization: `Bearer ${readKey.secret}` };
      const targets = [
        { label: 'GET /api/v1/audit/logs?limit=100 (first page)', path: '/api/v1/audit/logs?limit=100', headers: bearer },
        { label: 'GET /api/v1/audit/logs?limit=100&action=member.role_change', path: '/api/v1/audit/logs?limit=100&action=member.role_change', headers: bearer },
        { label: 'GET /api/v1/audit/logs?limit=100&outcome=failure', path: '/api/v1/audit/logs?limit=100&outcome=failure', headers: bearer },
        { label: 'GET /audit (portal page, first page)', path: '/audit', headers: { host, cookie } },
        { label: 'GET /audit?action=member.role_change (portal page)', path: '/audit?action=member.role_change', headers: { host, cookie } },
      ];
      const latencies: TLatency[] = [];
      for (const target of targets) {
        const send = () => httpRequest(`${origin}${target.path}`, { headers: target.headers });
        const first = await send();
        if (first.status !== 200) throw new Error(`${target.label} answered ${first.status} ${first.body.slice(0, 300)}`);
        const latency = await quietest(() =>
          measureLatency({ label: target.label, requests: latencyRequests, warmup: LATENCY_WARMUP, send, measureOtherCores: watchOtherCores }),
        );
        say(`  ${target.label}: p50 ${latency.p50Ms.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms`);
        latencies.push(latency);
      }
      invalid.push(...latencies.filter((l) => l.failures > 0).map((l) => `${l.label} (${l.failures} failed requests)`));
      const report: TAuditBenchReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?' },
        inserts,
        history,
        latencies,
        warmup: LATENCY_WARMUP,
        targetP95Ms: AUDIT_TARGET_P95_MS,
        errorIngest,
      };
      process.stdout.write(`\n${AUDIT_SECTION_TITLE.replace(/^## /, '')}\n${auditInsertTable(inserts)}\n\n${usageLatencyTable({ latencies, targetP95Ms: AUDIT_TARGET_P95_MS }).replace(/\*\*/g, '')}\n\n`);
      if (output !== '-') {
        writeNamedSection(output, AUDIT_SECTION_TITLE, renderAuditSection(report));
        say(`audit results written to ${output}`);
      }
      partDone(
        'audit',
        `inserts up to ${Math.round(Math.max(...inserts.map((l) => l.eventsPerSecond))).toLocaleString('en-US')} events/s; ` +
          `${latencies.map((l) => `${l.label} p95 ${l.p95Ms.toFixed(1)} ms`).join('; ')}; ${Math.round(errorIngest.errorsPerSecond).toLocaleString('en-US')} errors/s`,
      );
    }

    if (parts.has('estimates')) {
      const speedIndexAtStart = cpuSpeedIndex();
      const est = await import('../bench/estimates');
      const { measureLatency } = await import('../bench/usage-stats');
      const { httpRequest } = await import('../bench/http');
      const int = (n: number) => Math.round(n).toLocaleString('en-US');
      const backend = config.QDRANT_URL ? 'qdrant' : 'postgres';
      const qdrantNote = config.QDRANT_URL
        ? 'Qdrant: measured through QDRANT_URL (the served app uses it); the PostgreSQL store was not measured in this run.'
        : 'Qdrant: QDRANT_URL not set, skipped';
      say(`estimates: vector store ${backend}; ${qdrantNote}`);
      // One key per concurrent client: each stays far below the enterprise plan's 10,000 requests a minute.
      const searchTenant = await est.createEstimatesTenant(`estimates-${runTag}`, Math.max(...estimateClients));
      const imports: TEstimatesImport[] = [];
      const importInto = async (tenant: TEstimatesTenant, label: string, format: TEstimatesImport['format'], estimates: TCostEstimate[], tenantBefore: number) => {
        await waitForQuiet();
        say(`estimates: import of ${int(estimates.length)} as ${format} (${label})…`);
        const result = await est.importOverHttp({ origin, apiKey: tenant.keys[0], tenantId: tenant.id, label, format, estimates, tenantBefore, serverPid: server!.pid });
        say(
          `  ${result.seconds.toFixed(2)} s: ${int(result.estimatesPerSecond)} estimates/s, ${int(result.materialRowsPerSecond)} material rows/s; ` +
            `server RSS ${result.serverRssBeforeMiB ?? '?'} → ${result.serverRssPeakMiB ?? '?'} MiB; indexed ${result.indexSeconds.toFixed(1)} s later`,
        );
        imports.push(result);
      };

      // Unmeasured: a small import in each format and a search, in a tenant of their own, so that the timed requests
      // find the routes loaded and the pools warm (but the search tenant's vectors not cached).
      const warmupTenant = await est.createEstimatesTenant(`estimates-warmup-${runTag}`, 1);
      const warmupRows = est.syntheticEstimates(100, 0);
      for (const [n, format] of (['json', 'csv', 'jsonl'] as const).entries()) {
        await est.importOverHttp({ origin, apiKey: warmupTenant.keys[0], tenantId: warmupTenant.id, label: 'warm-up', format, estimates: warmupRows, tenantBefore: n * warmupRows.length, serverPid: server!.pid });
      }
      const warmupSearch = await est.searchSimilarSender(origin, warmupTenant.keys, est.searchBodies(1, SEARCH_LIMIT))(0);
      if (warmupSearch.status !== 200) throw new Error(`estimates: the warm-up search answered ${warmupSearch.status} ${warmupSearch.body.slice(0, 300)}`);

      // The same estimates in each format, each into a fresh tenant; the JSON one is the search tenant's first batch.
      const formatRows = Math.min(estimateFormatRows, estimateSizes[0], est.MAX_IMPORT_BATCH);
      const formatBatch = est.syntheticEstimates(formatRows, 1);
      await importInto(searchTenant, 'JSON array, fresh tenant', 'json', formatBatch, 0);
      let tenantSize = formatRows;
      for (const format of ['csv', 'jsonl'] as const) {
        const tenant = await est.createEstimatesTenant(`estimates-${format}-${runTag}`, 1);
        await importInto(tenant, `${format === 'csv' ? 'CSV' : 'JSON lines'}, fresh tenant`, format, formatBatch, 0);
      }

      const bodies = est.searchBodies(LATENCY_WARMUP + latencyRequests, SEARCH_LIMIT);
      const sizes: TEstimatesSizeResult[] = [];
      let batchSeed = 2;
      for (const [sizeIndex, size] of estimateSizes.entries()) {
        const sizeBefore = tenantSize;
        while (tenantSize < size) {
          const count = Math.min(est.MAX_IMPORT_BATCH, size - tenantSize);
          await importInto(searchTenant, `JSON array, growing to ${int(size)}`, 'json', est.syntheticEstimates(count, batchSeed++), tenantSize);
          tenantSize += count;
        }
        const searchOnce = async (label: string): Promise<TSingleRequest> => {
          const res = await est.searchSimilarSender(origin, searchTenant.keys, bodies)(0);
          say(`  ${label}: ${res.ms.toFixed(1)} ms (${res.status})`);
          if (res.status !== 200) invalid.push(`estimates: ${label} at ${size} answered ${res.status}`);
          return { label, ms: res.ms, status: res.status };
        };
        const singles: TSingleRequest[] = [];
        await waitForQuiet();
        say(`estimates: ${int(size)} estimates in the tenant`);
        singles.push(
          await searchOnce(
            sizeIndex === 0 ? "first search-similar of the tenant (cold: loads the tenant's vectors)" : `first search-similar after adding ${int(size - sizeBefore)} (cache refresh)`,
          ),
        );
        // A deletion makes the next search reload the tenant's vectors; a new estimate keeps the size.
        const [victim] = await est.sampleEstimateIds(searchTenant.id, 1);
        const bearer = { authorization: `Bearer ${searchTenant.keys[0]}` };
        const deleted = await httpRequest(`${origin}/api/v1/estimates/${victim}`, { method: 'DELETE', headers: bearer });
        const created = await httpRequest(`${origin}/api/v1/estimates`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify(est.spareEstimate(sizeIndex)),
        });
        if (deleted.status >= 300 || created.status !== 201) {
          throw new Error(`estimates: DELETE answered ${deleted.status}, POST answered ${created.status} ${created.body.slice(0, 300)}`);
        }
        await est.waitForIndex(searchTenant.id, size);
        await waitForQuiet();
        singles.push(await searchOnce('first search-similar after a deletion (drops deleted ids)'));

        const ids = await est.sampleEstimateIds(searchTenant.id, LATENCY_WARMUP + latencyRequests);
        const speedIndexMs = cpuSpeedIndex();
        const latencies: TLatency[] = [];
        for (const [label, send] of [
          [`POST /api/v1/estimates/search-similar (limit ${SEARCH_LIMIT})`, est.searchSimilarSender(origin, searchTenant.keys, bodies)],
          [`GET /api/v1/estimates/{id}/similar?limit=${SEARCH_LIMIT}`, est.similarToSender(origin, searchTenant.keys, ids, SEARCH_LIMIT)],
        ] as const) {
          const latency = await quietest(() => {
            let i = 0;
            say(`estimates: ${label}, ${latencyRequests} sequential requests after ${LATENCY_WARMUP}…`);
            return measureLatency({ label, requests: latencyRequests, warmup: LATENCY_WARMUP, send: () => send(i++), measureOtherCores: watchOtherCores });
          });
          say(
            `  p50 ${latency.p50Ms.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, max ${latency.maxMs.toFixed(1)} ms` +
              `${latency.failures ? `, ${latency.failures} failed (${JSON.stringify(latency.failureStatuses)})` : ''}; other load ${latency.otherCores?.toFixed(2) ?? 'n/a'} cores`,
          );
          if (latency.failures) invalid.push(`estimates: ${label} at ${size} (${latency.failures} failed requests)`);
          latencies.push(latency);
        }
        const throughput: TThroughput[] = [];
        for (const clients of estimateClients) {
          const level = await quietest(() => {
            say(`estimates: search-similar with ${clients} clients for ${estimateQpsSeconds} s…`);
            return est.measureThroughput({ clients, seconds: estimateQpsSeconds, send: est.searchSimilarSender(origin, searchTenant.keys, bodies), measureOtherCores: watchOtherCores });
          });
          say(
            `  ${level.queriesPerSecond.toFixed(1)} queries/s, p50 ${level.p50Ms.toFixed(1)} ms, p95 ${level.p95Ms.toFixed(1)} ms` +
              `${level.failures ? `, ${level.failures} failed (${JSON.stringify(level.failureStatuses)})` : ''}; other load ${level.otherCores?.toFixed(2) ?? 'n/a'} cores`,
          );
          if (level.failures) invalid.push(`estimates: ${clients} clients at ${size} (${level.failures} failed requests)`);
          throughput.push(level);
        }
        sizes.push({ estimates: size, singles, latencies, throughput, serverRssMiB: residentMiB(server!.pid), speedIndexMs });
      }

      const report: TEstimatesReport = {
        date: new Date(),
        machine: describeMachine(speedIndexAtStart),
        command: commandLine(),
        code: codeVersion(),
        versions: { 'Next.js': nextVersion, PostgreSQL: pgVersion?.version ?? '?' },
        backend,
        imports,
        sizes,
        warmup: LATENCY_WARMUP,
        searchLimit: SEARCH_LIMIT,
        throughputSeconds: estimateQpsSeconds,
        targetP95Ms: ESTIMATES_TARGET_P95_MS,
        targetEstimates: ESTIMATES_TARGET_SIZE,
        qdrantNote,
        vectorCacheMb: config.VECTOR_CACHE_MB,
      };
      const title = est.estimatesSectionTitle(backend);
      process.stdout.write(
        `\n${title.replace(/^## /, '')}\n${est.importTable(imports).replace(/\*\*/g, '')}\n\n${est.searchLatencyTable(report).replace(/\*\*/g, '')}\n\n` +
          `${est.throughputTable(sizes).replace(/\*\*/g, '')}\n\n${qdrantNote}\n\n`,
      );
      if (output !== '-') {
        writeNamedSection(output, title, est.renderEstimatesSection(report));
        say(`estimates results written to ${output}`);
      }
      partDone(
        'estimates',
        sizes.map((size) => `${size.estimates.toLocaleString('en-US')}: ${size.latencies.map((l) => `p95 ${l.p95Ms.toFixed(1)} ms`).join(', ')}`).join('; '),
      );
    }

    // The server is not needed any more: stopped, so that it does not share the CPU with the archival run.
    serverStopping = true;
    server.kill('SIGTERM');
    await new Promise((resolve) => {
      if (server!.exitCode !== null || server!.signalCode !== null) return resolve(undefined);
      server!.once('exit', resolve);
      setTimeout(resolve, 10_000).unref();
    });
  }

  if (parts.has('invoices')) {
    const speedIndexAtStart = cpuSpeedIndex();
    await waitForQuiet();
    // The usage-stats part's tenants (a year of history) when it ran; otherwise as many with a smaller history.
    let slugPrefix = 'bench';
    let historyEvents = usageEvents;
    if (!parts.has('usage-stats')) {
      const { generateUsage } = await import('./generate-usage');
      slugPrefix = 'invoice-bench';
      say(`invoices: generating ${invoiceHistoryEvents.toLocaleString('en-US')} events for ${usageTenants.toLocaleString('en-US')} tenants…`);
      const generated = await generateUsage({ databaseUrl: env.DATABASE_URL!, events: invoiceHistoryEvents, tenants: usageTenants, slugPrefix, log: (line) => say(`  ${line}`) });
      historyEvents = generated.eventCount;
    }
    const { benchInvoiceRun } = await import('../bench/invoices');
    say('invoices: billing last month for every generated tenant, then again…');
    const result = await benchInvoiceRun(slugPrefix);
    say(`invoices: ${result.created} invoices in ${result.seconds.toFixed(2)} s (${Math.round(result.invoicesPerSecond)}/s); re-run ${result.rerunSeconds.toFixed(2)} s, ${result.rerunCreated} created`);
    if (result.failed > 0 || result.created !== result.tenants || result.rerunCreated !== 0) {
      invalid.push(`invoice run (${result.failed} failed, ${result.created} of ${result.tenants} created, ${result.rerunCreated} on re-run)`);
    }
    const report: TInvoiceRunReport = {
      date: new Date(),
      machine: describeMachine(speedIndexAtStart),
      command: commandLine(),
      code: codeVersion(),
      versions: { PostgreSQL: pgVersion?.version ?? '?' },
      historyEvents,
      result,
    };
    process.stdout.write(`\n${INVOICES_SECTION_TITLE.replace(/^## /, '')}\n${invoiceRunTable(result).replace(/\*\*/g, '')}\n\n`);
    if (output !== '-') {
      writeNamedSection(output, INVOICES_SECTION_TITLE, renderInvoicesSection(report));
      say(`invoices results written to ${output}`);
    }
    partDone('invoices', `${result.created} invoices in ${result.seconds.toFixed(2)} s`);
  }

  if (parts.has('archival')) {
    const speedIndexAtStart = cpuSpeedIndex();
    await waitForQuiet();
    say(`archival: ${archivalFiles.toLocaleString('en-US')} aged files of ${archivalFileBytes.toLocaleString('en-US')} bytes, one run, in a child process…`);
    const { result, selfStartMiB, selfPeakMiB } = await inChild<TArchivalBenchResult>(ARCHIVAL_CHILD_FLAG);
    const report: TArchivalReport = {
      date: new Date(),
      machine: describeMachine(speedIndexAtStart),
      command: commandLine(),
      code: codeVersion(),
      versions: { PostgreSQL: pgVersion?.version ?? '?', ...(embeddedS3 ? { s3rver: packageVersion('s3rver') } : {}) },
      fileCount: archivalFiles,
      fileSizeBytes: archivalFileBytes,
      concurrency: config.ARCHIVAL_CONCURRENCY,
      filesPerSecond: result.filesPerSecond,
      seconds: result.seconds,
      startRssMiB: result.startRssMiB,
      peakRssMiB: result.peakRssMiB,
      s3rverStartRssMiB: embeddedS3 ? selfStartMiB : null,
      s3rverPeakRssMiB: embeddedS3 ? selfPeakMiB : null,
    };
    process.stdout.write(`\n${ARCHIVAL_SECTION_TITLE.replace(/^## /, '')}\n${archivalTable(report)}\n\n`);
    if (output !== '-') {
      writeNamedSection(output, ARCHIVAL_SECTION_TITLE, renderArchivalSection(report));
      say(`archival results written to ${output}`);
    }
    partDone('archival', `${report.fileCount} files in ${report.seconds.toFixed(1)} s (${report.filesPerSecond.toFixed(1)} files/s)`);
  }

  if (invalid.length) {
    process.stderr.write(`[bench] INVALID: ${invalid.join('; ')}\n`);
    await shutdown(1);
  }
  await shutdown(0);
}

main().catch(async (error) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await shutdown(1);
});
