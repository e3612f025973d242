import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { usageEvents } from '@/db/schema/usage';
import { seedDemoData } from '@/db/seed';
import { permissionsOf, ROLE_PERMISSIONS, type TPermission } from '@/lib/auth';
import * as breakdownRoute from '../app/api/v1/usage/breakdown/route';
import * as currentRoute from '../app/api/v1/usage/current/route';
import * as eventsRoute from '../app/api/v1/usage/events/route';
import * as statsRoute from '../app/api/v1/usage/stats/route';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TCallResult, type TDemo, type TDemoMember } from './support/http';
import { v1Operations } from './support/routes';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

interface TCredentials {
  cookieFor?: TDemoMember;
  apiKey?: string;
  headers?: Record<string, string>;
}

const storedEventCount = async (tenantId: string) =>
  (await ownerDb().select({ id: usageEvents.id }).from(usageEvents).where(eq(usageEvents.tenantId, tenantId))).length;

const reportBody = () => ({
  events: [{ id: randomUUID(), type: 'file_processed', quantity: 1, occurredAt: new Date().toISOString(), metadata: { pipeline: 'ocr' } }],
});

interface TCase {
  operation: string;
  permission: TPermission;
  successStatus: number;
  call: (credentials: TCredentials, host: string) => Promise<TCallResult>;
  /** Reads: the key a successful response carries. Writes leave it out and must change the state. */
  returns?: string;
}

const cases: TCase[] = [
  {
    operation: 'POST /api/v1/usage/events',
    permission: 'files:write',
    successStatus: 200,
    call: (c, host) => callRoute(eventsRoute.POST, { method: 'POST', host, path: '/api/v1/usage/events', body: reportBody(), ...c }),
  },
  {
    operation: 'GET /api/v1/usage/stats',
    permission: 'usage:read',
    successStatus: 200,
    returns: 'totals',
    call: (c, host) => callRoute(statsRoute.GET, { host, path: '/api/v1/usage/stats?period=30d', ...c }),
  },
  {
    operation: 'GET /api/v1/usage/breakdown',
    permission: 'usage:read',
    successStatus: 200,
    returns: 'endpoints',
    call: (c, host) => callRoute(breakdownRoute.GET, { host, path: '/api/v1/usage/breakdown?period=7d', ...c }),
  },
  {
    operation: 'GET /api/v1/usage/current',
    permission: 'usage:read',
    successStatus: 200,
    returns: 'apiCalls',
    call: (c, host) => callRoute(currentRoute.GET, { host, path: '/api/v1/usage/current', ...c }),
  },
];

async function expectAllowed(c: TCase, credentials: TCredentials) {
  const before = await storedEventCount(demo.acme.id);
  const result = await c.call(credentials, hostOf('acme'));
  expect(result.status, result.text).toBe(c.successStatus);
  if (c.returns) expect(result.body[c.returns]).toBeDefined();
  else expect(await storedEventCount(demo.acme.id)).toBe(before + 1);
}

async function expectRefused(c: TCase, credentials: TCredentials, status: number, code: string) {
  const before = await storedEventCount(demo.acme.id);
  expectError(await c.call(credentials, hostOf('acme')), status, code);
  expect(await storedEventCount(demo.acme.id)).toBe(before);
}

const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const tested = new Set<string>();

describe.each(cases)('$operation', (c) => {
  tested.add(c.operation);

  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has(c.permission)) {
      it(`lets an ${role} session through (${c.permission})`, () => expectAllowed(c, { cookieFor: demo.acme[role] }));
    } else {
      it(`refuses a ${role} session with 403 (needs ${c.permission}) and changes nothing`, () =>
        expectRefused(c, { cookieFor: demo.acme[role] }, 403, 'forbidden'));
    }
  }

  it(`lets an API key scoped to just ${c.permission} through`, async () =>
    expectAllowed(c, { apiKey: await createKey('acme', 'owner', [c.permission]) }));

  it(`refuses an API key with every other scope but ${c.permission} with 403 and changes nothing`, async () => {
    const scopes = permissionsOf('owner').filter((p) => p !== c.permission);
    await expectRefused(c, { apiKey: await createKey('acme', 'owner', scopes) }, 403, 'forbidden');
  });

  it('refuses a caller without credentials with 401 and changes nothing', () => expectRefused(c, {}, 401, 'unauthorized'));

  it("refuses acme's key sent to globex's subdomain with 403 and changes neither tenant", async () => {
    const apiKey = await createKey('acme', 'owner', [c.permission]);
    const before = [await storedEventCount(demo.acme.id), await storedEventCount(demo.globex.id)];
    expectError(await c.call({ apiKey }, hostOf('globex')), 403, 'forbidden');
    expectError(await c.call({ apiKey, headers: { 'x-tenant-id': 'globex' } }, hostOf('acme')), 400, 'bad_request');
    expect([await storedEventCount(demo.acme.id), await storedEventCount(demo.globex.id)]).toEqual(before);
  });
});

describe('another tenant’s usage', () => {
  it("stores a globex key's events for globex only, and acme's stats never show them", async () => {
    const globexKey = await createKey('globex', 'owner', ['files:write', 'usage:read']);
    const acmeKey = await createKey('acme', 'owner', ['usage:read']);
    const acmeBefore = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/stats?period=7d' });
    const id = randomUUID();
    const reported = await callRoute(eventsRoute.POST, {
      method: 'POST',
      host: hostOf('globex'),
      apiKey: globexKey,
      path: '/api/v1/usage/events',
      body: { events: [{ id, type: 'file_upload', quantity: 123_456_789, occurredAt: new Date().toISOString() }] },
    });
    expect(reported.body).toEqual({ accepted: 1, duplicates: 0 });
    const [row] = await ownerDb().select({ tenantId: usageEvents.tenantId }).from(usageEvents).where(eq(usageEvents.id, id));
    expect(row.tenantId).toBe(demo.globex.id);

    const acmeAfter = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/stats?period=7d' });
    expect(acmeAfter.body.totals.file_upload).toEqual(acmeBefore.body.totals.file_upload);
    const globexStats = await callRoute(statsRoute.GET, { host: hostOf('globex'), apiKey: globexKey, path: '/api/v1/usage/stats?period=7d' });
    expect(globexStats.body.totals.file_upload.quantity).toBeGreaterThanOrEqual(123_456_789);
  });

  it('lets two tenants report the same event id, each counted for its own tenant', async () => {
    const id = randomUUID();
    for (const tenant of ['acme', 'globex'] as const) {
      const result = await callRoute(eventsRoute.POST, {
        method: 'POST',
        host: hostOf(tenant),
        apiKey: await createKey(tenant, 'owner', ['files:write']),
        path: '/api/v1/usage/events',
        body: { events: [{ id, type: 'file_processed', quantity: 1, occurredAt: new Date().toISOString() }] },
      });
      expect(result.body).toEqual({ accepted: 1, duplicates: 0 });
    }
  });
});

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1/usage', async () => {
    const ours = (await v1Operations()).filter((operation) => operation.split(' ')[1].startsWith('/api/v1/usage'));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
