/**
 * Formatting for `npm run bench`: the machine it ran on (with its speed index at the part's start), how the server
 * was run, the results tables, and the "Wrapper overhead", "File upload (1 GiB)", "Archival (2,000 × 256 KiB)",
 * "Usage ingestion", "Usage stats (10M events)", "Invoice run (1,000 tenants)" and "Audit log" sections of
 * BENCHMARKS.md (bench/pages.ts and bench/estimates.ts render their own). Each is replaced in place, or appended at
 * the end when missing; every other section of the file is kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TCpuUse } from './cpu';
import type { TCopyBenchResult, TIngestApiLevel, TMeterBenchResult } from './ingest';
import type { TInvoiceBenchResult } from './invoices';
import type { TAuditHistory, TAuditInsertLevel } from './audit';
import type { TErrorIngestResult } from './errors';
import type { TDatabaseSize, TExplained, TLatency } from './usage-stats';
import type { TGeneratedUsage } from '../scripts/generate-usage';

export interface TRun {
  scenario: string;
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU of each process group during the run (null off Linux). */
  cpu: TCpuUse | null;
  /** Milliseconds of a fixed CPU task just before the run (higher: a slower machine at that moment). */
  speedIndexMs: number;
  /** Resident memory of the Next server after the run. */
  serverMiB: number | null;
  /** Lines the server wrote to its log (stdout) during the run: the wrapper's access log, at the default level. */
  logLines: number;
}

export interface TSummary {
  scenario: string;
  description: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Medians over the rounds of CPU milliseconds per request, and of the cores the Next server kept busy. */
  nextCpuMs: number | null;
  nextCores: number | null;
  postgresCpuMs: number | null;
  loadGeneratorCpuMs: number | null;
  /** PostgreSQL transactions per request, counted in a separate pass of 2,000 requests. */
  dbTransactions: number | null;
  /** Median over the rounds of the server's log lines per request. */
  logLinesPerRequest: number;
}

export interface TMachine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  /** cpuSpeedIndex() at the start of the part: how fast the (shared) machine was then. */
  speedIndexMs: number;
}

/** How the measured server was run: what `npm start` runs, and whatever the environment changed of it. */
export interface TServerConfig {
  /** The packaged build's directory (`<dist dir>-dist`), whose server.mjs served. */
  packagedDir: string;
  distDir: string;
  /** LOG_LEVEL the server ran with; null: unset, the app's default (info, the access log on). */
  logLevel: string | null;
  /** OTEL_EXPORTER_OTLP_ENDPOINT; null: spans are made but not exported. */
  otelEndpoint: string | null;
  /** Whether REDIS_URL was set (rate limits counted in Redis rather than in the process). */
  hasRedis: boolean;
  /** DATABASE_POOL_MAX of the server. */
  poolMax: number;
}

export interface TReport {
  date: Date;
  machine: TMachine;
  versions: Record<string, string>;
  settings: {
    connections: number;
    durationSeconds: number;
    rounds: number;
    warmupSeconds: number;
    /** requests_per_minute the benchmark tenant's plan was raised to. */
    requestsPerMinute: number;
    apiCallsPerMonth: number;
    plan: string;
    tenantSlug: string;
    transactionCountRequests: number;
    /** Transactions a second with no request (job queue polls…), taken off each count; null: not measured. */
    backgroundTransactionsPerSecond: number | null;
  };
  server: TServerConfig;
  summaries: TSummary[];
  runs: TRun[];
  command: string;
  /** Commit measured. */
  code: string;
  /** Top self-time functions of the server during an extra, unmeasured wrapped run (BENCH_CPU_PROFILE=1). */
  profile: { seconds: number; table: string; busyMs: number; idleMs: number; isWindowed: boolean } | null;
}

/** The scenario every other is compared with: a route handler of the same build returning JSON. */
export const BASELINE_SCENARIO = 'bare-json';

/** The issue's targets: ratios of requests/s to the baseline, and the wrapped read's transactions. */
export const WRAPPER_TARGETS = { healthRatio: 0.85, wrappedRatio: 0.5, wrappedTransactions: 1.05 } as const;

export interface TTarget {
  label: string;
  measured: string;
  target: string;
  /** null: could not be measured (no transaction count). */
  isMet: boolean | null;
}

/** Ratio of a scenario's requests/s to the baseline's (null when either is missing). */
export function ratioToBaseline(summaries: TSummary[], scenario: string): number | null {
  const baseline = summaries.find((s) => s.scenario === BASELINE_SCENARIO)?.requestsPerSecond;
  const mine = summaries.find((s) => s.scenario === scenario)?.requestsPerSecond;
  return baseline && mine !== undefined ? mine / baseline : null;
}

export function wrapperTargets(summaries: TSummary[]): TTarget[] {
  const health = ratioToBaseline(summaries, 'health');
  const wrapped = ratioToBaseline(summaries, 'wrapped');
  const transactions = summaries.find((s) => s.scenario === 'wrapped')?.dbTransactions ?? null;
  return [
    { label: `health / ${BASELINE_SCENARIO} requests/s`, measured: health === null ? 'n/a' : `${health.toFixed(2)}×`, target: `≥ ${WRAPPER_TARGETS.healthRatio}×`, isMet: health === null ? null : health >= WRAPPER_TARGETS.healthRatio },
    { label: `wrapped / ${BASELINE_SCENARIO} requests/s`, measured: wrapped === null ? 'n/a' : `${wrapped.toFixed(2)}×`, target: `≥ ${WRAPPER_TARGETS.wrappedRatio}×`, isMet: wrapped === null ? null : wrapped >= WRAPPER_TARGETS.wrappedRatio },
    {
      label: 'wrapped: PostgreSQL transactions/request',
      measured: transactions === null ? 'n/a' : transactions.toFixed(2),
      target: `≤ ${WRAPPER_TARGETS.wrappedTransactions}`,
      isMet: transactions === null ? null : transactions <= WRAPPER_TARGETS.wrappedTransactions,
    },
  ];
}

export function targetsTable(targets: TTarget[]): string {
  return [
    '| target | measured | wanted | verdict |',
    '| --- | ---: | ---: | --- |',
    ...targets.map((t) => `| ${t.label} | ${t.measured} | ${t.target} | **${t.isMet === null ? 'n/a' : t.isMet ? 'pass' : 'FAIL'}** |`),
  ].join('\n');
}

export const SECTION_TITLE = '## Wrapper overhead';

export function median(values: number[]): number;
export function median(values: (number | null)[]): number | null;
export function median(values: (number | null)[]): number | null {
  if (values.some((v) => v === null) || values.length === 0) return null;
  const sorted = (values as number[]).slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function osName(): string {
  let name = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) name = `${pretty[1]} (${os.type()} ${os.release()}, ${os.arch()})`;
  } catch {
    // not Linux: os.type() and os.release() are all there is
  }
  return name;
}

export function describeMachine(speedIndexMs: number): TMachine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  let cores = os.availableParallelism();
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
    if (model) cpu = model[1].trim();
    const processors = cpuinfo.match(/^processor\s*:/gm)?.length;
    if (processors) cores = Math.min(processors, cores);
  } catch {
    // no /proc: keep what os.cpus() says
  }
  return {
    cpu,
    cores,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: osName(),
    speedIndexMs,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

/** The results as a Markdown table (also readable on a terminal), each scenario's requests/s also as a ratio to the baseline's. */
export function resultsTable(summaries: TSummary[]): string {
  const rows = summaries.map((s) => {
    const ratio = ratioToBaseline(summaries, s.scenario);
    return `| ${s.scenario} | ${s.description} | ${int(s.requestsPerSecond)} | ${ratio === null ? 'n/a' : `${ratio.toFixed(2)}×`} | ${ms(s.p50)} | ${ms(s.p99)} | ${s.non2xx + s.errors} |`;
  });
  return [
    `| scenario | what it measures | requests/s | of ${BASELINE_SCENARIO} | p50 ms | p99 ms | non-2xx + errors |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

const opt = (n: number | null, digits: number) => (n === null ? 'n/a' : n.toFixed(digits));

/** CPU per request of each process and database transactions per request: where the time goes. */
export function costTable(summaries: TSummary[]): string {
  const rows = summaries.map(
    (s) =>
      `| ${s.scenario} | ${opt(s.nextCpuMs, 2)} | ${opt(s.nextCores, 2)} | ${opt(s.postgresCpuMs, 2)} | ${opt(s.loadGeneratorCpuMs, 2)} | ${opt(s.dbTransactions, 2)} | ${s.logLinesPerRequest.toFixed(2)} |`,
  );
  return [
    '| scenario | Next server CPU ms/request | Next server cores busy | PostgreSQL CPU ms/request | autocannon CPU ms/request | DB transactions/request | server log lines/request |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function roundsTable(runs: TRun[]): string {
  const rows = runs.map(
    (r) =>
      `| ${r.round} | ${r.scenario} | ${int(r.requestsPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${int(r.total)} | ${r.non2xx + r.errors} | ` +
      `${opt(r.cpu ? (r.cpu.next * 1000) / Math.max(1, r.total) : null, 2)} | ${opt(r.cpu?.otherCores ?? null, 2)} | ${r.speedIndexMs} | ${r.serverMiB ?? 'n/a'} |`,
  );
  return [
    '| round | scenario | requests/s | p50 ms | p99 ms | requests | non-2xx | Next CPU ms/request | other load (cores) | speed index ms | server RSS MiB |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** Other processes' median CPU during the timed runs, in cores (null off Linux). */
export function otherLoad(runs: TRun[]): number | null {
  return median(runs.map((r) => r.cpu?.otherCores ?? null));
}

function disturbance(runs: TRun[]): string {
  return disturbedNote(otherLoad(runs));
}

/** A warning when other processes kept `other` cores (a median over the timed runs) busy; '' when quiet. */
export function disturbedNote(
  other: number | null,
  consequence = 'the absolute figures are low for this machine and even the ratio of alternating runs is less reliable than usual.',
): string {
  if (other === null || other < 0.3) return '';
  return `\n> **Disturbed:** other processes kept ${other.toFixed(2)} cores busy (median over the runs) while this was measured;
> ${consequence}\n`;
}

/** One sentence on the server measured, for every section that loads it. */
export function describeServer(server: TServerConfig): string {
  const packaged = path.relative(process.cwd(), server.packagedDir) || server.packagedDir;
  const log =
    server.logLevel === null
      ? '`LOG_LEVEL` unset (the default, info: an access-log line per wrapped request, on stdout, which the bench sends to a file)'
      : `\`LOG_LEVEL=${server.logLevel}\` (\`BENCH_LOG_LEVEL\`; the default is info${['info', 'debug', 'trace'].includes(server.logLevel) ? '' : ', which would add the access log'})`;
  const tracing = server.otelEndpoint
    ? `spans exported to \`OTEL_EXPORTER_OTLP_ENDPOINT\` (${server.otelEndpoint})`
    : 'no spans exported (`OTEL_EXPORTER_OTLP_ENDPOINT` unset, the default)';
  return (
    `\`node ${packaged}/server.mjs\`: the packaged build of \`npm run build\` (\`next build\` into \`${server.distDir}\`, then \`scripts/package.ts\`), ` +
    `the server \`npm start\` runs (\`scripts/serve.ts\` in front of Next's handler), with \`NODE_ENV=production\`, ${log}, ${tracing}, ` +
    `rate limits ${server.hasRedis ? 'in Redis (`REDIS_URL`)' : 'in process memory (`REDIS_URL` unset)'} and \`DATABASE_POOL_MAX=${server.poolMax}\``
  );
}

export function renderSection(report: TReport): string {
  const { settings } = report;
  return `${SECTION_TITLE}

What the request wrapper (\`lib/api/route.ts\`) costs, as a ratio to a bare route handler of the same build returning
JSON, on the same server in the same run, at the configuration \`npm start\` runs.

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${resultsTable(report.summaries)}

${targetsTable(wrapperTargets(report.summaries))}
${disturbance(report.runs)}
Figures are the median of ${settings.rounds} round${settings.rounds === 1 ? '' : 's'} of ${settings.durationSeconds} s per scenario, run alternately
(${report.summaries.map((s) => s.scenario).join(', ')}, …) after a ${settings.warmupSeconds} s warm-up of each, with
${settings.connections} connections from autocannon on the same machine. Requests/s is autocannon's per-second average;
p50 and p99 are its latency percentiles. A run with any non-2xx response (a 429 of the rate limit or the quota
included) or socket error is invalid and makes the command exit non-zero; a missed target is reported, not fatal.

Where the time goes: CPU per request of each process (medians over the rounds, from \`/proc\`), and PostgreSQL
transactions per request (from \`pg_stat_database\` over a separate pass of ${int(settings.transactionCountRequests)} requests per scenario; a
statement outside BEGIN … COMMIT counts as one transaction${
  settings.backgroundTransactionsPerSecond === null
    ? ''
    : `; what the server does with no request, ${settings.backgroundTransactionsPerSecond.toFixed(1)} transactions/s (the job queue's polls,
schedules, liveness checks) counted over an idle window just before, is taken off each pass for its duration`
}):

${costTable(report.summaries)}

The Next server is one Node process: when it keeps about one core busy, its event loop is the bottleneck and
requests/s is close to 1000 / (its CPU ms per request). "Other load" in the table of rounds is CPU used by
anything else on the machine during that run (other people's builds and tests, interrupts); before each
run the command waits (up to \`BENCH_QUIET_WAIT\` s) for it to fall below 0.3 cores, a run during which it rose
above that is measured again (three attempts at most; the quietest counts), and the median of the rounds
outvotes what is left. The speed index of each round is measured just before it (see below).

### Configuration

The server is ${describeServer(report.server)}; it listens on all interfaces, as \`npm start\`'s does. Its stdout
goes to a file (as \`npm start > app.log\` would), which the bench counts after each run: the "log lines/request"
column above (the access log is the wrapper's; the two bench routes log nothing). It runs against embedded
PostgreSQL (fresh cluster, default settings) and the embedded S3 endpoint, unless \`DATABASE_URL\` / \`S3_ENDPOINT\`
named others.

- **${BASELINE_SCENARIO}** — \`GET /api/bench/bare\` (\`app/api/bench/bare/route.ts\`): \`Response.json({ ok: true })\`, no wrapper, no
  database; middleware does not run on \`/api/\` paths. The ceiling of a route handler on this server and machine.
- **health** — \`GET /api/health\`: the \`route()\` wrapper on a public endpoint with no database (request id, span,
  error handling, metrics, access log).
- **wrapped** — \`GET /api/v1/tenant\` with \`Authorization: Bearer <one API key>\` (scope \`tenant:read\`) of the tenant
  \`${settings.tenantSlug}\`, created for the run on the \`${settings.plan}\` plan, whose \`requests_per_minute\` was raised to
  ${int(settings.requestsPerMinute)} and \`api_calls_per_month\` to ${int(settings.apiCallsPerMonth)} through \`updatePlan\` (\`lib/billing\`) before the
  server started, so that neither the rate limit nor the monthly quota refuses the load (and put back afterwards on a
  database of \`DATABASE_URL\`). The full wrapper: API-key resolution, permission, rate limit, quota, metering,
  one tenant transaction, access log. The host is \`127.0.0.1\`, so the key alone names the tenant.
- **bare-sql** — \`GET /api/bench/tenant?id=<tenant id>\` (\`app/api/bench/tenant/route.ts\`), for context: the wrapped
  route's SQL — \`withTenant(id, (tx) => getTenant(tx, id))\` — without the wrapper.

The two bench routes answer 404 unless the server runs with \`SITEWORK_BENCH_ROUTES=1\`, as here.
${
  report.profile
    ? `
### Where the server's CPU goes (wrapped)

The top functions by self time in the server process during ${report.profile.seconds} s of the wrapped scenario (${settings.connections} connections), on a
second server of the same build started with \`node --cpu-prof\` for an extra, unmeasured run (\`BENCH_CPU_PROFILE=1\`);
${report.profile.isWindowed ? "only the samples taken during the load count (the server's start-up and warm-up are left out)" : 'all samples of the profile count'}: ${int(report.profile.busyMs)} ms busy, ${int(report.profile.idleMs)} ms idle. Self time is
time in the function itself, not in what it calls (\`bench/cpu-profile.ts\`).

${report.profile.table}
`
    : ''
}
${machineLine(report.machine)} The speed index of each round is in the table of rounds.
${versionsLine(report.versions)}.

<details><summary>Every round</summary>

${roundsTable(report.runs)}

</details>
`;
}

/** Replaces the Wrapper overhead section of `file` (up to the next level-2 heading) or appends it. */
export function writeSection(file: string, section: string): void {
  writeNamedSection(file, SECTION_TITLE, section);
}

/** Replaces the section headed `title` (up to the next level-2 heading) or appends it. */
export function writeNamedSection(file: string, title: string, section: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const lines = existing.split('\n');
  const start = lines.findIndex((line) => line.trim() === title);
  let next: string;
  if (start === -1) {
    // A new section goes at the end, after any hand-written notes, which stay where they are.
    next = `${existing.trimEnd()}\n\n${section}`;
  } else {
    let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
    if (end === -1) end = lines.length;
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = lines.slice(end).join('\n').trim();
    next = `${before ? `${before}\n\n` : ''}${section}${after ? `\n${after}\n` : ''}`;
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

const stamp = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');
/** The machine, and its speed index at the part's start, which tells a slower machine from a slower program. */
export const machineLine = (machine: TMachine) =>
  `**Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, Node ${machine.node}, ${machine.os}.
**Speed index:** ${machine.speedIndexMs} ms at the start of this part (\`bench/cpu.ts\`: 20,000 JSON round trips of a small object in the
bench process, best of three; lower is faster). It rises when the machine, not the program, is slower: compare it before comparing figures.`;
const mib = (bytes: number) => bytes / 1024 ** 2;
const sizeLabel = (bytes: number) =>
  bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : bytes % 1024 ** 2 === 0 ? `${mib(bytes)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;

export const UPLOAD_SECTION_TITLE = '## File upload (1 GiB)';

export interface TUploadReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  sizeBytes: number;
  mbPerSecond: number;
  seconds: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  rssGrowthMiB: number;
  /** RSS growth target, MiB. */
  targetGrowthMiB: number;
  server: TServerConfig;
  /** Whether the wrapper scenarios ran on the same server first. */
  afterWrapper: boolean;
  /** Whether the S3 endpoint is the embedded s3rver of the bench process. */
  embeddedS3: boolean;
}

export function uploadVerdict(report: Pick<TUploadReport, 'rssGrowthMiB' | 'targetGrowthMiB'>): string {
  return report.rssGrowthMiB < report.targetGrowthMiB ? 'pass' : 'FAIL';
}

export function uploadTable(report: TUploadReport): string {
  return [
    '| file | MB/s | seconds | server RSS before MiB | server peak RSS MiB | RSS growth MiB | target growth < MiB | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${sizeLabel(report.sizeBytes)} | ${report.mbPerSecond.toFixed(1)} | ${report.seconds.toFixed(1)} | ${int(report.baselineRssMiB)} | ` +
      `${int(report.peakRssMiB)} | ${int(report.rssGrowthMiB)} | ${report.targetGrowthMiB} | **${uploadVerdict(report)}** |`,
  ].join('\n');
}

export function renderUploadSection(report: TUploadReport): string {
  const versionList = Object.entries(report.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `${UPLOAD_SECTION_TITLE}

Throughput of one streamed upload through \`POST /api/v1/files\` and the memory of the server meanwhile
(target: resident memory grows by less than ${report.targetGrowthMiB} MiB, i.e. the body is never held in memory).${
    report.sizeBytes === 1024 ** 3 ? '' : `\n\n> This run uploaded ${sizeLabel(report.sizeBytes)} (\`BENCH_UPLOAD_BYTES\`), not 1 GiB.`
  }

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${uploadTable(report)}

How it is measured (\`bench/upload.ts\`): ${report.afterWrapper ? 'after the wrapper scenarios, on the same' : 'on the'} server
(${describeServer(report.server)}), acme's \`storage_quota_bytes\` and \`max_file_size_bytes\` are raised
through the owner connection so that the file fits, and an API key with scope \`files:write\` is created for acme's
owner. One request then sends the raw body (\`content-type: application/pdf\`, \`?filename=bench-….pdf\`, a
\`%PDF-1.7\` signature in the first chunk, then random bytes) with \`content-length\` set; the client generates it
1 MiB at a time and waits for the socket to drain, so it holds no more than a chunk either. MB/s is 10⁶ bytes per
second from the first byte sent to the 201 answer, i.e. including the server's writes to ${
    report.embeddedS3 ? 'the embedded S3\nendpoint (s3rver, in the bench process, on the same disk)' : 'the S3 endpoint\nof `S3_ENDPOINT`'
  } and its database rows. The server's resident memory
(\`VmRSS\` of the server process in \`/proc\`) is sampled every 50 ms; growth is the peak minus the
reading just before the request.${
    report.afterWrapper ? ' The server has already served the wrapper scenarios, so its heap is warm.' : ' The server had served nothing before (run without the wrapper part), so growth includes its warm-up.'
  }

${machineLine(report.machine)}
${versionList}.
`;
}

export const ARCHIVAL_SECTION_TITLE = '## Archival (2,000 × 256 KiB)';

export interface TArchivalReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  fileCount: number;
  fileSizeBytes: number;
  /** ARCHIVAL_CONCURRENCY of the run. */
  concurrency: number;
  filesPerSecond: number;
  seconds: number;
  startRssMiB: number;
  peakRssMiB: number;
  /**
   * Resident memory of the bench process, where s3rver runs, before the child started and at its peak while it
   * ran (null off Linux or with an external S3_ENDPOINT).
   */
  s3rverPeakRssMiB: number | null;
  s3rverStartRssMiB: number | null;
}

export function archivalTable(report: TArchivalReport): string {
  const mbPerSecond = (report.fileCount * report.fileSizeBytes) / 1e6 / Math.max(report.seconds, 1e-9);
  return [
    '| files | file size | files/s | MB/s | seconds | RSS at start MiB | peak RSS MiB | RSS growth MiB | bench process (s3rver) RSS MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${int(report.fileCount)} | ${sizeLabel(report.fileSizeBytes)} | ${report.filesPerSecond.toFixed(1)} | ${mbPerSecond.toFixed(1)} | ` +
      `${report.seconds.toFixed(1)} | ${int(report.startRssMiB)} | ${int(report.peakRssMiB)} | ${int(report.peakRssMiB - report.startRssMiB)} | ` +
      `${report.s3rverStartRssMiB === null || report.s3rverPeakRssMiB === null ? 'n/a' : `${int(report.s3rverStartRssMiB)} → ${int(report.s3rverPeakRssMiB)}`} |`,
  ].join('\n');
}

export function renderArchivalSection(report: TArchivalReport): string {
  const versionList = Object.entries(report.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const nominal = report.fileCount === 2000 && report.fileSizeBytes === 256 * 1024;
  return `${ARCHIVAL_SECTION_TITLE}

One archival run (\`runArchival\`, the function the pg-boss job calls) over aged files: files archived per second
and the resident memory of the process that runs it.${
    nominal
      ? ''
      : `\n\n> This run archived ${int(report.fileCount)} files of ${sizeLabel(report.fileSizeBytes)} (\`BENCH_ARCHIVAL_FILES\` / \`BENCH_ARCHIVAL_FILE_BYTES\`).`
  }

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${archivalTable(report)}

How it is measured (\`bench/archival.ts\`): a new enterprise tenant gets ${int(report.fileCount)} completed files of
${sizeLabel(report.fileSizeBytes)} (distinct random bytes each, objects written to the hot bucket, rows dated 400 days
ago, so every one is due under the seeded 365-day policy). Then one manual run archives them all, ${report.concurrency} files
at a time (\`ARCHIVAL_CONCURRENCY\`) — for each file copy to the archive bucket, verify the copy, mark the row
archived, delete the hot object — against the same PostgreSQL and S3 endpoint as the other sections. Files/s is
files archived over the run's wall time (fixtures not included); MB/s is the same in 10⁶ bytes. The run fails the command unless every file is archived.

Memory: the run happens in a child process of \`npm run bench\` (the same script, started with \`--archival-child\`
and \`--expose-gc\`, same environment), not in the bench process itself, because the embedded S3 endpoint
(s3rver) runs inside the bench process and every object it receives and sends would count against the
archival run. "RSS at start" is that child's resident memory after the fixtures were written and a garbage
collection; "peak RSS" is the maximum sampled every 50 ms during the run; growth is the difference, i.e. what
the archival run alone holds. The last column, for reference only, is the resident memory of the bench process
(s3rver and the idle rest of the script) before the child started → its peak while the child ran (fixtures
included)${report.s3rverStartRssMiB === null ? '; n/a: S3_ENDPOINT named an external endpoint' : ''}.

${machineLine(report.machine)}
${versionList}.
`;
}

export const versionsLine = (versions: Record<string, string>) =>
  Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
const otherCell = (cores: number | null) => (cores === null ? 'n/a' : cores.toFixed(2));
const failureList = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');

export const INGEST_SECTION_TITLE = '## Usage ingestion';

export interface TIngestReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  batchEvents: number;
  api: TIngestApiLevel[];
  meter: TMeterBenchResult;
  copy: TCopyBenchResult;
  /** Target through POST /api/v1/usage/events, events/s. */
  targetEventsPerSecond: number;
  server: TServerConfig;
}

/** The best API level (most events/s). */
export function bestIngestLevel(report: Pick<TIngestReport, 'api'>): TIngestApiLevel | undefined {
  return [...report.api].sort((a, b) => b.eventsPerSecond - a.eventsPerSecond)[0];
}

export function ingestVerdict(report: Pick<TIngestReport, 'api' | 'targetEventsPerSecond'>): string {
  const best = bestIngestLevel(report);
  return best && best.failures === 0 && best.eventsPerSecond >= report.targetEventsPerSecond ? 'pass' : 'FAIL';
}

export function ingestTable(report: TIngestReport): string {
  const copyRate = report.copy.eventsPerSecond;
  const ratio = (eps: number) => pct(eps / copyRate);
  const rows = [
    ...report.api.map(
      (l) =>
        `| API, ${l.concurrency} in flight | POST /api/v1/usage/events, ${int(report.batchEvents)} events/request | ${int(l.events)} | ${l.seconds.toFixed(1)} | ` +
        `**${int(l.eventsPerSecond)}** | ${ratio(l.eventsPerSecond)} | ${ms(Math.round(l.p50Ms))} / ${ms(Math.round(l.p95Ms))} | ${l.failures ? `${l.failures} (${failureList(l.failureStatuses)})` : 0} | ${otherCell(l.otherCores)} |`,
    ),
    `| wrapper buffer | meterApiCall × ${int(report.meter.calls)} over ${report.meter.routes} routes, flushUsage | ${int(report.meter.written)} | ${report.meter.seconds.toFixed(1)} | ` +
      `**${int(report.meter.eventsPerSecond)}** | ${ratio(report.meter.eventsPerSecond)} | n/a | 0 | n/a |`,
    `| COPY (ceiling) | raw COPY into usage_events, no rollups | ${int(report.copy.rows)} | ${report.copy.copySeconds.toFixed(1)} | **${int(copyRate)}** | 100.0 % | n/a | 0 | n/a |`,
    `| COPY + rollups | the same COPY, then INSERT … SELECT … GROUP BY into usage_hourly and usage_daily | ${int(report.copy.rows)} | ` +
      `${(report.copy.copySeconds + report.copy.rollupSeconds).toFixed(1)} | ${int(report.copy.withRollupEventsPerSecond)} | ${ratio(report.copy.withRollupEventsPerSecond)} | n/a | 0 | n/a |`,
  ];
  return [
    '| path | what | events | seconds | events/s | of COPY | request p50 / p95 ms | failures | other load (cores) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function renderIngestSection(report: TIngestReport): string {
  const best = bestIngestLevel(report);
  const other = median(report.api.map((l) => l.otherCores));
  return `${INGEST_SECTION_TITLE}

How fast usage events get into PostgreSQL: reported batches through the API, the request wrapper's buffered
\`api_call\` metering, and a raw \`COPY\` of as many rows into the same database in the same run as the ceiling.

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${ingestTable(report)}

Through the API: **${best ? int(best.eventsPerSecond) : 'n/a'} events/s** at best (${best?.concurrency ?? '?'} in flight; target ≥ ${int(report.targetEventsPerSecond)}: **${ingestVerdict(report)}**).
${disturbedNote(other, 'the API figures are low for this machine.')}
**Not like for like:** \`COPY\` into \`usage_events\` writes the raw rows only. The API and the buffer store each batch
with one statement (\`lib/usage/record.ts\`) that inserts the raw events (\`ON CONFLICT DO NOTHING\`, so duplicates
count once) *and* adds the inserted ones to the \`usage_hourly\` and \`usage_daily\` rollups (upserts), under
row-level security in a \`withTenant\` transaction. The "COPY + rollups" row adds the set-based rollup of the copied
rows for a fairer comparison.

How it is measured (\`bench/ingest.ts\`):

- **API** — a new enterprise tenant with an owner and one API key (scope \`files:write\`); each request is
  \`POST /api/v1/usage/events\` with ${int(report.batchEvents)} events (\`file_upload\`, \`file_processed\`, \`cost_estimate\` in turn, fresh
  UUIDv4 ids, \`occurredAt\` within the last 24 hours, bodies of ~125 KB built before the clock starts), through the full
  \`route()\` wrapper (authentication, zod validation of every event, quota and rate limit, metering of the call
  itself). Each level sends ${int(report.api[0]?.batches ?? 0)} requests with that many in flight; events/s counts accepted
  events over the wall time of the level. A request that does not answer 200 with every event accepted is a
  failure. All levels write to one tenant, so concurrent batches update the same hourly and daily rollup rows.
- **wrapper buffer** — in a child process of \`npm run bench\` (same environment), a new tenant's
  ${int(report.meter.calls)} calls over ${report.meter.routes} route templates with methods and statuses are pushed through \`meterApiCall\`, 1,000
  at a time, yielding to the event loop in between (a push that fills 1,000 starts a flush, as in the server);
  when 20,000 wait the loop awaits \`flushUsage()\` (the buffer keeps 100,000 at most). Timed from the first call
  until the buffer is empty and written; the child then checks that every call is in \`usage_events\`. Flushes run
  one at a time, 1,000 events per statement, through one pool connection.
- **COPY** — \`COPY usage_events (…) FROM STDIN\` (postgres.js \`.writable()\`, text format) of ${int(report.copy.rows)} \`api_call\` rows
  of the same shape (UUIDv4 ids, the same routes and statuses) for another new tenant, text built beforehand, as
  the superuser that row-level security does not apply to; then the rollups of those rows
  (${report.copy.rollupSeconds.toFixed(1)} s).

The server is ${describeServer(report.server)},
against the same embedded PostgreSQL (its data on the same disk, default settings) as the COPY; these figures
are taken before the usage-stats history is generated, on a small database.

${machineLine(report.machine)}
${versionsLine(report.versions)}.
`;
}

export const USAGE_STATS_SECTION_TITLE = '## Usage stats (10M events)';

export interface TUsageStatsReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  generated: TGeneratedUsage;
  latencies: TLatency[];
  warmup: number;
  targetP95Ms: number;
  explained: TExplained[];
  size: TDatabaseSize;
  /** Whether the Usage page was still the section placeholder when measured. */
  isPagePlaceholder: boolean;
  server: TServerConfig;
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
const sizeText = (bytes: number) => (bytes >= 1024 ** 3 ? gib(bytes) : `${int(mib(bytes))} MiB`);

export function usageStatsVerdict(latency: TLatency, targetP95Ms: number): string {
  return latency.failures === 0 && latency.p95Ms < targetP95Ms ? 'pass' : 'FAIL';
}

export function usageLatencyTable(report: Pick<TUsageStatsReport, 'latencies' | 'targetP95Ms'>): string {
  const rows = report.latencies.map(
    (l) =>
      `| ${l.label} | ${int(l.requests)} | ${l.p50Ms.toFixed(1)} | **${l.p95Ms.toFixed(1)}** | ${l.p99Ms.toFixed(1)} | ${l.maxMs.toFixed(1)} | ` +
      `${int(l.bodyBytes)} | ${l.failures ? `${l.failures} (${failureList(l.failureStatuses)})` : 0} | ${otherCell(l.otherCores)} | **${usageStatsVerdict(l, report.targetP95Ms)}** |`,
  );
  return [
    `| request | requests | p50 ms | p95 ms | p99 ms | max ms | answer bytes | failures | other load (cores) | p95 < ${report.targetP95Ms} ms |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

export function generationTable(generated: TGeneratedUsage): string {
  return [
    '| step | seconds | rows | rows/s |',
    '| --- | ---: | ---: | ---: |',
    `| ${int(generated.tenantCount)} tenants (createTenant, one transaction) | ${generated.tenantsSeconds.toFixed(1)} | ${int(generated.tenantCount)} | |`,
    `| COPY into usage_events (${generated.streams} streams) | ${generated.copySeconds.toFixed(1)} | ${int(generated.eventCount)} | ${int(generated.copyRowsPerSecond)} |`,
    `| usage_hourly + usage_daily (INSERT … SELECT … GROUP BY) | ${generated.rollupSeconds.toFixed(1)} | ${int(generated.hourlyRows)} + ${int(generated.dailyRows)} | |`,
    `| check, VACUUM ANALYZE of the rollups, ANALYZE usage_events | ${generated.analyzeSeconds.toFixed(1)} | | |`,
    `| **all** | **${generated.seconds.toFixed(1)}** | ${int(generated.eventCount)} events | **${int(generated.rowsPerSecond)}** |`,
  ].join('\n');
}

export function renderUsageStatsSection(report: TUsageStatsReport): string {
  const { generated, size } = report;
  const other = median(report.latencies.map((l) => l.otherCores));
  const nominal = generated.eventCount === 10_000_000 && generated.tenantCount === 1000;
  const tables = size.tables
    .map((t) => `\`${t.name}\` ${sizeText(t.totalBytes)} (indexes ${sizeText(t.indexBytes)}, ~${int(t.rows)} rows)`)
    .join(', ');
  const plans = report.explained
    .map((e) => `**${e.label}** — execution ${e.executionMs.toFixed(2)} ms\n\n\`\`\`\n${e.plan}\n\`\`\``)
    .join('\n\n');
  return `${USAGE_STATS_SECTION_TITLE}

Latency of the usage read paths for the largest tenant of a generated year of usage (target: p95 < ${report.targetP95Ms} ms).${
    nominal
      ? ''
      : `\n\n> This run generated ${int(generated.eventCount)} events for ${int(generated.tenantCount)} tenants (\`BENCH_USAGE_EVENTS\` / \`BENCH_USAGE_TENANTS\`), not 10,000,000 for 1,000.`
  }

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${usageLatencyTable(report)}
${disturbedNote(other, 'the latencies are high for this machine.')}${
    report.isPagePlaceholder
      ? `\n> **The Usage page was still a placeholder** (\`SectionPlaceholder\`, no usage query) when this was measured: its row is
> the cost of the portal layout, the session and the membership check, not of a usage dashboard.\n`
      : ''
  }
The tenant is \`${generated.largest.slug}\` with ${int(generated.largest.eventCount)} of the ${int(generated.eventCount)} events (${pct(generated.largestShare)}).
Each row is ${int(report.latencies[0]?.requests ?? 0)} sequential requests (one in flight) after ${report.warmup} unmeasured ones, timed by the client from
sending to the last byte: the API endpoints with an API key of that tenant (scope \`usage:read\`, one key per
endpoint, so the per-key rate limit is never reached); the portal page \`GET /usage\` (its server render: the HTML
document, not the browser's later requests) with \`Host: ${generated.largest.slug}.localhost\` and the session cookie of an
owner signed in through next-auth's credentials flow (\`GET /api/auth/csrf\`, then \`POST /api/auth/callback/credentials\`
on the tenant host). The server is ${describeServer(report.server)}, on
the embedded PostgreSQL. The generator writes usage only, no \`files\` rows: the stored-bytes part of
\`/usage/current\` (a sum over \`files\`) finds nothing for these tenants.

**Database after generation:** ${sizeText(size.databaseBytes)} in all; ${tables}.

### Generated history

\`scripts/generate-usage.ts\` (also runnable alone: \`npx tsx --conditions=react-server scripts/generate-usage.ts
--events=10000000 --tenants=1000\` against \`DATABASE_URL\`) created ${int(generated.tenantCount)} tenants (\`bench-0001\` … through \`createTenant\`;
the first on the enterprise plan) and ${int(generated.eventCount)} events over the past 365 days, tenant k getting a share ∝ 1/k (Zipf), more
recent days busier: 80 % \`api_call\` over 30 route templates with methods and statuses, \`file_upload\` with bytes,
\`file_processed\`, \`cost_estimate\`, and one \`storage_bytes\` snapshot a day per tenant. Events go in with \`COPY\`, then
the rollups are built with \`INSERT … SELECT … GROUP BY\` exactly as \`record.ts\` would have written them
(route \`'METHOD /path'\` for \`api_call\` and \`''\` otherwise, counters summed, \`storage_bytes\` the largest snapshot
of the bucket; daily grouped from hourly), and checked: both rollups count every event.

${generationTable(generated)}

### Query plans

The rollup statements behind the three endpoints, \`EXPLAIN (ANALYZE, BUFFERS)\` as \`sitework_app\` under
row-level security for \`${generated.largest.slug}\`, after the latency runs (so with a warm cache):

${plans}

${machineLine(report.machine)}
${versionsLine(report.versions)}.
`;
}

export const INVOICES_SECTION_TITLE = '## Invoice run (1,000 tenants)';

export interface TInvoiceRunReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  /** How many usage events the tenants' history holds (generated by the usage-stats part or by this one). */
  historyEvents: number;
  result: TInvoiceBenchResult;
}

export function invoiceRunTable(result: TInvoiceBenchResult): string {
  return [
    '| run | tenants | invoices created | seconds | invoices/s | failures |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| first run of ${result.period} | ${int(result.tenants)} | ${int(result.created)} | **${result.seconds.toFixed(2)}** | ${int(result.invoicesPerSecond)} | ${result.failed} |`,
    `| the same run again (idempotent) | ${int(result.tenants)} | ${int(result.rerunCreated)} | ${result.rerunSeconds.toFixed(2)} | | |`,
  ].join('\n');
}

export function renderInvoicesSection(report: TInvoiceRunReport): string {
  const { result } = report;
  return `${INVOICES_SECTION_TITLE}

The monthly invoice run (\`runInvoices\`, what the \`invoice-run\` job calls) billing last month for ${int(result.tenants)} tenants.

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

${invoiceRunTable(result)}

Total billed: ${int(result.totalCents)} cents over ${int(result.created)} invoices. The tenants are the usage generator's (a year of history,
${int(report.historyEvents)} events in all; plans by rank, the largest on Enterprise), moved back a year so last month is a whole
month of theirs. Per tenant, one transaction reads its plan history and \`usage_daily\` for the month (counts and daily
storage snapshots, never the raw events), computes the lines in exact integer cents and inserts the draft with its
lines; a second transaction finalizes it (number, due date). Four tenants are billed at a time on the owner pool;
no Stripe. The re-run finds every invoice and creates nothing (the unique key on tenant and period).

${machineLine(report.machine)}
${versionsLine(report.versions)}.
`;
}

export const AUDIT_SECTION_TITLE = '## Audit log';

export interface TAuditBenchReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  inserts: TAuditInsertLevel[];
  history: TAuditHistory;
  latencies: TLatency[];
  warmup: number;
  targetP95Ms: number;
  errorIngest: TErrorIngestResult;
}

export function auditInsertTable(inserts: TAuditInsertLevel[]): string {
  return [
    '| writers | tenants | events | seconds | events/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...inserts.map((l) => `| ${l.label} | ${int(l.tenants)} | ${int(l.events)} | ${l.seconds.toFixed(1)} | **${int(l.eventsPerSecond)}** |`),
  ].join('\n');
}

export function renderAuditSection(report: TAuditBenchReport): string {
  const other = median(report.latencies.map((l) => l.otherCores));
  return `${AUDIT_SECTION_TITLE}

Writing the audit log with its hash chain, and reading it back with ${int(report.history.rows)} rows in one tenant's log.

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

### Inserts with the hash chain

${auditInsertTable(report.inserts)}

Each event is \`recordAudit\` in its own \`withTenant\` transaction (what a mutation adds to its transaction): the BEFORE
INSERT trigger locks the tenant's chain head, numbers the row and hashes it (sha256 of the previous hash and the
row's canonical JSON) and moves the head. Writers of one tenant take turns on the head until they commit; writers
of different tenants do not wait for each other.

### Reads over ${int(report.history.rows)} rows

${usageLatencyTable({ latencies: report.latencies, targetP95Ms: report.targetP95Ms })}
${disturbedNote(other, 'the latencies are high for this machine.')}
The rows (a year of events: 8 actions, 40 actors, 2 % failures) were written set-based in ${report.history.seconds.toFixed(1)} s
(${int(report.history.rowsPerSecond)} rows/s) with the triggers off, so their hashes are placeholders; the read paths measured never
read hashes. Each row is ${int(report.latencies[0]?.requests ?? 0)} sequential requests after ${report.warmup} unmeasured ones: the API with a key
(scope \`audit:read\`), the page with an owner's session on the tenant host. Pages are keyset pages of 100 by the
chain's sequence number over the indexes (tenant, seq) and (tenant, action, seq); \`outcome=failure\` (2 % of rows)
walks (tenant, seq) until a page is found.

### Error ingest

**${int(report.errorIngest.errorsPerSecond)} errors/s**: ${int(report.errorIngest.errors)} errors of ${report.errorIngest.kinds} kinds (messages with varying ids, so each is
normalised and fingerprinted) for ${report.errorIngest.tenants} tenants through \`captureError\` (what the wrappers call: an in-memory push)
and \`flushErrors\` (group upserts, events, hourly counts; one transaction per tenant and batch), in ${report.errorIngest.seconds.toFixed(1)} s, all
of them stored.

${machineLine(report.machine)}
${versionsLine(report.versions)}.
`;
}
