import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeDb } from '@/db/client';
import { verifyPassword } from '@/lib/auth';
import { checkBuckets } from '@/lib/storage';
import { createTenant, withPlatform } from '@/lib/tenancy';
import { packagedBuildDirOf } from '../scripts/packaged-build';
import { E2E_DIST_DIR, ensureBuild, freePort, runToEnd, track, waitFor, type TAppProcess } from './support/app-processes';
import { keyFor } from './support/files';
import { TEST_NEXTAUTH_SECRET } from './support/secrets';
import { addMember } from './support/state';

/**
 * The packaged build (`npm run build`; `npm test` makes the .next-e2e one) run as a deployment runs it: copied out
 * of the checkout, `node migrate.mjs` on a fresh database, then `node server.mjs`, `node worker.mjs` and
 * `node create-operator.mjs` on it, with nothing but the real servers' variables. One web process for the file.
 */
const packagedDir = packagedBuildDirOf(E2E_DIST_DIR);
const database = `standalone_${randomBytes(6).toString('hex')}`;
const adminUrl = inject('adminDatabaseUrl');
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
const buckets = { S3_BUCKET: `files-${database.replace(/_/g, '-')}`, S3_ARCHIVE_BUCKET: `archive-${database.replace(/_/g, '-')}` };
// The tenant and key helpers of this file work on the database migrate.mjs creates, not on the per-file clone
// (configuration is read at first use, after this line).
Object.assign(process.env, { DATABASE_URL: databaseUrl, ...buckets });

let copyDir: string;
let web: TAppProcess & { port: number; origin: string };
let apiKey: string;
let tenantId: string;

/** The variables of a real deployment, and nothing from this process (no checkout path, no NODE_OPTIONS). */
function deploymentEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    // The app role's password is cluster-wide: the same secret as every other test database uses.
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    S3_ENDPOINT: inject('s3Endpoint'),
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    ...buckets,
    APP_DOMAIN: 'localhost',
    AUTH_TRUST_HOST: 'true',
    NEXT_TELEMETRY_DISABLED: '1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Runs one entry point of the copy to its end. */
const runEntry = (entry: string, args: string[], env: NodeJS.ProcessEnv, stdin = '') =>
  runToEnd(process.execPath, [entry, ...args], { cwd: copyDir, env }, stdin);

const appliedMigrations = () => db<{ hash: string; created_at: string }[]>`select hash, created_at::text from drizzle.__drizzle_migrations order by id`;
const callTenant = (path: string) => fetch(`${web.origin}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
const usageRoutesOf = async (tenant: string) =>
  (await db<{ route: string }[]>`select route from usage_events where tenant_id = ${tenant} and event_type = 'api_call' order by occurred_at`).map((row) => row.route);

/** True when nothing accepts a new TCP connection on the port. */
function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

beforeAll(async () => {
  await ensureBuild();
  copyDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'sitework-packaged-')), 'app');
  cpSync(packagedDir, copyDir, { recursive: true, verbatimSymlinks: true });
  await admin.unsafe(`create database ${database}`);
}, 600_000);

afterAll(async () => {
  await web?.stop('SIGKILL');
  await closeDb();
  await db.end();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
  if (copyDir) rmSync(path.dirname(copyDir), { recursive: true, force: true });
}, 60_000);

describe('the packaged build, copied out of the checkout', () => {
  it('migrates a fresh database and creates the S3 buckets with migrate.mjs, and a second run changes nothing', async () => {
    const first = await runEntry('migrate.mjs', [], deploymentEnv());
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('migrations applied');
    const journal = JSON.parse(readFileSync('db/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
    const applied = await appliedMigrations();
    expect(applied).toHaveLength(journal.entries.length);
    await expect(checkBuckets()).resolves.toBeUndefined();

    const second = await runEntry('migrate.mjs', [], deploymentEnv());
    expect(second.code).toBe(0);
    expect(await appliedMigrations()).toEqual(applied);
  });

  it('serves /api/health/ready with 200 from server.mjs', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['server.mjs'], {
      cwd: copyDir,
      env: deploymentEnv({ PORT: String(port), APP_URL: `http://localhost:${port}`, NEXTAUTH_URL: `http://localhost:${port}`, SITEWORK_TEST_ROUTES: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    web = { ...track('server.mjs', child), port, origin: `http://127.0.0.1:${port}` };
    await waitFor('/api/health/ready answers 200', web, () => fetch(`${web.origin}/api/health/ready`).then((r) => r.status === 200, () => false), 60_000);
    console.info(`server.mjs: start to ready in ${Date.now() - startedAt} ms`);
  });

  it('answers an API call made with a real API key', async () => {
    const slug = `packaged-${randomBytes(4).toString('hex')}`;
    ({ id: tenantId } = await withPlatform((tx) => createTenant(tx, { name: 'Packaged Build', slug, plan: 'professional' })));
    const owner = await addMember(tenantId, 'owner');
    apiKey = await keyFor({ id: tenantId, members: { owner } as never }, ['tenant:read']);

    const response = await callTenant('/api/v1/tenant');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ tenant: { id: tenantId, slug } });
    // The access log line of that call, written asynchronously, carries trace ids even with no exporter set.
    const requestId = response.headers.get('x-request-id');
    await waitFor('the access log line', web, () => web.lines.some((line) => line.includes(`"requestId":"${requestId}"`)), 5_000);
    const logged = JSON.parse(web.lines.find((line) => line.includes(`"requestId":"${requestId}"`))!);
    expect(logged).toMatchObject({ msg: 'request', status: 200, route: '/api/v1/tenant', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(logged.traceId).not.toBe('0'.repeat(32));
  });

  it('creates the first platform operator with create-operator.mjs, the password read from stdin', async () => {
    const created = await runEntry('create-operator.mjs', ['--email', 'ops@packaged.test'], deploymentEnv(), 'packaged-operator-secret\n');
    expect(created).toMatchObject({ code: 0, stdout: 'created platform operator ops@packaged.test\n' });
    const [operator] = await db<{ is_platform_admin: boolean; password_hash: string }[]>`select is_platform_admin, password_hash from users where email = 'ops@packaged.test'`;
    expect(operator.is_platform_admin).toBe(true);
    expect(await verifyPassword(operator.password_hash, 'packaged-operator-secret')).toBe(true);
  });

  it('starts the job queue with worker.mjs and exits 0 on SIGTERM', async () => {
    const worker = track('worker.mjs', spawn(process.execPath, ['worker.mjs'], { cwd: copyDir, env: deploymentEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
    await waitFor('the worker says it started', worker, () => worker.lines.some((line) => line.includes('sitework worker started')), 60_000);
    expect(await worker.stop('SIGTERM')).toBe(0);
  });

  it.each(['server.mjs', 'worker.mjs', 'migrate.mjs', 'create-operator.mjs'])('%s without DATABASE_URL stops with one sentence naming it, no stack trace', async (entry) => {
    const { DATABASE_URL: _unset, ...env } = deploymentEnv();
    const result = await runEntry(entry, ['--email', 'ops@packaged.test'], env);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL is not set: /);
  });

  it('on SIGTERM answers the request in flight, refuses new connections, writes the metered calls and exits 0', async () => {
    expect((await callTenant('/api/v1/tenant')).status).toBe(200);
    const slow = callTenant('/api/test/slow?ms=1500');
    await waitFor('the slow request is in its handler', web, () => web.lines.some((line) => line.includes('slow test request started')), 10_000);

    web.child.kill('SIGTERM');
    await waitFor('the server stops listening', web, () => web.lines.some((line) => line.includes('SIGTERM: stopping')), 5_000);
    expect(await isRefused(web.port)).toBe(true);

    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ waitedMs: 1500 });
    const answeredAt = Date.now();
    expect(await web.exited).toBe(0);
    // Promptly: the answered connection (keep-alive) closes instead of holding the process until the hard stop.
    expect(Date.now() - answeredAt).toBeLessThan(3_000);
    // The slow call was metered after the signal, into a buffer flushed every second: only the stop wrote it in time.
    expect(await usageRoutesOf(tenantId)).toEqual(['/api/v1/tenant', '/api/v1/tenant', '/api/test/slow']);
  });
});
