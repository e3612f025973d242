import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { errorEvents, errorGroups, errorHourly } from '@/db/schema/errors';
import { seedDemoData } from '@/db/seed';
import { defineEndpoint, route } from '@/lib/api';
import {
  bufferedErrorCount,
  captureError,
  detectSpikes,
  fingerprintError,
  flushErrors,
  getErrorAnalysis,
  getErrorStats,
  normalizeMessage,
  RECOMMENDATION_RULES,
  type TErrorCapture,
} from '@/lib/errors';
import { job } from '@/lib/jobs';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import { recordUsageEvents } from '@/lib/usage';
import * as clientRoute from '../app/api/v1/errors/client/route';
import * as groupRoute from '../app/api/v1/errors/groups/[id]/route';
import * as groupsRoute from '../app/api/v1/errors/groups/route';
import { callRoute, demoUsers, expectError, hostOf, type TCallOptions, type TDemo } from './support/http';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const ROOT = '/srv/sitework';
/** A marker that survives normalisation (no digits: hex runs and numbers become placeholders). */
const letters = () => Array.from({ length: 10 }, () => String.fromCharCode(103 + Math.floor(Math.random() * 20))).join('');
const HOUR_MS = 3_600_000;

/** A V8 stack as Node prints it, frames given as [function, file, line]. */
const v8Stack = (head: string, frames: [string, string, number][]) =>
  [head, ...frames.map(([fn, file, line]) => `    at ${fn} (${file}:${line}:${(line * 7) % 40})`)].join('\n');

const NODE_FRAMES: [string, string, number][] = [
  ['process.processTicksAndRejections', 'node:internal/process/task_queues', 95],
  ['Object.query', `${ROOT}/node_modules/postgres/src/connection.js`, 790],
];

describe('grouping (fingerprints)', () => {
  const orderFrames = (line: number): [string, string, number][] => [
    ['loadOrder', `${ROOT}/lib/orders/repo.ts`, line],
    ['async GET', `${ROOT}/app/api/v1/orders/[id]/route.ts`, 12],
    ...NODE_FRAMES,
  ];

  it('puts the same bug hit with other ids, numbers, emails, addresses and quoted values in one group', () => {
    const a = fingerprintError(
      {
        type: 'NotFoundError',
        message: `Order 1234 (3f2b8c1e-4a5d-4e6f-8a9b-0c1d2e3f4a5b) of ann@acme.test not found at https://acme.sitework.io/o/1234 from 10.0.0.7 and fe80::1, key 'alpha' hash deadbeef42`,
        stack: v8Stack('NotFoundError: ...', orderFrames(40)),
      },
      ROOT,
    );
    const b = fingerprintError(
      {
        type: 'NotFoundError',
        message: `Order 98 (0a1b2c3d-1111-4222-8333-444455556666) of bob@globex.test not found at https://globex.sitework.io/o/98 from 192.168.1.20 and 2001:db8::8a2e:370:7334, key "beta" hash 0123abcdef99`,
        stack: v8Stack('NotFoundError: ...', orderFrames(40)),
      },
      ROOT,
    );
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.title).toBe('NotFoundError: Order <num> (<uuid>) of <email> not found at <url> from <ip> and <ip>, key <str> hash <hex>');
    expect(a.culprit).toBe('loadOrder (repo.ts)');
  });

  it('keeps the group when code moves (line and column numbers are left out)', () => {
    const before = fingerprintError({ type: 'Error', message: 'boom 1', stack: v8Stack('Error: boom 1', orderFrames(40)) }, ROOT);
    const after = fingerprintError({ type: 'Error', message: 'boom 2', stack: v8Stack('Error: boom 2', orderFrames(57)) }, ROOT);
    expect(after.fingerprint).toBe(before.fingerprint);
  });

  it('makes another group for the same message thrown from another call site, or of another type', () => {
    const here = fingerprintError({ type: 'Error', message: 'boom', stack: v8Stack('Error: boom', orderFrames(40)) }, ROOT);
    const elsewhere = fingerprintError(
      {
        type: 'Error',
        message: 'boom',
        stack: v8Stack('Error: boom', [['saveInvoice', `${ROOT}/lib/billing/invoices.ts`, 40], ...NODE_FRAMES]),
      },
      ROOT,
    );
    const otherType = fingerprintError({ type: 'TypeError', message: 'boom', stack: v8Stack('TypeError: boom', orderFrames(40)) }, ROOT);
    expect(new Set([here.fingerprint, elsewhere.fingerprint, otherType.fingerprint]).size).toBe(3);
    expect(elsewhere.culprit).toBe('saveInvoice (invoices.ts)');
  });

  it('ignores library and runtime frames: only the application’s frames decide', () => {
    const viaOtherLibraryPath = fingerprintError(
      {
        type: 'Error',
        message: 'boom',
        stack: v8Stack('Error: boom', [
          ['Object.query', `${ROOT}/node_modules/postgres/src/query.js`, 10],
          ...orderFrames(40),
        ]),
      },
      ROOT,
    );
    const plain = fingerprintError({ type: 'Error', message: 'boom', stack: v8Stack('Error: boom', orderFrames(40)) }, ROOT);
    expect(viaOtherLibraryPath.fingerprint).toBe(plain.fingerprint);
    // The culprit is the top in-app frame, not the library's.
    expect(viaOtherLibraryPath.culprit).toBe('loadOrder (repo.ts)');
  });

  it('groups browser stacks across releases (bundle hashes and positions left out)', () => {
    const gecko = (hash: string, column: number) =>
      `renderRow@https://acme.sitework.io/_next/static/chunks/app/files/page-${hash}.js:1:${column}\n` +
      `commitRoot@https://acme.sitework.io/_next/static/chunks/framework-${hash}.js:1:999`;
    const first = fingerprintError({ type: 'TypeError', message: 'x is undefined', stack: gecko('3f2a9c1d8e7b6a5f', 120) }, null);
    const second = fingerprintError({ type: 'TypeError', message: 'x is undefined', stack: gecko('0b1c2d3e4f5a6b7c', 450) }, null);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(first.culprit).toBe('renderRow (page-<hash>.js)');
  });

  it('normalises values but leaves identifiers with digits alone', () => {
    expect(normalizeMessage('sha256 mismatch after 5000ms on v1 (E11000) at 12:30:45')).toBe('sha256 mismatch after <num>ms on v1 (E11000) at <num>:<num>:<num>');
    expect(normalizeMessage("can't read 'id'  of\nundefined")).toBe("can't read <str> of undefined");
  });
});

// ---------------------------------------------------------------------------------------------------------

const groupOf = async (tenantId: string | null, title: string) =>
  (
    await ownerDb()
      .select()
      .from(errorGroups)
      .where(and(tenantId ? eq(errorGroups.tenantId, tenantId) : isNull(errorGroups.tenantId), eq(errorGroups.title, title)))
  )[0];

/** An error thrown here: the same call site every time, the message's value varying. */
function thrownHere(message: string): Error {
  return new Error(message);
}

describe('capture and regressions', () => {
  it('writes nothing on capture and everything on flush: group, events and hourly counts', async () => {
    const marker = letters();
    const before = bufferedErrorCount();
    for (const n of [1, 22, 333]) {
      captureError({ source: 'server', error: thrownHere(`ledger ${marker} failed for order ${n}`), tenantId: demo.acme.id, userKey: `user:${n % 2}` });
    }
    expect(bufferedErrorCount()).toBe(before + 3);
    expect(await groupOf(demo.acme.id, `Error: ledger ${marker} failed for order <num>`)).toBeUndefined();

    expect(await flushErrors()).toMatchObject({ kept: 0, dropped: 0 });
    expect(bufferedErrorCount()).toBe(0);
    const group = await groupOf(demo.acme.id, `Error: ledger ${marker} failed for order <num>`);
    expect(group).toMatchObject({ eventCount: 3, usersAffected: 2, status: 'unresolved', isRegression: false, culprit: expect.stringMatching(/^thrownHere \(errors\.test\.ts\)$/) });
    const events = await ownerDb().select().from(errorEvents).where(eq(errorEvents.groupId, group.id));
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.release && e.stack?.includes('thrownHere'))).toBe(true);
    const hourly = await ownerDb().select().from(errorHourly).where(eq(errorHourly.groupId, group.id));
    expect(hourly.reduce((sum, h) => sum + h.count, 0)).toBe(3);
  });

  it('counts a user once per group across flushes', async () => {
    const marker = letters();
    const capture = () => captureError({ source: 'server', error: thrownHere(`cache ${marker} miss`), tenantId: demo.acme.id, userKey: 'key:same' });
    capture();
    await flushErrors();
    capture();
    capture();
    await flushErrors();
    expect(await groupOf(demo.acme.id, `Error: cache ${marker} miss`)).toMatchObject({ eventCount: 3, usersAffected: 1 });
  });

  it('reopens a resolved group as a regression when it occurs again, but not for an event from before the resolution', async () => {
    const marker = letters();
    const title = `Error: payment ${marker} declined`;
    const capture = (extra: Partial<TErrorCapture> = {}) =>
      captureError({ source: 'server', error: thrownHere(`payment ${marker} declined`), tenantId: demo.acme.id, ...extra });
    capture();
    await flushErrors();
    const { id } = await groupOf(demo.acme.id, title);

    const resolve = await callRoute(groupRoute.PATCH, {
      method: 'PATCH',
      path: `/api/v1/errors/groups/${id}`,
      params: { id },
      host: hostOf('acme'),
      cookieFor: demo.acme.admin,
      body: { status: 'resolved' },
    });
    expect(resolve.status, resolve.text).toBe(200);
    expect(resolve.body.group).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });

    // Buffered before the fix was marked, written after: not a regression.
    capture({ occurredAt: new Date(Date.now() - 60_000) });
    await flushErrors();
    expect(await groupOf(demo.acme.id, title)).toMatchObject({ status: 'resolved', isRegression: false, eventCount: 2 });

    capture();
    await flushErrors();
    expect(await groupOf(demo.acme.id, title)).toMatchObject({ status: 'unresolved', isRegression: true, resolvedAt: null, eventCount: 3 });
  });

  it('keeps an ignored group ignored when it occurs again', async () => {
    const marker = letters();
    captureError({ source: 'server', error: thrownHere(`noise ${marker}`), tenantId: demo.acme.id });
    await flushErrors();
    const { id } = await groupOf(demo.acme.id, `Error: noise ${marker}`);
    await ownerDb().update(errorGroups).set({ status: 'ignored' }).where(eq(errorGroups.id, id));
    captureError({ source: 'server', error: thrownHere(`noise ${marker}`), tenantId: demo.acme.id });
    await flushErrors();
    expect(await groupOf(demo.acme.id, `Error: noise ${marker}`)).toMatchObject({ status: 'ignored', isRegression: false, eventCount: 2 });
  });

  it('keeps errors with no known tenant as the platform’s, and attributes a tenant host’s slug at flush time', async () => {
    const marker = letters();
    captureError({ source: 'render', error: thrownHere(`apex page ${marker}`), host: 'localhost:3000' });
    captureError({ source: 'render', error: thrownHere(`portal page ${marker}`), host: hostOf('globex') });
    captureError({ source: 'render', error: thrownHere(`gone page ${marker}`), host: hostOf('nosuchtenant') });
    await flushErrors();
    expect(await groupOf(null, `Error: apex page ${marker}`)).toBeDefined();
    expect(await groupOf(demo.globex.id, `Error: portal page ${marker}`)).toBeDefined();
    const unknown = await groupOf(null, `Error: gone page ${marker}`);
    const [event] = await ownerDb().select().from(errorEvents).where(eq(errorEvents.groupId, unknown.id));
    expect(event.metadata).toMatchObject({ tenantSlug: 'nosuchtenant' });
  });

  it('captures render errors Next reports to instrumentation’s onRequestError, under the tenant of the Host', async () => {
    const marker = letters();
    const { onRequestError } = await import('../instrumentation');
    const previous = process.env.NEXT_RUNTIME;
    process.env.NEXT_RUNTIME = 'nodejs';
    try {
      const error = Object.assign(thrownHere(`widget ${marker} render failed`), { digest: '12345' });
      await onRequestError(
        error,
        { path: '/files', method: 'GET', headers: { host: hostOf('acme'), 'user-agent': 'browser' } },
        { routerKind: 'App Router', routePath: '/t/[tenant]/(portal)/files', routeType: 'render', renderSource: 'react-server-components', revalidateReason: undefined },
      );
    } finally {
      process.env.NEXT_RUNTIME = previous;
    }
    await flushErrors();
    const group = await groupOf(demo.acme.id, `Error: widget ${marker} render failed`);
    const [event] = await ownerDb().select().from(errorEvents).where(eq(errorEvents.groupId, group.id));
    expect(event).toMatchObject({ source: 'render', route: '/t/[tenant]/(portal)/files', metadata: { path: '/files', digest: '12345' } });
  });

  it('stores what PostgreSQL could not hold (NUL characters) without them, instead of failing the batch forever', async () => {
    const marker = letters();
    captureError({ source: 'server', error: thrownHere(`bad\u0000byte ${marker}`), tenantId: demo.acme.id, metadata: { raw: 'a\u0000b' } });
    expect(await flushErrors()).toMatchObject({ written: 1, kept: 0, dropped: 0 });
    expect(await groupOf(demo.acme.id, `Error: badbyte ${marker}`)).toBeDefined();
  });

  it('never throws into its caller, whatever is thrown', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const thrown of [undefined, null, 'a string', 42, circular, { message: 'error-like', name: 'Weird' }]) {
      expect(() => captureError({ source: 'server', error: thrown })).not.toThrow();
    }
    return flushErrors();
  });

  it('captures a failed job (and still lets it fail for pg-boss to retry)', async () => {
    const marker = letters();
    const failing = job({ name: `test-failing-${marker}`, queue: {} }, async () => {
      throw thrownHere(`archive ${marker} step 3 failed`);
    });
    const current = { id: randomUUID(), name: `test-failing-${marker}`, data: { tenantId: demo.acme.id } } as unknown as PgBoss.Job<object>;
    await expect(failing.run([current])).rejects.toThrow(/step 3 failed/);
    await flushErrors();
    const group = await groupOf(demo.acme.id, `Error: archive ${marker} step <num> failed`);
    const [event] = await ownerDb().select().from(errorEvents).where(eq(errorEvents.groupId, group.id));
    expect(event).toMatchObject({ source: 'job', route: `test-failing-${marker}`, metadata: { jobId: current.id } });
  });
});

describe('a route that throws', () => {
  const boomEndpoint = defineEndpoint({ method: 'GET', path: '/api/v1/test/boom', summary: 'Throws', tag: 'Test', access: 'tenant' });
  let calls = 0;
  const boom = route(boomEndpoint, async () => {
    calls += 1;
    throw new Error(`boom ${calls === 1 ? 42 : 43} at /srv/secret/config.ts`);
  });

  it('answers 500 with a request id and nothing internal, and the error shows in its tenant’s groups after a flush', async () => {
    const result = await callRoute(boom, { path: '/api/v1/test/boom', host: hostOf('acme'), cookieFor: demo.acme.editor, headers: { 'user-agent': 'vitest-agent' } });
    expectError(result, 500, 'internal');
    expect(result.text).not.toMatch(/boom|secret|errors\.test|at /);
    const requestId = result.body.error.requestId;
    // A second failure of the same bug with another value.
    await callRoute(boom, { path: '/api/v1/test/boom', host: hostOf('acme'), cookieFor: demo.acme.editor });
    await flushErrors();

    const list = (host: string, cookieFor: TCallOptions['cookieFor']) =>
      callRoute(groupsRoute.GET, { path: '/api/v1/errors/groups?period=24h', host, cookieFor });
    const groups = await list(hostOf('acme'), demo.acme.admin);
    expect(groups.status, groups.text).toBe(200);
    const group = groups.body.groups.find((g: { title: string }) => g.title === 'Error: boom <num> at <str>' || g.title.startsWith('Error: boom <num>'));
    expect(group).toMatchObject({ eventCount: 2, usersAffected: 1, status: 'unresolved', trend: { current: 2 } });
    expect(group.series.reduce((a: number, b: number) => a + b, 0)).toBe(2);

    const detail = await callRoute(groupRoute.GET, { path: `/api/v1/errors/groups/${group.id}`, params: { id: group.id }, host: hostOf('acme'), cookieFor: demo.acme.admin });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.events).toHaveLength(2);
    expect(detail.body.events.map((e: { requestId: string }) => e.requestId)).toContain(requestId);
    expect(detail.body.events.find((e: { requestId: string }) => e.requestId === requestId)).toMatchObject({
      source: 'server',
      route: '/api/v1/test/boom',
      method: 'GET',
      status: 500,
      userAgent: 'vitest-agent',
      userKey: `user:${demo.acme.editor.id}`,
    });
    expect(detail.body.sampleStack).toMatch(/errors\.test\.ts/);
    expect(detail.body.hourly.reduce((sum: number, h: { count: number }) => sum + h.count, 0)).toBe(2);

    // Not globex's.
    const theirs = await list(hostOf('globex'), demo.globex.admin);
    expect(theirs.body.groups.map((g: { id: string }) => g.id)).not.toContain(group.id);
  });
});

describe('POST /api/v1/errors/client', () => {
  const post = (body: unknown, options: Partial<TCallOptions> = {}) =>
    callRoute(clientRoute.POST, { method: 'POST', path: '/api/v1/errors/client', host: hostOf('acme'), body, ...options });
  const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

  it('accepts a browser error and files it under the tenant whose subdomain served the page', async () => {
    const marker = letters();
    const result = await post(
      { message: `Cannot read properties of undefined (reading 'rows') ${marker}`, type: 'TypeError', stack: `renderTable@https://acme.localhost:3000/_next/static/chunks/app/page-0a1b2c3d4e5f6a7b.js:1:200`, url: 'https://acme.localhost:3000/files?page=2' },
      { headers: { 'x-sitework-client-address': address() }, cookieFor: demo.acme.viewer },
    );
    expect(result.status, result.text).toBe(202);
    await flushErrors();
    const group = await groupOf(demo.acme.id, `TypeError: Cannot read properties of undefined (reading <str>) ${marker}`);
    expect(group).toMatchObject({ culprit: 'renderTable (page-<hash>.js)', usersAffected: 1 });
    const [event] = await ownerDb().select().from(errorEvents).where(eq(errorEvents.groupId, group.id));
    expect(event).toMatchObject({ source: 'client', route: '/files', userKey: `user:${demo.acme.viewer.id}` });
  });

  it('refuses a body over 16 KiB with 413 before reading it, declared or not, and stores nothing', async () => {
    const before = bufferedErrorCount();
    const big = JSON.stringify({ message: 'x'.repeat(17 * 1024) });
    const declared = await post(big, { headers: { 'x-sitework-client-address': address(), 'content-length': String(big.length) } });
    expectError(declared, 413, 'payload_too_large');
    const undeclared = await post(big, { headers: { 'x-sitework-client-address': address() } });
    expectError(undeclared, 413, 'payload_too_large');
    expect(bufferedErrorCount()).toBe(before);
  });

  it('refuses an invalid report with 400', async () => {
    expectError(await post({ type: 'Error' }, { headers: { 'x-sitework-client-address': address() } }), 400, 'validation_failed');
    expectError(await post({ message: 'x', extra: 1 }, { headers: { 'x-sitework-client-address': address() } }), 400, 'validation_failed');
    expectError(await post('{not json', { headers: { 'x-sitework-client-address': address() } }), 400, 'invalid_json');
  });

  it('rate limits each address to 30 reports a minute (429 with Retry-After); other addresses go on', async () => {
    const limited = '198.51.100.77';
    for (let i = 0; i < 30; i++) {
      const ok = await post({ message: `loop ${i}` }, { headers: { 'x-sitework-client-address': limited } });
      expect(ok.status, ok.text).toBe(202);
    }
    const refused = await post({ message: 'loop 31' }, { headers: { 'x-sitework-client-address': limited } });
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post({ message: 'elsewhere' }, { headers: { 'x-sitework-client-address': '198.51.100.78' } })).status).toBe(202);
    await flushErrors();
  });

  it('gives no new reports for a forged X-Forwarded-For: only the address our server saw counts', async () => {
    const limited = '198.51.100.79';
    const forging = (forged: string) => ({ headers: { 'x-sitework-client-address': limited, 'x-forwarded-for': forged, 'x-real-ip': forged } });
    for (let i = 0; i < 30; i++) expect((await post({ message: `forged ${i}` }, forging(`192.0.2.${i + 1}`))).status).toBe(202);
    expectError(await post({ message: 'forged 31' }, forging('192.0.2.200')), 429, 'rate_limited');
    await flushErrors();
  });

  it('counts an IPv6 /64 as one client', async () => {
    for (let i = 0; i < 30; i++) {
      const result = await post({ message: `v6 ${i}` }, { headers: { 'x-sitework-client-address': `2001:db8:5:5::${(i + 1).toString(16)}` } });
      expect(result.status).toBe(202);
    }
    expectError(await post({ message: 'v6 31' }, { headers: { 'x-sitework-client-address': '2001:db8:5:5:ffff::1' } }), 429, 'rate_limited');
    expect((await post({ message: 'next /64' }, { headers: { 'x-sitework-client-address': '2001:db8:5:6::1' } })).status).toBe(202);
    await flushErrors();
  });

  it('files at most 300 reports a minute under one tenant, from however many addresses; other tenants go on', async () => {
    const { slug } = await withPlatform((tx) => createTenant(tx, { name: 'Flooded', slug: `flooded-${letters()}` }));
    const fromAddress = (i: number) => ({ host: hostOf(slug), headers: { 'x-sitework-client-address': `10.99.${Math.floor(i / 250)}.${(i % 250) + 1}` } });
    for (let i = 0; i < 300; i++) expect((await post({ message: `flood ${i}` }, fromAddress(i))).status).toBe(202);
    const refused = await post({ message: 'flood 301' }, fromAddress(300));
    expectError(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post({ message: 'acme goes on' }, { headers: { 'x-sitework-client-address': address() } })).status).toBe(202);
    await flushErrors();
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('stats and analysis', () => {
  // Fixed "now": 30 minutes into an hour, so the window is exactly the 24 whole hours ending with this one.
  const NOW = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS + 30 * 60_000);
  const hoursAgo = (hours: number, minute = 10) => new Date(Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS - hours * HOUR_MS + minute * 60_000);
  let tenantId: string;
  const spikeKey = `key:${randomUUID()}`;

  beforeAll(async () => {
    ({ id: tenantId } = await withPlatform((tx) => createTenant(tx, { name: 'Spiky', slug: `spiky-${randomBytes(3).toString('hex')}` })));
    // Baseline: one portal error an hour for 20 hours, from various users.
    for (let h = 1; h <= 20; h++) {
      captureError({ source: 'render', error: thrownHere(`chart ${h} failed`), tenantId, route: '/t/[tenant]/usage', userKey: `user:${h % 4}`, occurredAt: hoursAgo(h) });
    }
    // Previous period: 10 errors.
    for (let i = 0; i < 10; i++) captureError({ source: 'render', error: thrownHere('chart 0 failed'), tenantId, route: '/t/[tenant]/usage', occurredAt: hoursAgo(30 + i) });
    // The spike: 30 server errors in one hour, from one route and one API key.
    for (let i = 0; i < 30; i++) {
      captureError({ source: 'server', error: thrownHere(`upstream ${i} timeout`), tenantId, route: '/api/v1/files/{id}', method: 'GET', status: 500, userKey: spikeKey, occurredAt: hoursAgo(5, 20 + (i % 30)) });
    }
    await flushErrors();
    // 1,000 API-key calls over the day (the usage rollup the error rate divides by).
    const calls = Array.from({ length: 1000 }, (_, i) => ({ id: randomUUID(), type: 'api_call' as const, quantity: 1, route: '/api/v1/files/{id}', method: 'GET', status: 200, occurredAt: hoursAgo(i % 20) }));
    await withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, calls));
  });

  it('gives totals, by type, by hour of day, by route and the API error rate', async () => {
    const stats = await withTenant(tenantId, (tx) => getErrorStats(tx, tenantId, '24h', NOW));
    expect(stats.totals).toMatchObject({ events: 50, previousEvents: 10, groups: 2, newGroups: 1, usersAffected: 5, regressions: 0 });
    expect(stats.byType).toEqual([{ type: 'Error', count: 50 }]);
    expect(stats.byHourOfDay).toHaveLength(24);
    expect(stats.byHourOfDay.reduce((sum, h) => sum + h.count, 0)).toBe(50);
    expect(stats.byHourOfDay[hoursAgo(5).getUTCHours()].count).toBe(31);
    expect(stats.byRoute[0]).toEqual({ route: '/api/v1/files/{id}', method: 'GET', count: 30 });
    expect(stats.bySource).toEqual([
      { source: 'server', count: 30 },
      { source: 'render', count: 20 },
    ]);
    expect(stats.errorRate).toEqual({ apiErrors: 30, apiRequests: 1000, ratePercent: 3 });
    expect(stats.hourly).toHaveLength(24);
    expect(stats.hourly.find((h) => h.hourStart === new Date(Math.floor(hoursAgo(5).getTime() / HOUR_MS) * HOUR_MS).toISOString())).toMatchObject({ errors: 31, apiErrors: 30 });
  });

  it('finds the spike, the trend, the concentration, and recommends with scores in range and evidence', async () => {
    const analysis = await withTenant(tenantId, (tx) => getErrorAnalysis(tx, tenantId, '24h', NOW));
    expect(analysis.trend).toEqual({ current: 50, previous: 10, changePercent: 400, direction: 'up' });
    expect(analysis.spikes.hours).toHaveLength(1);
    expect(analysis.spikes.hours[0]).toMatchObject({ count: 31, topGroup: { title: 'Error: upstream <num> timeout', count: 30 } });
    expect(analysis.spikes.hours[0].count).toBeGreaterThan(analysis.spikes.thresholdPerHour);
    expect(analysis.concentration.route).toMatchObject({ key: 'GET /api/v1/files/{id}', count: 30, total: 50, sharePercent: 60, isConcentrated: true });
    expect(analysis.concentration.caller).toMatchObject({ key: spikeKey, sharePercent: 60, isConcentrated: true });

    const rules = analysis.recommendations.map((r) => r.rule);
    expect(rules).toEqual(expect.arrayContaining(['spike', 'route_concentration', 'caller_concentration', 'rising_trend', 'api_error_rate', 'dominant_group']));
    expect(rules).not.toContain('regression');
    for (const r of analysis.recommendations) {
      expect(r.impact).toBeGreaterThanOrEqual(0);
      expect(r.impact).toBeLessThanOrEqual(100);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(100);
      expect(Number.isInteger(r.impact) && Number.isInteger(r.confidence)).toBe(true);
      expect(r.title.length).toBeGreaterThan(0);
      expect(Object.keys(r.evidence).length).toBeGreaterThan(0);
    }
    const sorted = [...analysis.recommendations].sort((a, b) => b.impact * b.confidence - a.impact * a.confidence);
    expect(analysis.recommendations).toEqual(sorted);
    expect(analysis.recommendations.find((r) => r.rule === 'api_error_rate')).toMatchObject({ impact: 30, evidence: { apiErrors: 30, apiRequests: 1000, ratePercent: 3 } });
  });

  it('finds nothing to say about a quiet, flat period', async () => {
    const { id: quietId } = await withPlatform((tx) => createTenant(tx, { name: 'Quiet', slug: `quiet-${randomBytes(3).toString('hex')}` }));
    for (let h = 0; h < 24; h++) captureError({ source: 'server', error: thrownHere('steady'), tenantId: quietId, occurredAt: hoursAgo(h, 1) });
    for (let h = 24; h < 48; h++) captureError({ source: 'server', error: thrownHere('steady'), tenantId: quietId, occurredAt: hoursAgo(h, 1) });
    await flushErrors();
    const analysis = await withTenant(quietId, (tx) => getErrorAnalysis(tx, quietId, '24h', NOW));
    expect(analysis.trend).toMatchObject({ current: 24, previous: 24, direction: 'flat' });
    expect(analysis.spikes.hours).toEqual([]);
    // One steady group is "dominant", but no spike, trend or concentration by route or caller.
    expect(analysis.recommendations.map((r) => r.rule)).toEqual(['dominant_group']);
  });

  it('flags as a spike only hours above mean + 3σ with at least a few errors', () => {
    const hours = (counts: number[]) => counts.map((count, i) => ({ hourStart: new Date(i * HOUR_MS).toISOString(), count }));
    expect(detectSpikes(hours([...new Array(23).fill(0), 1])).hours).toEqual([]);
    expect(detectSpikes(hours([...new Array(23).fill(2), 40])).hours.map((h) => h.count)).toEqual([40]);
    expect(detectSpikes(hours(new Array(24).fill(5))).hours).toEqual([]);
  });

  it('has a unique name for every rule', () => {
    const names = RECOMMENDATION_RULES.map((r) => r.rule);
    expect(new Set(names).size).toBe(names.length);
  });
});
