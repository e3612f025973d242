import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { users } from '@/db/schema/auth';
import { invoices, plans } from '@/db/schema/billing';
import { archivalRuns, files } from '@/db/schema/files';
import { ensureBuckets } from '@/lib/storage';
import { createTenant, withPlatform } from '@/lib/tenancy';
import { createAgedFile } from './support/archival';
import { ensureBuild, logRecords, startRedis, startWeb, startWorker, type TAppProcess, type TWebProcess } from './support/app-processes';
import { createBackdatedTenant } from './support/billing';
import { keyFor } from './support/files';
import { sessionCookie } from './support/http';
import { addMember, uniqueEmail } from './support/state';

/**
 * Several processes on one database, as a deployment runs them (the packaged build's server.mjs and worker.mjs):
 * web A (also runs jobs), web B (RUN_JOBS=false), a worker, and Redis for the shared rate limits. Each check
 * crosses processes: what one process did, another must see.
 */
const PASSWORD = 'multi-process-password';
const STARTER_REQUESTS_PER_MINUTE = 20;

let redis: Awaited<ReturnType<typeof startRedis>>;
let webA: TWebProcess;
let webB: TWebProcess;
let worker: TAppProcess;
const extraProcesses: TAppProcess[] = [];
let browser: Browser | undefined;

let limited: { id: string; slug: string; apiKey: string; ownerEmail: string };
let planned: { id: string; apiKey: string };
let billed: { id: string };
let operatorCookie: string;
let billedMonths: string[];

const monthOf = (date: Date) => date.toISOString().slice(0, 7);
const monthsBack = (count: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - count, 1));
};

async function tenantWithKey(plan: 'starter' | 'professional', ownerPassword?: string) {
  const slug = `mp-${randomBytes(4).toString('hex')}`;
  const { id } = await withPlatform((tx) => createTenant(tx, { name: `Multi ${slug}`, slug, plan }));
  const owner = await addMember(id, 'owner', ownerPassword ? { email: uniqueEmail('owner'), password: ownerPassword } : {});
  const apiKey = await keyFor({ id, members: { owner } as never }, ['tenant:read']);
  return { id, slug, apiKey, ownerEmail: owner.email };
}

const callTenant = (web: TWebProcess, apiKey: string) =>
  fetch(`${web.baseUrl}/api/v1/tenant`, { headers: { authorization: `Bearer ${apiKey}` } });

async function eventually<T>(what: string, read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await ensureBuild();
  await ensureBuckets();
  redis = await startRedis();

  await ownerDb().update(plans).set({ requestsPerMinute: STARTER_REQUESTS_PER_MINUTE }).where(eq(plans.id, 'starter'));
  limited = await tenantWithKey('starter', PASSWORD);
  planned = await tenantWithKey('professional');
  // A tenant since the 1st of the month before last: with no process running, its two last months were never invoiced.
  billed = await createBackdatedTenant('starter', monthsBack(2), 'mp-billed');
  billedMonths = [monthOf(monthsBack(2)), monthOf(monthsBack(1))];
  const [operator] = await ownerDb()
    .insert(users)
    .values({ email: uniqueEmail('operator'), name: 'Operator', isPlatformAdmin: true, emailVerifiedAt: new Date() })
    .returning();
  operatorCookie = await sessionCookie({ ...operator, isPlatformAdmin: true });

  const shared = { REDIS_URL: redis.url, ARCHIVAL_CONCURRENCY: '1' };
  [webA, webB, worker] = await Promise.all([
    startWeb('web A', shared),
    startWeb('web B', { ...shared, RUN_JOBS: 'false' }),
    startWorker('worker', shared),
  ]);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([webA, webB, worker, ...extraProcesses].filter(Boolean).map((p) => p.stop()));
  await redis?.stop();
}, 60_000);

describe('several processes on one database and one Redis', () => {
  it("refuses the request over a key's per-minute limit whichever process serves it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < STARTER_REQUESTS_PER_MINUTE; i += 1) {
      const response = await callTenant(i % 2 === 0 ? webA : webB, limited.apiKey);
      statuses.push(response.status);
      expect(response.headers.get('ratelimit-remaining')).toBe(String(STARTER_REQUESTS_PER_MINUTE - 1 - i));
    }
    expect(statuses.every((status) => status === 200)).toBe(true);

    const overOnB = await callTenant(webB, limited.apiKey);
    const overOnA = await callTenant(webA, limited.apiKey);
    expect([overOnB.status, overOnA.status]).toEqual([429, 429]);
    expect((await overOnA.json()).error.code).toBe('rate_limited');
    expect(Number(overOnB.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('applies a plan change made through process A on process B within 1 s', async () => {
    const before = await callTenant(webB, planned.apiKey);
    expect(before.headers.get('ratelimit-limit')).toBe('3000');

    const patch = await fetch(`${webA.baseUrl}/api/v1/admin/plans/professional`, {
      method: 'PATCH',
      headers: { host: `localhost:${webA.port}`, origin: `http://localhost:${webA.port}`, cookie: operatorCookie, 'content-type': 'application/json' },
      body: JSON.stringify({ requestsPerMinute: 2_999 }),
    });
    expect(patch.status).toBe(200);
    const changedAtMs = Date.now();

    await eventually(
      'process B applies the new limit',
      async () => (await callTenant(webB, planned.apiKey)).headers.get('ratelimit-limit'),
      (limit) => limit === '2999',
      1_000,
    );
    console.info(`plan change on A seen by B after ${Date.now() - changedAtMs} ms`);
  });

  it('keeps a session signed in on A, and a server action posted to B works with it', async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    await page.goto(`http://${limited.slug}.localhost:${webA.port}/sign-in`);
    await page.getByLabel('Email').fill(limited.ownerEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://${limited.slug}.localhost:${webA.port}/`);

    await page.goto(`http://${limited.slug}.localhost:${webB.port}/api-keys`);
    await page.getByLabel('Name', { exact: true }).fill('Made on B');
    await page.getByLabel('tenant:read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByLabel('API key secret').inputValue();
    expect(secret).toMatch(/^sw_[a-z0-9]{12}_/);

    // A fresh key has a minute of its own, on either process.
    expect((await callTenant(webA, secret)).status).toBe(200);
  }, 60_000);

  it('runs each missed invoice period once across the processes that run jobs', async () => {
    const issued = await eventually(
      'the missed months are invoiced',
      () => ownerDb().select({ periodStart: invoices.periodStart }).from(invoices).where(eq(invoices.tenantId, billed.id)),
      (rows) => rows.length >= 2,
      60_000,
    );
    expect(issued.map((row) => String(row.periodStart).slice(0, 7)).sort()).toEqual(billedMonths);

    const completed = [webA, webB, worker].flatMap((process) =>
      logRecords(process)
        .filter((record) => record.msg === 'scheduled period completed' && record.job === 'invoice-run')
        .map((record) => `${process.name}:${String(record.period)}`),
    );
    const periods = completed.map((entry) => entry.split(':')[1]).sort();
    expect(periods).toEqual(billedMonths);
    expect(completed.some((entry) => entry.startsWith('web B'))).toBe(false);
  }, 90_000);

  it('hands a job whose process was killed mid-run to the next worker, which finishes it', async () => {
    const fileIds: string[] = [];
    for (let batch = 0; batch < 12; batch += 1) {
      const created = await Promise.all(Array.from({ length: 10 }, () => createAgedFile(limited.id, { ageDays: 400, sizeBytes: 2048 })));
      fileIds.push(...created.map((file) => file.id));
    }

    const requested = await fetch(`${webB.baseUrl}/api/v1/admin/archival/run`, {
      method: 'POST',
      headers: { host: `localhost:${webB.port}`, origin: `http://localhost:${webB.port}`, cookie: operatorCookie },
    });
    expect(requested.status).toBe(202);
    const runId = (await requested.json()).run.id as string;

    // The process holding the job's liveness lock is the one running it (web A or the worker).
    const holder = await eventually(
      'a process runs the archival job and has archived a few files',
      async () => {
        const [row] = await ownerDb().execute<{ application_name: string; archived: number }>(sql`
          select a.application_name, r.files_archived as archived from pg_locks l
          join pg_stat_activity a on a.pid = l.pid
          join archival_runs r on r.id = ${runId}
          where l.locktype = 'advisory' and l.classid = ${0x6a6f6273}::int::oid and l.granted
            and a.application_name like 'sitework-liveness:%' and a.datname = current_database()`);
        return row ?? null;
      },
      (row) => row !== null && row.archived >= 3,
      30_000,
    );
    const killedAtMs = Date.now();
    process.kill(Number(holder!.application_name.split(':')[1]), 'SIGKILL');

    extraProcesses.push(await startWorker('worker 2', { ARCHIVAL_CONCURRENCY: '1' }));

    const run = await eventually(
      'the run is finished by another process',
      async () => (await ownerDb().select().from(archivalRuns).where(eq(archivalRuns.id, runId)))[0],
      (row) => row?.status === 'succeeded',
      90_000,
    );
    console.info(`archival run killed mid-way finished by another process ${Date.now() - killedAtMs} ms after the kill`);
    expect(run.filesArchived).toBeGreaterThanOrEqual(fileIds.length - holder!.archived);
    const left = await ownerDb()
      .select({ id: files.id })
      .from(files)
      .where(and(inArray(files.id, fileIds), sql`${files.storageTier} <> 'archived'`));
    expect(left).toEqual([]);
    // pg-boss records the job complete a moment after the run's row says so.
    await eventually(
      'no archival job is left active',
      async () => (await ownerDb().execute<{ count: number }>(sql`select count(*)::int as count from pgboss.job
        where state = 'active' and name = 'archival-run'`))[0].count,
      (count) => count === 0,
      5_000,
    );
  }, 180_000);
});
