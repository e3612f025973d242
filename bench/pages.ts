/**
 * Server render time of the portal pages under load: `users` concurrent clients, each on its own keep-alive
 * connection, request the pages one after another (each client starting at a different page) for a fixed time, as
 * an owner signed in on the tenant's host. Time to first byte is from sending the request to the response's
 * headers; the pages have no loading.tsx or Suspense fallback, so Next sends nothing before the whole page is
 * rendered and TTFB is the render time. The complete column is the last byte.
 */
import { Agent, request } from 'node:http';
import { percentile } from './http';
import type { TMachine } from './report';

export const PAGES_SECTION_TITLE = '## Portal pages (50 concurrent users)';

export interface TPage {
  label: string;
  path: string;
}

export interface TPageTiming extends TPage {
  requests: number;
  requestsPerSecond: number;
  ttfbP50Ms: number;
  ttfbP95Ms: number;
  ttfbP99Ms: number;
  completeP95Ms: number;
  /** Size of the last answer. */
  bodyBytes: number;
  /** Answers other than 200 (a redirect to the sign-in page included) and socket errors. */
  failures: number;
  failureStatuses: Record<string, number>;
}

export interface TPagesLoad {
  users: number;
  /** Each user's pause between a page's last byte and its next request, drawn uniformly; null: none (back to back). */
  thinkMs: { min: number; max: number } | null;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  pages: TPageTiming[];
  otherCores: number | null;
}

interface TTimedAnswer {
  status: number;
  ttfbMs: number;
  completeMs: number;
  bodyBytes: number;
}

function timedGet(url: string, headers: Record<string, string>, agent: Agent): Promise<TTimedAnswer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(url, { agent, headers }, (res) => {
      const ttfbMs = performance.now() - started;
      let bodyBytes = 0;
      res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfbMs, completeMs: performance.now() - started, bodyBytes }));
      res.on('error', () => resolve({ status: 0, ttfbMs, completeMs: performance.now() - started, bodyBytes }));
    });
    // Status 0: the socket failed; counted as a failure like any answer but 200.
    req.on('error', () => resolve({ status: 0, ttfbMs: performance.now() - started, completeMs: performance.now() - started, bodyBytes: 0 }));
    req.end();
  });
}

/** The load: `users` clients for `seconds`, every answer timed; requests still in flight at the end finish and count. */
export async function loadPages(opts: {
  origin: string;
  host: string;
  cookie: string;
  pages: TPage[];
  users: number;
  seconds: number;
  thinkMs?: { min: number; max: number } | null;
  measureOtherCores?: () => () => number | null;
}): Promise<TPagesLoad> {
  const thinkMs = opts.thinkMs ?? null;
  const agent = new Agent({ keepAlive: true, maxSockets: opts.users });
  const headers = { host: opts.host, cookie: opts.cookie };
  const answers = opts.pages.map(() => [] as TTimedAnswer[]);
  const stopCpu = opts.measureOtherCores?.();
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: opts.users }, async (_, user) => {
        // Users who read between pages arrive independently too: each starts within one pause, not all in the same
        // millisecond (a burst of every user at once no portal sees, which only its first requests would wait behind).
        if (thinkMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * thinkMs.max));
        for (let turn = user; performance.now() < deadline; turn++) {
          const page = turn % opts.pages.length;
          answers[page].push(await timedGet(`${opts.origin}${opts.pages[page].path}`, headers, agent));
          if (thinkMs) {
            const pauseMs = Math.min(thinkMs.min + Math.random() * (thinkMs.max - thinkMs.min), deadline - performance.now());
            if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const otherCores = stopCpu?.() ?? null;
  const pages = opts.pages.map((page, i): TPageTiming => {
    const mine = answers[i];
    const ttfb = mine.map((a) => a.ttfbMs).sort((a, b) => a - b);
    const complete = mine.map((a) => a.completeMs).sort((a, b) => a - b);
    const failureStatuses: Record<string, number> = {};
    for (const a of mine) if (a.status !== 200) failureStatuses[a.status] = (failureStatuses[a.status] ?? 0) + 1;
    return {
      ...page,
      requests: mine.length,
      requestsPerSecond: mine.length / seconds,
      ttfbP50Ms: percentile(ttfb, 50),
      ttfbP95Ms: percentile(ttfb, 95),
      ttfbP99Ms: percentile(ttfb, 99),
      completeP95Ms: percentile(complete, 95),
      bodyBytes: mine.at(-1)?.bodyBytes ?? 0,
      failures: Object.values(failureStatuses).reduce((a, b) => a + b, 0),
      failureStatuses,
    };
  });
  const requests = pages.reduce((sum, p) => sum + p.requests, 0);
  return { users: opts.users, thinkMs, seconds, requests, requestsPerSecond: requests / seconds, pages, otherCores };
}

export function pagesVerdict(page: TPageTiming, targetP95Ms: number): string {
  return page.failures === 0 && page.ttfbP95Ms < targetP95Ms ? 'pass' : 'FAIL';
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** The load's table; with `targetP95Ms` null (a capacity run) there is no verdict column. */
export function pagesTable(load: TPagesLoad, targetP95Ms: number | null): string {
  const failureList = (statuses: Record<string, number>) =>
    Object.entries(statuses)
      .map(([status, count]) => `${status === '0' ? 'socket error' : status}×${count}`)
      .join(' ');
  const verdict = (p: TPageTiming) => (targetP95Ms === null ? '' : ` **${pagesVerdict(p, targetP95Ms)}** |`);
  return [
    `| page | requests | requests/s | TTFB p50 ms | TTFB p95 ms | TTFB p99 ms | complete p95 ms | answer bytes | failures |${targetP95Ms === null ? '' : ` TTFB p95 < ${targetP95Ms} ms |`}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${targetP95Ms === null ? '' : ' --- |'}`,
    ...load.pages.map(
      (p) =>
        `| ${p.label} | ${int(p.requests)} | ${p.requestsPerSecond.toFixed(1)} | ${p.ttfbP50Ms.toFixed(1)} | **${p.ttfbP95Ms.toFixed(1)}** | ${p.ttfbP99Ms.toFixed(1)} | ` +
        `${p.completeP95Ms.toFixed(1)} | ${int(p.bodyBytes)} | ${p.failures ? `${p.failures} (${failureList(p.failureStatuses)})` : 0} |${verdict(p)}`,
    ),
    `| **all pages** | ${int(load.requests)} | **${load.requestsPerSecond.toFixed(1)}** | | | | | | |${targetP95Ms === null ? '' : ' |'}`,
  ].join('\n');
}

export interface TPagesReport {
  date: Date;
  machine: TMachine;
  command: string;
  code: string;
  versions: Record<string, string>;
  load: TPagesLoad;
  /** The same users back to back (no pause): what one process serves at most, and what waiting in line costs. */
  capacity: TPagesLoad | null;
  targetP95Ms: number;
  /** The tenant, and where its history came from. */
  tenantSlug: string;
  usageEvents: number;
  isUsageStatsTenant: boolean;
  auditRows: number;
  estimates: number;
  /** CPU milliseconds per page of the server and of PostgreSQL during the load (null off Linux). */
  serverCpuMsPerPage: number | null;
  postgresCpuMsPerPage: number | null;
  server: string;
}

export function renderPagesSection(report: TPagesReport, parts: { machineLine: string; versionsLine: string; disturbed: string }): string {
  const { load } = report;
  const cpu =
    report.serverCpuMsPerPage === null
      ? ''
      : ` CPU per page: server ${report.serverCpuMsPerPage.toFixed(1)} ms, PostgreSQL ${report.postgresCpuMsPerPage?.toFixed(1) ?? 'n/a'} ms.`;
  const think = load.thinkMs ? `${(load.thinkMs.min / 1000).toFixed(1)}–${(load.thinkMs.max / 1000).toFixed(1)} s` : 'no pause';
  const capacity = report.capacity
    ? `

The same ${report.capacity.users} users back to back, without a pause between pages, for ${report.capacity.seconds.toFixed(1)} s: what one server
process serves at most; the latencies are then mostly the wait in line (no target).

${pagesTable(report.capacity, null)}
`
    : '';
  return `${PAGES_SECTION_TITLE}

Server render time of the portal pages for a signed-in owner while ${load.users} users use the portal at once, each
reading a page for ${think} (uniformly drawn) before opening the next, each starting at a random moment within
the longest pause (target: TTFB p95 < ${report.targetP95Ms} ms per page).${load.users === 50 ? '' : `\n\n> This run had ${load.users} users (\`BENCH_PAGES_USERS\`), not 50.`}

Command: \`${report.command}\` — ${report.date.toISOString().replace(/\.\d+Z$/, 'Z')}, code at ${report.code}

${pagesTable(load, report.targetP95Ms)}
${parts.disturbed}
${load.users} clients, each on its own keep-alive connection, request the five pages in turn (each starting at a different
page) for ${load.seconds.toFixed(1)} s, with \`Host: ${report.tenantSlug}.localhost\` and the session cookie of an owner signed in through
next-auth's credentials flow (one session for all). Each figure is the HTML document only, not the browser's later
requests. TTFB is from sending the request to the response's headers: the pages have no loading state, so Next sends
the headers only once the whole page is rendered; "complete" is the last byte.${cpu}${capacity}

The tenant \`${report.tenantSlug}\` has ${int(report.usageEvents)} usage events${
    report.isUsageStatsTenant ? " (the usage-stats part's largest tenant, same database)" : ' (generated for this part: `BENCH_PAGES_EVENTS`)'
  }, ${int(report.auditRows)} audit rows (set-based, as in the audit part) and ${int(report.estimates)} cost estimates
(imported through the API). The server is ${report.server}.

${parts.machineLine}
${parts.versionsLine}.
`;
}
