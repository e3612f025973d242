import { randomBytes, randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { costEstimates, vectorReindexRuns } from '@/db/schema/estimates';
import { seedDemoData } from '@/db/seed';
import { permissionsOf, ROLE_PERMISSIONS, type TPermission } from '@/lib/auth';
import { createEstimate, drainIndexOutbox, ZEstimateInput, type TCostEstimate } from '@/lib/estimates';
import { withTenant } from '@/lib/tenancy';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as reindexRoute from '../app/api/v1/admin/vectors/reindex/route';
import * as vectorsRoute from '../app/api/v1/admin/vectors/route';
import * as estimateRoute from '../app/api/v1/estimates/[id]/route';
import * as similarRoute from '../app/api/v1/estimates/[id]/similar/route';
import * as importRoute from '../app/api/v1/estimates/import/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import * as searchRoute from '../app/api/v1/estimates/search-similar/route';
import { houseEstimate, roadEstimate } from './support/estimates';
import {
  APEX_HOST,
  callRoute,
  createKey,
  demoUsers,
  expectError,
  hostOf,
  type TCallOptions,
  type TCallResult,
  type TDemo,
  type TDemoMember,
  type TRouteHandler,
  type TSessionSubject,
} from './support/http';
import { v1Operations } from './support/routes';

/**
 * Who may read, write and search cost estimates, across roles, API key scopes and tenants, and who may see and
 * rebuild the vector index (platform operators only). Reads and searches need estimates:read, changes
 * estimates:write; a tenant never sees, changes or finds another tenant's estimates, not by id, not in a list,
 * not in a similarity search, even for an estimate identical to its own.
 */

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

type TTenantSlug = 'acme' | 'globex';

interface TCredentials {
  cookieFor?: TSessionSubject;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** An estimate of the tenant, written directly (not through the endpoint under test); returns its id. */
async function estimateIn(slug: TTenantSlug, body: TCostEstimate = houseEstimate()): Promise<string> {
  const tenant = demo[slug];
  const estimate = await withTenant(tenant.id, (tx) =>
    createEstimate(tx, { tenantId: tenant.id, userId: tenant.owner.id, apiKeyId: null }, ZEstimateInput.parse(body)),
  );
  return estimate.id;
}

/** Every estimate row of every tenant: what a refused call must leave as it was, and a write must change. */
const allEstimates = () =>
  ownerDb()
    .select({ id: costEstimates.id, tenantId: costEstimates.tenantId, name: costEstimates.name, updatedAt: costEstimates.updatedAt })
    .from(costEstimates)
    .orderBy(asc(costEstimates.id));

const estimateIdsOf = async (tenantId: string) =>
  (await ownerDb().select({ id: costEstimates.id }).from(costEstimates).where(eq(costEstimates.tenantId, tenantId))).map((r) => r.id);

const tenantOfEstimate = async (id: string) => (await ownerDb().select({ tenantId: costEstimates.tenantId }).from(costEstimates).where(eq(costEstimates.id, id)))[0]?.tenantId;

/** A search-similar body describing the estimate: what drives its cost (no project or name: the search takes none). */
function searchBodyOf(estimate: TCostEstimate, extra: Record<string, unknown> = {}) {
  const { project: _project, name: _name, ...described } = estimate;
  return { ...described, ...extra };
}

const uniqueName = () => `Estimate ${randomBytes(4).toString('hex')}`;

interface TCase {
  operation: string;
  permission: TPermission;
  successStatus: number;
  /** Reads: the key a successful response carries. Writes must change the estimates instead. */
  returns?: string;
  /** Sets up what the call acts on (an acme estimate for by-id operations); returns the call. */
  arrange: () => Promise<(c: TCredentials, host: string) => Promise<TCallResult>>;
}

const byId =
  (handler: TRouteHandler, method: string, suffix = '', body?: () => unknown) =>
  async (): Promise<(c: TCredentials, host: string) => Promise<TCallResult>> => {
    const id = await estimateIn('acme');
    return (c, host) => callRoute(handler, { method, host, path: `/api/v1/estimates/${id}${suffix}`, params: { id }, body: body?.(), ...c });
  };

const cases: TCase[] = [
  {
    operation: 'GET /api/v1/estimates',
    permission: 'estimates:read',
    successStatus: 200,
    returns: 'estimates',
    arrange: async () => (c, host) => callRoute(estimatesRoute.GET, { host, path: '/api/v1/estimates?sort=total_desc&limit=5', ...c }),
  },
  {
    operation: 'POST /api/v1/estimates',
    permission: 'estimates:write',
    successStatus: 201,
    arrange: async () => (c, host) =>
      callRoute(estimatesRoute.POST, { method: 'POST', host, path: '/api/v1/estimates', body: houseEstimate({ name: uniqueName() }), ...c }),
  },
  {
    operation: 'GET /api/v1/estimates/{id}',
    permission: 'estimates:read',
    successStatus: 200,
    returns: 'estimate',
    arrange: byId(estimateRoute.GET, 'GET'),
  },
  {
    operation: 'PUT /api/v1/estimates/{id}',
    permission: 'estimates:write',
    successStatus: 200,
    arrange: byId(estimateRoute.PUT, 'PUT', '', () => roadEstimate({ name: uniqueName() })),
  },
  {
    operation: 'DELETE /api/v1/estimates/{id}',
    permission: 'estimates:write',
    successStatus: 204,
    arrange: byId(estimateRoute.DELETE, 'DELETE'),
  },
  {
    operation: 'GET /api/v1/estimates/{id}/similar',
    permission: 'estimates:read',
    successStatus: 200,
    returns: 'results',
    arrange: byId(similarRoute.GET, 'GET', '/similar?limit=5'),
  },
  {
    operation: 'POST /api/v1/estimates/search-similar',
    permission: 'estimates:read',
    successStatus: 200,
    returns: 'results',
    arrange: async () => (c, host) =>
      callRoute(searchRoute.POST, { method: 'POST', host, path: '/api/v1/estimates/search-similar', body: searchBodyOf(houseEstimate(), { limit: 5 }), ...c }),
  },
  {
    // A JSON array of one valid estimate, all_or_nothing: stored, 201.
    operation: 'POST /api/v1/estimates/import',
    permission: 'estimates:write',
    successStatus: 201,
    arrange: async () => (c, host) =>
      callRoute(importRoute.POST, { method: 'POST', host, path: '/api/v1/estimates/import', body: [houseEstimate({ name: uniqueName() })], ...c }),
  },
];

async function expectAllowed(c: TCase, credentials: TCredentials) {
  const call = await c.arrange();
  const before = await allEstimates();
  const result = await call(credentials, hostOf('acme'));
  expect(result.status, result.text).toBe(c.successStatus);
  if (c.returns) {
    expect(result.body[c.returns]).toBeDefined();
    // Reading and searching change nothing.
    expect(await allEstimates()).toEqual(before);
  } else {
    expect(await allEstimates()).not.toEqual(before);
  }
}

async function expectRefused(c: TCase, credentials: TCredentials, status: number, code: string, host = hostOf('acme')) {
  const call = await c.arrange();
  const before = await allEstimates();
  expectError(await call(credentials, host), status, code);
  expect(await allEstimates()).toEqual(before);
}

const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const tested = new Set<string>();

describe.each(cases)('$operation', (c) => {
  tested.add(c.operation);

  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has(c.permission)) {
      it(`lets an ${role} session through (${c.permission}) with ${c.successStatus}`, () => expectAllowed(c, { cookieFor: demo.acme[role] }));
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

describe('another tenant’s estimates', () => {
  const globexOwner = () => ({ host: hostOf('globex'), cookieFor: demo.globex.owner as TDemoMember });
  const acmeOwner = () => ({ host: hostOf('acme'), cookieFor: demo.acme.owner as TDemoMember });

  it.each([
    ['GET', '', estimateRoute.GET],
    ['PUT', '', estimateRoute.PUT],
    ['DELETE', '', estimateRoute.DELETE],
    ['GET', '/similar', similarRoute.GET],
  ] as const)('answers %s /api/v1/estimates/{id}%s on an acme estimate from globex with 404 and changes nothing', async (method, suffix, handler) => {
    const id = await estimateIn('acme');
    await drainIndexOutbox();
    const before = await allEstimates();
    for (const credentials of [globexOwner(), { host: hostOf('globex'), apiKey: await createKey('globex', 'owner', ['estimates:read', 'estimates:write']) }]) {
      const result = await callRoute(handler, {
        method,
        path: `/api/v1/estimates/${id}${suffix}`,
        params: { id },
        body: method === 'PUT' ? roadEstimate({ name: 'Hijacked' }) : undefined,
        ...credentials,
      });
      expectError(result, 404, 'not_found', /Estimate not found/);
    }
    expect(await allEstimates()).toEqual(before);
    expect(await tenantOfEstimate(id)).toBe(demo.acme.id);
  });

  it('never lists another tenant’s estimates, on any page', async () => {
    const globexIds = [await estimateIn('globex'), await estimateIn('globex', roadEstimate())];
    const listed: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/v1/estimates?limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const result = await callRoute(estimatesRoute.GET, { path: query, ...acmeOwner() });
      expect(result.status, result.text).toBe(200);
      listed.push(...result.body.estimates.map((e: { id: string }) => e.id));
      cursor = result.body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    expect(listed.filter((id) => globexIds.includes(id))).toEqual([]);
    expect([...listed].sort()).toEqual((await estimateIdsOf(demo.acme.id)).sort());

    // And a search by name does not reach across either.
    const named = await callRoute(estimatesRoute.GET, { path: `/api/v1/estimates?q=${encodeURIComponent('Resurfacing')}&limit=200`, ...acmeOwner() });
    expect(named.body.estimates.map((e: { id: string }) => e.id).filter((id: string) => globexIds.includes(id))).toEqual([]);
  });

  it('finds only the tenant’s own estimates in a similar search, even one identical to another tenant’s', async () => {
    const twin = houseEstimate({ name: `Twin ${randomBytes(3).toString('hex')}`, project: 'Twin project' });
    const created: Record<TTenantSlug, string> = { acme: '', globex: '' };
    for (const slug of ['acme', 'globex'] as const) {
      const result = await callRoute(estimatesRoute.POST, {
        method: 'POST',
        path: '/api/v1/estimates',
        host: hostOf(slug),
        cookieFor: demo[slug].owner,
        body: twin,
      });
      expect(result.status, result.text).toBe(201);
      created[slug] = result.body.estimate.id;
    }
    await drainIndexOutbox();

    for (const [own, other] of [
      ['acme', 'globex'],
      ['globex', 'acme'],
    ] as const) {
      const search = await callRoute(searchRoute.POST, {
        method: 'POST',
        path: '/api/v1/estimates/search-similar',
        host: hostOf(own),
        cookieFor: demo[own].owner,
        body: searchBodyOf(twin, { limit: 50 }),
      });
      expect(search.status, search.text).toBe(200);
      const ids: string[] = search.body.results.map((r: { estimate: { id: string } }) => r.estimate.id);
      expect(ids).toContain(created[own]);
      expect(ids).not.toContain(created[other]);
      const ownIds = new Set(await estimateIdsOf(demo[own].id));
      expect(ids.filter((id) => !ownIds.has(id))).toEqual([]);
      expect(search.body.summary.count).toBe(ids.length);

      // The detail page's panel: the twin's neighbours are the tenant's own, never the other tenant's twin.
      const similar = await callRoute(similarRoute.GET, {
        path: `/api/v1/estimates/${created[own]}/similar?limit=50`,
        params: { id: created[own] },
        host: hostOf(own),
        cookieFor: demo[own].owner,
      });
      expect(similar.status, similar.text).toBe(200);
      const similarIds: string[] = similar.body.results.map((r: { estimate: { id: string } }) => r.estimate.id);
      expect(similarIds).not.toContain(created[other]);
      expect(similarIds).not.toContain(created[own]);
      expect(similarIds.filter((id) => !ownIds.has(id))).toEqual([]);
    }
  });

  it('keeps other tenants’ estimates out of reach of request code even without a tenant filter (row-level security)', async () => {
    const globexId = await estimateIn('globex');
    const visible = await withTenant(demo.acme.id, (tx) => tx.select({ id: costEstimates.id, tenantId: costEstimates.tenantId }).from(costEstimates));
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((row) => row.tenantId === demo.acme.id)).toBe(true);
    expect(visible.map((row) => row.id)).not.toContain(globexId);
    expect(visible.map((row) => row.id).sort()).toEqual((await estimateIdsOf(demo.acme.id)).sort());
  });
});

describe('bad input', () => {
  const acmeOwner = () => ({ host: hostOf('acme'), cookieFor: demo.acme.owner as TDemoMember });

  it.each([
    ['GET', '', estimateRoute.GET],
    ['PUT', '', estimateRoute.PUT],
    ['DELETE', '', estimateRoute.DELETE],
    ['GET', '/similar', similarRoute.GET],
  ] as const)('refuses %s /api/v1/estimates/{id}%s with an id that is not a UUID with 400 naming id, changing nothing', async (method, suffix, handler) => {
    const before = await allEstimates();
    const result = await callRoute(handler, {
      method,
      path: `/api/v1/estimates/not-a-uuid${suffix}`,
      params: { id: 'not-a-uuid' },
      body: method === 'PUT' ? houseEstimate() : undefined,
      ...acmeOwner(),
    });
    expectError(result, 400, 'validation_failed');
    expect(result.body.error.details.fields).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    expect(await allEstimates()).toEqual(before);
  });

  it('answers 404 for an unknown estimate id', async () => {
    const id = randomUUID();
    expectError(await callRoute(estimateRoute.GET, { path: `/api/v1/estimates/${id}`, params: { id }, ...acmeOwner() }), 404, 'not_found');
  });

  it('refuses limit=51 on similar and on search-similar with 400 naming limit', async () => {
    const id = await estimateIn('acme');
    const similar = await callRoute(similarRoute.GET, { path: `/api/v1/estimates/${id}/similar?limit=51`, params: { id }, ...acmeOwner() });
    expectError(similar, 400, 'validation_failed', /limit/);
    expect(similar.body.error.details.fields).toEqual([expect.objectContaining({ field: 'limit' })]);
    const search = await callRoute(searchRoute.POST, {
      method: 'POST',
      path: '/api/v1/estimates/search-similar',
      body: searchBodyOf(houseEstimate(), { limit: 51 }),
      ...acmeOwner(),
    });
    expectError(search, 400, 'validation_failed', /limit/);
    expect(search.body.error.details.fields).toEqual([expect.objectContaining({ field: 'limit' })]);
    // 50 is the most one may ask for.
    const fifty = await callRoute(similarRoute.GET, { path: `/api/v1/estimates/${id}/similar?limit=50`, params: { id }, ...acmeOwner() });
    expect(fifty.status, fifty.text).toBe(200);
  });

  it('refuses an unknown sort with 400 naming sort', async () => {
    const result = await callRoute(estimatesRoute.GET, { path: '/api/v1/estimates?sort=random', ...acmeOwner() });
    expectError(result, 400, 'validation_failed', /sort/);
    expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field: 'sort' })]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The operators' vector index endpoints.

const runCount = async () => (await ownerDb().select({ id: vectorReindexRuns.id }).from(vectorReindexRuns)).length;
const noState = async () => null;

interface TPlatformCase {
  operation: string;
  handler: TRouteHandler;
  successStatus: number;
  returns: string;
  request: () => Omit<TCallOptions, 'cookieFor' | 'apiKey'>;
  /** What a refused call must leave as it was, and an allowed write must change. */
  state: () => Promise<unknown>;
  isRead?: boolean;
}

const platformCases: TPlatformCase[] = [
  {
    operation: 'GET /api/v1/admin/vectors',
    handler: vectorsRoute.GET,
    successStatus: 200,
    returns: 'status',
    request: () => ({ path: '/api/v1/admin/vectors' }),
    state: noState,
    isRead: true,
  },
  {
    operation: 'POST /api/v1/admin/vectors/reindex',
    handler: reindexRoute.POST,
    successStatus: 202,
    returns: 'run',
    request: () => ({ method: 'POST', path: '/api/v1/admin/vectors/reindex', body: { tenantId: demo.globex.id } }),
    state: runCount,
  },
];

describe.each(platformCases)('$operation', (c) => {
  tested.add(c.operation);

  it(`lets a platform operator through with ${c.successStatus}`, async () => {
    const before = await c.state();
    const result = await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.operator });
    expect(result.status, result.text).toBe(c.successStatus);
    expect(result.body[c.returns]).toBeDefined();
    if (c.isRead) expect(await c.state()).toEqual(before);
    else expect(await c.state()).not.toEqual(before);
  });

  it("refuses a tenant owner's session with 403 and changes nothing", async () => {
    const before = await c.state();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.acme.owner }), 403, 'forbidden');
    expect(await c.state()).toEqual(before);
  });

  it('refuses a session that claims operator rights the database does not grant with 403', async () => {
    const before = await c.state();
    const result = await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: { ...demo.acme.owner, isPlatformAdmin: true } });
    expectError(result, 403, 'forbidden');
    expect(await c.state()).toEqual(before);
  });

  it('refuses a caller without a session with 401 and changes nothing', async () => {
    const before = await c.state();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST }), 401, 'unauthorized');
    expect(await c.state()).toEqual(before);
  });

  it("refuses even an owner's all-scopes API key with 401, on the apex and on its tenant's host", async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner'));
    const before = await c.state();
    for (const host of [APEX_HOST, hostOf('acme')]) {
      expectError(await callRoute(c.handler, { ...c.request(), host, apiKey }), 401, 'unauthorized', /platform operator/);
    }
    expect(await c.state()).toEqual(before);
  });
});

describe('what the operator endpoints answer', () => {
  const reindex = (body: unknown) =>
    callRoute(reindexRoute.POST, { method: 'POST', path: '/api/v1/admin/vectors/reindex', host: APEX_HOST, cookieFor: demo.operator, body });

  it('refuses a reindex of an unknown tenant with 404 and starts no run', async () => {
    const before = await runCount();
    expectError(await reindex({ tenantId: randomUUID() }), 404, 'not_found', /Tenant not found/);
    expect(await runCount()).toBe(before);
  });

  it('refuses a tenantId that is not a UUID, and unknown fields, with 400', async () => {
    const before = await runCount();
    expectError(await reindex({ tenantId: 'acme' }), 400, 'validation_failed', /tenantId/);
    expectError(await reindex({ tenant: demo.acme.id }), 400, 'validation_failed');
    expect(await runCount()).toBe(before);
  });

  it("rebuilds one tenant's vectors: 202 with the run, finished inline (no job queue here), counting that tenant's estimates", async () => {
    await estimateIn('acme');
    await estimateIn('acme', roadEstimate());
    const expected = (await estimateIdsOf(demo.acme.id)).length;
    expect(expected).toBeGreaterThanOrEqual(2);

    const result = await reindex({ tenantId: demo.acme.id });
    expect(result.status, result.text).toBe(202);
    expect(result.body.run).toMatchObject({
      id: expect.any(String),
      tenantId: demo.acme.id,
      status: 'done',
      totalEstimates: expected,
      indexedEstimates: expected,
      error: null,
    });

    const status = await callRoute(vectorsRoute.GET, { path: '/api/v1/admin/vectors', host: APEX_HOST, cookieFor: demo.operator });
    expect(status.status, status.text).toBe(200);
    expect(status.body.status).toMatchObject({ backend: 'postgres', embedderVersion: expect.any(String), estimates: (await allEstimates()).length });
    expect(status.body.status.runs[0]).toMatchObject({ id: result.body.run.id, status: 'done', indexedEstimates: expected });
  });
});

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1/estimates and app/api/v1/admin/vectors', async () => {
    const prefixes = ['/api/v1/estimates', '/api/v1/admin/vectors'];
    const ours = (await v1Operations()).filter((operation) => prefixes.some((prefix) => operation.split(' ')[1].startsWith(prefix)));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
