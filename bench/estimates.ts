/**
 * Cost estimates over HTTP against a served app (scripts/bench.ts, part `estimates`): import throughput of
 * POST /api/v1/estimates/import in each format, and the latency and throughput of similarity search
 * (POST /api/v1/estimates/search-similar, GET /api/v1/estimates/{id}/similar) with a tenant of growing size.
 * Data is generateEstimates (lib/estimates/synthetic.ts); queries are held-out estimates of another seed.
 * The index is waited for by draining the outbox in this process (drainIndexOutbox, the same DATABASE_URL; the
 * served app's vector-index job drains concurrently, SKIP LOCKED splits the batches) until the store holds them.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createApiKey, createTenantWithOwner, insertUser } from '@/lib/auth';
import { drainIndexOutbox, generateEstimates, type TCostEstimate } from '@/lib/estimates';
import { platformDb, withPlatform, withTenant } from '@/lib/tenancy';
import { vectorStore } from '@/lib/vectors';
import { residentMiB } from './cpu';
import { httpRequest, percentile, type THttpResponse } from './http';
import { machineLine, versionsLine, type TMachine } from './report';
import type { TLatency } from './usage-stats';

export const ESTIMATES_SECTION_TITLE = '## Cost estimates: import and similarity search';
/** A run through Qdrant gets its own section, so that it never replaces the PostgreSQL store's figures. */
export const estimatesSectionTitle = (backend: 'postgres' | 'qdrant') => (backend === 'qdrant' ? `${ESTIMATES_SECTION_TITLE} (Qdrant)` : ESTIMATES_SECTION_TITLE);
/** The import endpoint's limit per request (MAX_IMPORT_ROWS). */
export const MAX_IMPORT_BATCH = 50_000;
/** Seed of the held-out query estimates; the tenants' data uses other seeds. */
const QUERY_SEED = 987_654;
const INDEX_TIMEOUT_MS = 15 * 60_000;
const RSS_SAMPLE_MS = 50;

export type TImportFormat = 'json' | 'csv' | 'jsonl';

const CONTENT_TYPES: Record<TImportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
};

export interface TEstimatesTenant {
  id: string;
  slug: string;
  /** API key secrets with scopes estimates:read and estimates:write. */
  keys: string[];
}

/** A fresh enterprise tenant (10,000 requests a minute per key) with an owner and `keyCount` API keys. */
export async function createEstimatesTenant(slug: string, keyCount: number): Promise<TEstimatesTenant> {
  const ownerEmail = `owner@${slug}.bench.local`;
  const { tenant, owner } = await withPlatform(async (tx) => {
    const user = await insertUser(tx, {
      email: ownerEmail,
      name: 'Estimates bench owner',
      password: randomBytes(18).toString('base64url'),
      isEmailVerified: true,
    });
    const created = await createTenantWithOwner(tx, { name: `Estimates bench ${slug}`, slug, plan: 'enterprise', ownerEmail }, null);
    return { tenant: created.tenant, owner: user };
  });
  const keys = await withTenant(tenant.id, async (tx) => {
    const secrets: string[] = [];
    for (let i = 0; i < keyCount; i++) {
      const key = await createApiKey(
        tx,
        tenant.id,
        { userId: owner.id, role: 'owner' },
        { name: `bench ${slug} #${i + 1}`, scopes: ['estimates:read', 'estimates:write'] },
      );
      secrets.push(key.secret);
    }
    return secrets;
  });
  return { id: tenant.id, slug, keys };
}

/** `count` synthetic estimates (valid import rows), the archetypes in turn. */
export function syntheticEstimates(count: number, seed: number): TCostEstimate[] {
  return generateEstimates({ count, seed }).map((generated) => generated.estimate);
}

const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

const CSV_HEADER = [
  'estimate',
  'project',
  'name',
  'country',
  'region',
  'city',
  'currency',
  'labor_rate_cents',
  'labor_hours',
  'equipment_rate_cents',
  'equipment_hours',
  'material_name',
  'material_category',
  'quantity',
  'unit',
  'unit_cost_cents',
];

/** One row per material line (lib/estimates/import.ts); the estimate's own columns on its first row only. */
function csvOf(estimates: TCostEstimate[]): string {
  const lines = [CSV_HEADER.join(',')];
  estimates.forEach((e, i) => {
    const head = [e.project, e.name, e.location.country, e.location.region, e.location.city, e.currency, e.laborRateCents, e.laborHours, e.equipmentRateCents, e.equipmentHours];
    e.materials.forEach((m, line) => {
      const own = line === 0 ? head : head.map(() => '');
      lines.push([`e${i + 1}`, ...own, m.name, m.category, m.quantity, m.unit, m.unitCostCents].map(csvCell).join(','));
    });
  });
  return `${lines.join('\n')}\n`;
}

export function importBody(estimates: TCostEstimate[], format: TImportFormat): Buffer {
  if (format === 'csv') return Buffer.from(csvOf(estimates));
  if (format === 'jsonl') return Buffer.from(`${estimates.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return Buffer.from(JSON.stringify(estimates));
}

export interface TEstimatesImport {
  label: string;
  format: TImportFormat;
  estimates: number;
  materialRows: number;
  bodyBytes: number;
  /** Estimates the tenant held before this import. */
  tenantBefore: number;
  seconds: number;
  estimatesPerSecond: number;
  materialRowsPerSecond: number;
  serverRssBeforeMiB: number | null;
  serverRssPeakMiB: number | null;
  /** From the answer to the index holding every estimate of the tenant. */
  indexSeconds: number;
}

/**
 * One POST /api/v1/estimates/import?mode=all_or_nothing, timed from sending the body to the answer, with the
 * server's RSS sampled meanwhile; anything but 201 with every estimate accepted throws. Then waits for the index.
 */
export async function importOverHttp(opts: {
  origin: string;
  apiKey: string;
  tenantId: string;
  label: string;
  format: TImportFormat;
  estimates: TCostEstimate[];
  tenantBefore: number;
  serverPid: number | undefined;
}): Promise<TEstimatesImport> {
  const body = importBody(opts.estimates, opts.format);
  const materialRows = opts.estimates.reduce((sum, e) => sum + e.materials.length, 0);
  const serverRssBeforeMiB = residentMiB(opts.serverPid);
  let serverRssPeakMiB = serverRssBeforeMiB;
  const sampler = setInterval(() => {
    const now = residentMiB(opts.serverPid);
    if (now !== null) serverRssPeakMiB = Math.max(serverRssPeakMiB ?? 0, now);
  }, RSS_SAMPLE_MS);
  let response: THttpResponse;
  try {
    response = await httpRequest(`${opts.origin}/api/v1/estimates/import?mode=all_or_nothing`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': CONTENT_TYPES[opts.format] },
      body,
    });
  } finally {
    clearInterval(sampler);
  }
  const accepted = response.status === 201 ? (JSON.parse(response.body) as { import?: { accepted?: number } }).import?.accepted : undefined;
  if (accepted !== opts.estimates.length) {
    throw new Error(`import ${opts.label} answered ${response.status} (accepted ${accepted ?? '?'} of ${opts.estimates.length}): ${response.body.slice(0, 500)}`);
  }
  const seconds = response.ms / 1000;
  const indexStarted = performance.now();
  await waitForIndex(opts.tenantId, opts.tenantBefore + opts.estimates.length);
  return {
    label: opts.label,
    format: opts.format,
    estimates: opts.estimates.length,
    materialRows,
    bodyBytes: body.length,
    tenantBefore: opts.tenantBefore,
    seconds,
    estimatesPerSecond: opts.estimates.length / seconds,
    materialRowsPerSecond: materialRows / seconds,
    serverRssBeforeMiB,
    serverRssPeakMiB,
    indexSeconds: (performance.now() - indexStarted) / 1000,
  };
}

/** Drains the outbox until it is empty and the store holds `expected` points of the tenant. */
export async function waitForIndex(tenantId: string, expected: number): Promise<void> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const drained = await drainIndexOutbox();
    const [{ pending }] = await platformDb().execute<{ pending: number }>(sql`select count(*)::int as pending from estimate_index_outbox`);
    const points = await vectorStore().count(tenantId);
    if (pending === 0 && points === expected) return;
    if (drained.failed > 0) throw new Error(`indexing failed for ${drained.failed} outbox rows (see the log)`);
    if (Date.now() > deadline) throw new Error(`the index holds ${points} of ${expected} estimates, ${pending} outbox rows left after ${INDEX_TIMEOUT_MS / 60_000} min`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Held-out estimates as bodies of POST /api/v1/estimates/search-similar. */
export function searchBodies(count: number, limit: number): string[] {
  return syntheticEstimates(count, QUERY_SEED).map((e) =>
    JSON.stringify({
      materials: e.materials,
      location: e.location,
      laborRateCents: e.laborRateCents,
      laborHours: e.laborHours,
      equipmentRateCents: e.equipmentRateCents,
      equipmentHours: e.equipmentHours,
      limit,
    }),
  );
}

/** A held-out estimate to put back after a deletion (keeps the tenant at its size). */
export function spareEstimate(n: number): TCostEstimate {
  return syntheticEstimates(n + 1, QUERY_SEED + 1)[n];
}

/** `count` random estimate ids of the tenant (owner role). */
export async function sampleEstimateIds(tenantId: string, count: number): Promise<string[]> {
  const rows = await platformDb().execute<{ id: string }>(
    sql`select id from cost_estimates where tenant_id = ${tenantId} order by random() limit ${count}`,
  );
  return rows.map((row) => row.id);
}

/** Sends request i of a run (round robin over prepared bodies or ids). */
export type TSend = (i: number) => Promise<THttpResponse>;

export function searchSimilarSender(origin: string, keys: string[], bodies: string[]): TSend {
  return (i) =>
    httpRequest(`${origin}/api/v1/estimates/search-similar`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[i % keys.length]}`, 'content-type': 'application/json' },
      body: bodies[i % bodies.length],
    });
}

export function similarToSender(origin: string, keys: string[], ids: string[], limit: number): TSend {
  return (i) =>
    httpRequest(`${origin}/api/v1/estimates/${ids[i % ids.length]}/similar?limit=${limit}`, {
      headers: { authorization: `Bearer ${keys[i % keys.length]}` },
    });
}

export interface TSingleRequest {
  label: string;
  ms: number;
  status: number;
}

export interface TThroughput {
  clients: number;
  seconds: number;
  requests: number;
  queriesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  failureStatuses: Record<string, number>;
  otherCores: number | null;
}

/** `clients` loops sending back to back for `seconds`, each with its own key (send(i) picks it). */
export async function measureThroughput(opts: {
  clients: number;
  seconds: number;
  send: TSend;
  measureOtherCores?: () => () => number | null;
}): Promise<TThroughput> {
  const latencies: number[] = [];
  const failureStatuses: Record<string, number> = {};
  let next = 0;
  const stopCpu = opts.measureOtherCores?.();
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < deadline) {
        const res = await opts.send(next++);
        latencies.push(res.ms);
        if (res.status !== 200) failureStatuses[res.status] = (failureStatuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const otherCores = stopCpu?.() ?? null;
  latencies.sort((a, b) => a - b);
  return {
    clients: opts.clients,
    seconds,
    requests: latencies.length,
    queriesPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failures: Object.values(failureStatuses).reduce((a, b) => a + b, 0),
    failureStatuses,
    otherCores,
  };
}

export interface TEstimatesSizeResult {
  estimates: number;
  /** First requests timed alone: the cold cache load, a refresh after growth, the one after a deletion. */
  singles: TSingleRequest[];
  latencies: TLatency[];
  throughput: TThroughput[];
  /** The server's RSS after this size's searches (the tenant's vectors are cached in it). */
  serverRssMiB: number | null;
  /** cpuSpeedIndex() before the size's timed runs: how fast the (shared) CPU was then. */
  speedIndexMs: number;
}

export interface TEstimatesReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  backend: 'postgres' | 'qdrant';
  imports: TEstimatesImport[];
  sizes: TEstimatesSizeResult[];
  warmup: number;
  searchLimit: number;
  throughputSeconds: number;
  targetP95Ms: number;
  /** The tenant size the target applies to. */
  targetEstimates: number;
  qdrantNote: string;
  vectorCacheMb: number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms1 = (n: number) => n.toFixed(1);
const mibCell = (n: number | null) => (n === null ? 'n/a' : int(n));
const otherCell = (cores: number | null) => (cores === null ? 'n/a' : cores.toFixed(2));
const failureCell = (failures: number, statuses: Record<string, number>) =>
  failures
    ? `${failures} (${Object.entries(statuses)
        .map(([status, n]) => `${status}×${n}`)
        .join(', ')})`
    : '0';

export function importTable(imports: TEstimatesImport[]): string {
  return [
    '| import | format | tenant before | estimates | material rows | body MiB | seconds | estimates/s | material rows/s | server RSS before → peak MiB | indexed after (s) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...imports.map(
      (i) =>
        `| ${i.label} | ${i.format} | ${int(i.tenantBefore)} | ${int(i.estimates)} | ${int(i.materialRows)} | ${ms1(i.bodyBytes / 1024 ** 2)} | ${i.seconds.toFixed(2)} | ` +
        `**${int(i.estimatesPerSecond)}** | ${int(i.materialRowsPerSecond)} | ${mibCell(i.serverRssBeforeMiB)} → ${mibCell(i.serverRssPeakMiB)} | ${i.indexSeconds.toFixed(1)} |`,
    ),
  ].join('\n');
}

export function searchLatencyTable(report: Pick<TEstimatesReport, 'sizes' | 'targetP95Ms' | 'targetEstimates'>): string {
  const verdict = (size: number, l: TLatency) =>
    size === report.targetEstimates ? `**${l.failures === 0 && l.p95Ms < report.targetP95Ms ? 'pass' : 'FAIL'}**` : '(target at 10,000)';
  const rows = report.sizes.flatMap((s) => [
    ...s.singles.map((one) => `| ${int(s.estimates)} | ${one.label} | 1 | ${ms1(one.ms)} | | | | ${one.status === 200 ? 0 : `1 (${one.status})`} | | |`),
    ...s.latencies.map(
      (l) =>
        `| ${int(s.estimates)} | ${l.label} | ${int(l.requests)} | ${ms1(l.p50Ms)} | **${ms1(l.p95Ms)}** | ${ms1(l.p99Ms)} | ${ms1(l.maxMs)} | ` +
        `${failureCell(l.failures, l.failureStatuses)} | ${otherCell(l.otherCores)} | ${verdict(s.estimates, l)} |`,
    ),
  ]);
  return [
    `| estimates in tenant | request | requests | p50 ms | p95 ms | p99 ms | max ms | failures | other load (cores) | p95 < ${report.targetP95Ms} ms |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

export function throughputTable(sizes: TEstimatesSizeResult[]): string {
  return [
    '| estimates in tenant | clients | seconds | requests | queries/s | p50 ms | p95 ms | failures | other load (cores) | server RSS after (MiB) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...sizes.flatMap((s) =>
      s.throughput.map(
        (t) =>
          `| ${int(s.estimates)} | ${t.clients} | ${t.seconds.toFixed(1)} | ${int(t.requests)} | **${int(t.queriesPerSecond)}** | ${ms1(t.p50Ms)} | ${ms1(t.p95Ms)} | ` +
          `${failureCell(t.failures, t.failureStatuses)} | ${otherCell(t.otherCores)} | ${mibCell(s.serverRssMiB)} |`,
      ),
    ),
  ].join('\n');
}

const stamp = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

export function renderEstimatesSection(report: TEstimatesReport): string {
  const store = report.backend === 'qdrant' ? 'Qdrant (QDRANT_URL)' : 'PostgreSQL store (exact search over the per-process cache)';
  const others = [...report.sizes.flatMap((s) => s.latencies.map((l) => l.otherCores)), ...report.sizes.flatMap((s) => s.throughput.map((t) => t.otherCores))].filter(
    (c): c is number => c !== null,
  );
  const busiest = others.length ? Math.max(...others) : null;
  const largest = [...report.imports].sort((a, b) => b.estimates - a.estimates)[0];
  const rssGrowth = (i: TEstimatesImport) => (i.serverRssBeforeMiB === null || i.serverRssPeakMiB === null ? null : i.serverRssPeakMiB - i.serverRssBeforeMiB);
  const materialRows = report.imports.reduce((sum, i) => sum + i.materialRows, 0);
  const estimates = report.imports.reduce((sum, i) => sum + i.estimates, 0);
  const materialsPerEstimate = estimates ? (materialRows / estimates).toFixed(1) : 'n/a';
  return `${estimatesSectionTitle(report.backend)}

Importing synthetic cost estimates over HTTP, then similarity search with ${report.sizes.map((s) => int(s.estimates)).join(' and ')} estimates in one tenant,
${store}.

Command: \`${report.command}\` — ${stamp(report.date)}, code at ${report.code}

### Import

${importTable(report.imports)}

Each row is one \`POST /api/v1/estimates/import?mode=all_or_nothing\` with an API key, timed from sending the body to
the 201 (streamed parse, validation of every estimate, one transaction for all of them). Estimates are
\`generateEstimates\` (8 archetypes, standard difficulty, ${materialsPerEstimate} material lines each on average); CSV has one
row per material line. The first three rows import the same estimates into fresh tenants; the others grow the search
tenant (imports of at most ${int(MAX_IMPORT_BATCH)}, the endpoint's limit). Unmeasured before them: a 100-estimate import in each
format into another tenant. ${
    largest
      ? `During the ${int(largest.estimates)}-estimate import the server's RSS grew by ${mibCell(rssGrowth(largest))} MiB (peak
minus the RSS before it; garbage of the earlier imports makes this vary between runs).`
      : ''
  }
"Indexed after": from the answer until the vector store held every estimate of the tenant (the outbox drained by
\`drainIndexOutbox()\` in the bench process, the app's vector-index job alongside; SKIP LOCKED splits the batches).

### Similarity search (${report.backend === 'qdrant' ? 'Qdrant' : 'PostgreSQL store'})

${searchLatencyTable(report)}

${throughputTable(report.sizes)}
${busiest !== null && busiest >= 0.3 ? `\n> **Disturbed:** other processes used up to ${busiest.toFixed(2)} cores during some of these runs; the figures are noisier than usual.\n` : ''}
Sequential requests over HTTP with an API key (scopes \`estimates:read\`, \`estimates:write\`), one at a time: each
latency row is ${int(report.sizes[0]?.latencies[0]?.requests ?? 0)} requests after ${report.warmup} unmeasured ones, \`limit\` ${report.searchLimit}. Query bodies are held-out synthetic
estimates (another seed; materials, location, labor and equipment); \`GET …/{id}/similar\` asks for random estimates of
the tenant. The single rows are timed alone: the first search of the tenant loads its vectors into the server
process's cache (cold; the route was warmed up on another tenant before); after the tenant grew, the first search
fetches the new rows; after a deletion the next search reads the ids of the tenant and drops the deleted ones (one estimate was deleted
through the API and another created, so the size stays). Queries/s: that many clients sending \`search-similar\` back
to back for ${report.throughputSeconds} s, each with its own key.${
    report.backend === 'postgres'
      ? `
Search is exact: every vector of the tenant is scanned on the server's JavaScript thread (cache budget
${report.vectorCacheMb} MiB per process), so queries/s stop growing once that thread is busy.`
      : ''
  } CPU speed index before each size's timed runs
(bench/cpu.ts, lower is faster): ${report.sizes.map((s) => `${int(s.estimates)}: ${s.speedIndexMs} ms`).join(', ')}.

${report.qdrantNote}

${machineLine(report.machine)}
${versionsLine(report.versions)}.
`;
}
