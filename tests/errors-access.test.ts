import { eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { errorGroups } from '@/db/schema/errors';
import { seedDemoData } from '@/db/seed';
import { permissionsOf, ROLE_PERMISSIONS, type TPermission } from '@/lib/auth';
import { captureError, flushErrors } from '@/lib/errors';
import { withTenant } from '@/lib/tenancy';
import * as adminGroupsRoute from '../app/api/v1/admin/errors/groups/route';
import * as analysisRoute from '../app/api/v1/errors/analysis/route';
import * as clientRoute from '../app/api/v1/errors/client/route';
import * as groupRoute from '../app/api/v1/errors/groups/[id]/route';
import * as groupsRoute from '../app/api/v1/errors/groups/route';
import * as statsRoute from '../app/api/v1/errors/stats/route';
import { APEX_HOST, callRoute, createKey, demoUsers, expectError, hostOf, type TCallResult, type TDemo, type TDemoMember, type TSessionSubject } from './support/http';
import { v1Operations } from './support/routes';

/**
 * Who may read error analytics and change a group's status, across roles, API key scopes, tenants and the
 * platform line. Reads need errors:read, status changes errors:manage (admins and owners have both); a tenant
 * never sees another tenant's groups nor the platform's own (no tenant), not even by id; operators see all.
 */

let demo: TDemo;
const groupIdOf: Record<'acme' | 'globex' | 'platform', string> = { acme: '', globex: '', platform: '' };

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  captureError({ source: 'server', error: new TypeError('acme ledger broke'), tenantId: demo.acme.id, route: '/api/v1/files' });
  captureError({ source: 'server', error: new RangeError('globex quota broke'), tenantId: demo.globex.id, route: '/api/v1/files' });
  captureError({ source: 'job', error: new SyntaxError('platform job broke'), route: 'invoice-run' });
  expect(await flushErrors()).toMatchObject({ written: 3 });
  const idOf = async (where: ReturnType<typeof eq> | ReturnType<typeof isNull>) =>
    (await ownerDb().select({ id: errorGroups.id }).from(errorGroups).where(where))[0].id;
  groupIdOf.acme = await idOf(eq(errorGroups.tenantId, demo.acme.id));
  groupIdOf.globex = await idOf(eq(errorGroups.tenantId, demo.globex.id));
  groupIdOf.platform = await idOf(isNull(errorGroups.tenantId));
});

interface TCredentials {
  cookieFor?: TDemoMember;
  apiKey?: string;
  headers?: Record<string, string>;
}

const statusOf = async (id: string) => (await ownerDb().select({ status: errorGroups.status }).from(errorGroups).where(eq(errorGroups.id, id)))[0].status;
const allStatuses = async () => ownerDb().select({ id: errorGroups.id, status: errorGroups.status }).from(errorGroups).orderBy(errorGroups.id);

interface TCase {
  operation: string;
  permission: TPermission;
  call: (credentials: TCredentials, host: string) => Promise<TCallResult>;
  /** Reads: the key a successful response carries. The write (PATCH) must change the group instead. */
  returns?: string;
}

let nextStatus: 'resolved' | 'ignored' = 'resolved';
const cases: TCase[] = [
  {
    operation: 'GET /api/v1/errors/stats',
    permission: 'errors:read',
    returns: 'totals',
    call: (c, host) => callRoute(statsRoute.GET, { host, path: '/api/v1/errors/stats?period=7d', ...c }),
  },
  {
    operation: 'GET /api/v1/errors/analysis',
    permission: 'errors:read',
    returns: 'recommendations',
    call: (c, host) => callRoute(analysisRoute.GET, { host, path: '/api/v1/errors/analysis?period=24h', ...c }),
  },
  {
    operation: 'GET /api/v1/errors/groups',
    permission: 'errors:read',
    returns: 'groups',
    call: (c, host) => callRoute(groupsRoute.GET, { host, path: '/api/v1/errors/groups', ...c }),
  },
  {
    operation: 'GET /api/v1/errors/groups/{id}',
    permission: 'errors:read',
    returns: 'group',
    call: (c, host) => callRoute(groupRoute.GET, { host, path: `/api/v1/errors/groups/${groupIdOf.acme}`, params: { id: groupIdOf.acme }, ...c }),
  },
  {
    operation: 'PATCH /api/v1/errors/groups/{id}',
    permission: 'errors:manage',
    call: (c, host) => {
      // Alternate, so every allowed call is a change.
      nextStatus = nextStatus === 'resolved' ? 'ignored' : 'resolved';
      return callRoute(groupRoute.PATCH, {
        method: 'PATCH',
        host,
        path: `/api/v1/errors/groups/${groupIdOf.acme}`,
        params: { id: groupIdOf.acme },
        body: { status: nextStatus },
        ...c,
      });
    },
  },
];

async function expectAllowed(c: TCase, credentials: TCredentials) {
  const result = await c.call(credentials, hostOf('acme'));
  expect(result.status, result.text).toBe(200);
  if (c.returns) expect(result.body[c.returns]).toBeDefined();
  else expect(await statusOf(groupIdOf.acme)).toBe(nextStatus);
}

async function expectRefused(c: TCase, credentials: TCredentials, status: number, code: string, host = hostOf('acme')) {
  const before = await allStatuses();
  expectError(await c.call(credentials, host), status, code);
  expect(await allStatuses()).toEqual(before);
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

  it("refuses acme's key sent to globex's subdomain with 403 and changes nothing", async () => {
    const apiKey = await createKey('acme', 'owner', [c.permission]);
    await expectRefused(c, { apiKey }, 403, 'forbidden', hostOf('globex'));
  });
});

describe('another tenant’s errors and the platform’s', () => {
  const acmeAdmin = () => ({ host: hostOf('acme'), cookieFor: demo.acme.admin });

  it('lists only the tenant’s own groups', async () => {
    const acme = await callRoute(groupsRoute.GET, { path: '/api/v1/errors/groups?period=24h', ...acmeAdmin() });
    expect(acme.body.groups.map((g: { id: string }) => g.id)).toEqual([groupIdOf.acme]);
    const globex = await callRoute(groupsRoute.GET, { path: '/api/v1/errors/groups?period=24h', host: hostOf('globex'), cookieFor: demo.globex.owner });
    expect(globex.body.groups.map((g: { id: string }) => g.id)).toEqual([groupIdOf.globex]);
  });

  it('answers 404 for another tenant’s group and for a platform group, by id, for reads and changes alike', async () => {
    for (const id of [groupIdOf.globex, groupIdOf.platform]) {
      expectError(await callRoute(groupRoute.GET, { path: `/api/v1/errors/groups/${id}`, params: { id }, ...acmeAdmin() }), 404, 'not_found');
      const before = await allStatuses();
      const patch = await callRoute(groupRoute.PATCH, {
        method: 'PATCH',
        path: `/api/v1/errors/groups/${id}`,
        params: { id },
        body: { status: 'resolved' },
        ...acmeAdmin(),
      });
      expectError(patch, 404, 'not_found');
      expect(await allStatuses()).toEqual(before);
    }
    expectError(await callRoute(groupRoute.GET, { path: '/api/v1/errors/groups/nope', params: { id: 'nope' }, ...acmeAdmin() }), 400, 'validation_failed');
  });

  it('counts only the tenant’s own errors in stats', async () => {
    const stats = await callRoute(statsRoute.GET, { path: '/api/v1/errors/stats?period=24h', ...acmeAdmin() });
    expect(stats.body.totals).toMatchObject({ events: 1, groups: 1 });
    expect(stats.body.byType).toEqual([{ type: 'TypeError', count: 1 }]);
  });

  it('keeps platform groups out of reach of request code even without a tenant filter (row-level security)', async () => {
    const visible = await withTenant(demo.acme.id, (tx) => tx.select({ id: errorGroups.id, tenantId: errorGroups.tenantId }).from(errorGroups));
    expect(visible.every((g) => g.tenantId === demo.acme.id)).toBe(true);
    expect(visible.map((g) => g.id)).not.toContain(groupIdOf.platform);
  });

  it('refuses invalid query values with 400', async () => {
    expectError(await callRoute(statsRoute.GET, { path: '/api/v1/errors/stats?period=1y', ...acmeAdmin() }), 400, 'validation_failed');
    expectError(await callRoute(groupsRoute.GET, { path: '/api/v1/errors/groups?sort=random', ...acmeAdmin() }), 400, 'validation_failed');
    const patch = await callRoute(groupRoute.PATCH, {
      method: 'PATCH',
      path: `/api/v1/errors/groups/${groupIdOf.acme}`,
      params: { id: groupIdOf.acme },
      body: { status: 'deleted' },
      ...acmeAdmin(),
    });
    expectError(patch, 400, 'validation_failed');
  });
});

describe('POST /api/v1/errors/client', () => {
  tested.add('POST /api/v1/errors/client');

  it('is public: anyone may report, signed in or not, on a tenant’s host or the apex', async () => {
    for (const [host, forwarded] of [[hostOf('acme'), '192.0.2.10'], [APEX_HOST, '192.0.2.11']]) {
      const result = await callRoute(clientRoute.POST, { method: 'POST', path: '/api/v1/errors/client', host, headers: { 'x-sitework-client-address': forwarded }, body: { message: 'Script error.' } });
      expect(result.status, result.text).toBe(202);
    }
    await flushErrors();
  });
});

describe('GET /api/v1/admin/errors/groups', () => {
  tested.add('GET /api/v1/admin/errors/groups');
  const call = (credentials: { cookieFor?: TSessionSubject; apiKey?: string }, query = '') =>
    callRoute(adminGroupsRoute.GET, { path: `/api/v1/admin/errors/groups${query}`, host: APEX_HOST, ...credentials });

  it("refuses a tenant owner's session (403), no session (401) and an owner's all-scopes key (401)", async () => {
    expectError(await call({ cookieFor: demo.acme.owner }), 403, 'forbidden');
    expectError(await call({}), 401, 'unauthorized');
    expectError(await call({ apiKey: await createKey('acme', 'owner', permissionsOf('owner')) }), 401, 'unauthorized');
  });

  it('shows an operator every tenant’s groups and the platform’s own, with the tenant named, and narrows by tenant', async () => {
    const all = await call({ cookieFor: demo.operator }, '?period=24h&limit=100');
    expect(all.status, all.text).toBe(200);
    const byId = new Map(all.body.groups.map((g: { id: string }) => [g.id, g]));
    expect(byId.get(groupIdOf.acme)).toMatchObject({ tenantSlug: 'acme', tenantName: expect.any(String) });
    expect(byId.get(groupIdOf.globex)).toMatchObject({ tenantSlug: 'globex' });
    expect(byId.get(groupIdOf.platform)).toMatchObject({ tenantId: null, tenantSlug: null, title: 'SyntaxError: platform job broke' });

    const platformOnly = await call({ cookieFor: demo.operator }, '?period=24h&tenant=none');
    expect(platformOnly.body.groups.every((g: { tenantId: string | null }) => g.tenantId === null)).toBe(true);
    expect(platformOnly.body.groups.map((g: { id: string }) => g.id)).toContain(groupIdOf.platform);
    const globexOnly = await call({ cookieFor: demo.operator }, `?period=24h&tenant=${demo.globex.id}`);
    expect(globexOnly.body.groups.map((g: { id: string }) => g.id)).toEqual([groupIdOf.globex]);
    expectError(await call({ cookieFor: demo.operator }, '?tenant=acme'), 400, 'validation_failed');
  });
});

describe('coverage of this table', () => {
  it('checks every handler under /api/v1/errors and /api/v1/admin/errors', async () => {
    const prefixes = ['/api/v1/errors', '/api/v1/admin/errors'];
    const ours = (await v1Operations()).filter((operation) => prefixes.some((prefix) => operation.split(' ')[1].startsWith(prefix)));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
