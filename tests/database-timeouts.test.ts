import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * PostgreSQL itself bounds how long a statement may hold a pooled connection: each pool's sessions carry a
 * statement_timeout, the request pool's shorter than the platform pool's (which runs the jobs). Small values
 * here so the limits show within a test.
 */
Object.assign(process.env, {
  DATABASE_STATEMENT_TIMEOUT_MS: '1000',
  DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS: '2000',
});

const { ownerDb } = await import('@/db/client');
const { seedDemoData } = await import('@/db/seed');
const { recordAudit, SYSTEM_ACTOR } = await import('@/lib/audit');
const { admitPasswordAttempt } = await import('@/lib/auth/password-attempts');
const { withPlatform, withTenant } = await import('@/lib/tenancy');
const { callRoute, createKey, demoUsers, expectError, hostOf } = await import('./support/http');
const filesRoute = await import('../app/api/v1/files/route');
const verifyRoute = await import('../app/api/v1/audit/verify/route');

// Outside the pools under test: it holds the locks the pools' statements wait behind.
const observer = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
let acmeId: string;

beforeAll(async () => {
  await seedDemoData();
  acmeId = (await demoUsers()).acme.id;
});

afterAll(() => observer.end());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` while another session holds an exclusive lock on `table`, so every statement on it waits. */
async function whileLocked<T>(table: string, fn: () => Promise<T>): Promise<T> {
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = observer.begin(async (tx) => {
    await tx.unsafe(`lock table ${table} in access exclusive mode`);
    locked();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await isLocked;
  try {
    return await fn();
  } finally {
    release();
    await holder;
  }
}

/** What `promise` settles to, or 'still waiting' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  ), sleep(ms).then(() => 'still waiting' as const)]);

describe('database session limits', () => {
  it('sets statement_timeout on the request pool and the platform pool, each its own', async () => {
    const statementTimeoutOf = async (run: typeof withPlatform) => {
      const [row] = await run((tx) => tx.execute<{ statement_timeout: string }>(sql`show statement_timeout`));
      return row.statement_timeout;
    };
    expect(await statementTimeoutOf((fn) => withTenant(acmeId, fn))).toBe('1s');
    expect(await statementTimeoutOf(withPlatform)).toBe('2s');
    expect(await ownerDb().execute(sql`show statement_timeout`)).toEqual([{ statement_timeout: '2s' }]);
  });

  it('cancels a request statement after DATABASE_STATEMENT_TIMEOUT_MS, while the platform pool allows a longer one', async () => {
    await expect(withTenant(acmeId, (tx) => tx.execute(sql`select pg_sleep(1.5)`))).rejects.toMatchObject({
      cause: { code: '57014', message: expect.stringMatching(/statement timeout/) },
    });
    await expect(withPlatform((tx) => tx.execute(sql`select pg_sleep(1.5)`))).resolves.toBeDefined();
  });

  it('answers 503 when a request waits on the database longer than the statement timeout', async () => {
    const apiKey = await createKey('acme', 'owner', ['files:read']);
    const outcome = await whileLocked('files', () => within(callRoute(filesRoute.GET, { path: '/api/v1/files', host: hostOf('acme'), apiKey }), 3_000));
    if (outcome === 'still waiting' || !('value' in outcome)) throw new Error(`the request did not end with an answer: ${JSON.stringify(outcome)}`);
    expectError(outcome.value, 503, 'unavailable', /database did not answer in time/);
  });

  it('lets an audit chain verification run as long as the platform limit allows, not the request limit', async () => {
    const apiKey = await createKey('acme', 'owner', ['audit:read']);
    await withTenant(acmeId, (tx) => recordAudit(tx, { tenantId: acmeId, type: 'data_modify', action: 'test.event', actor: SYSTEM_ACTOR('Test') }));
    // The chain is held for 1.5 s: longer than a request statement may take, shorter than a platform one.
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = observer.begin(async (tx) => {
      await tx.unsafe('lock table audit_logs in access exclusive mode');
      locked();
      await sleep(1_500);
    });
    await isLocked;
    const result = await callRoute(verifyRoute.GET, { path: '/api/v1/audit/verify', host: hostOf('acme'), apiKey });
    await holder;
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({ ok: true, checked: 1 });
  });

  it("gives up a sign-in's password-attempt check stuck behind a lock after the platform pool's statement timeout", async () => {
    const outcome = await whileLocked('rate_limits', () => within(admitPasswordAttempt('stuck@example.test', '203.0.113.9'), 4_000));
    expect(outcome).toMatchObject({ error: { cause: { code: '57014' } } });
  });
});
