import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { plans } from '@/db/schema/billing';
import { seedDemoData } from '@/db/seed';
import { permissionsOf } from '@/lib/auth';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as planRoute from '../app/api/v1/admin/plans/[id]/route';
import * as plansRoute from '../app/api/v1/admin/plans/route';
import * as currentRoute from '../app/api/v1/usage/current/route';
import {
  APEX_HOST,
  callRoute,
  createKey,
  demoUsers,
  expectError,
  hostOf,
  type TCallOptions,
  type TDemo,
  type TRouteHandler,
} from './support/http';
import { v1Operations } from './support/routes';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

describe('GET /api/v1/usage/current', () => {
  const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
  for (const role of ROLES) {
    it(`lets an ${role} session see this period's usage (usage:read)`, async () => {
      const result = await callRoute(currentRoute.GET, { path: '/api/v1/usage/current', host: hostOf('acme'), cookieFor: demo.acme[role] });
      expect(result.status, result.text).toBe(200);
      expect(result.body).toMatchObject({ plan: { id: expect.any(String) }, files: { limit: expect.any(Number) }, storage: { used: expect.any(Number) } });
    });
  }

  it('refuses an API key without usage:read with 403 and a caller without credentials with 401', async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner').filter((p) => p !== 'usage:read'));
    expectError(await callRoute(currentRoute.GET, { path: '/api/v1/usage/current', host: hostOf('acme'), apiKey }), 403, 'forbidden');
    expectError(await callRoute(currentRoute.GET, { path: '/api/v1/usage/current', host: hostOf('acme') }), 401, 'unauthorized');
  });
});

const tested = new Set<string>();

interface TPlatformCase {
  operation: string;
  handler: TRouteHandler;
  request: () => Omit<TCallOptions, 'cookieFor' | 'apiKey'>;
  isRead?: boolean;
}

const planState = async () => (await ownerDb().select().from(plans).where(eq(plans.id, 'starter')))[0];

const platformCases: TPlatformCase[] = [
  { operation: 'GET /api/v1/admin/plans', handler: plansRoute.GET, request: () => ({ path: '/api/v1/admin/plans' }), isRead: true },
  {
    operation: 'PATCH /api/v1/admin/plans/{id}',
    handler: planRoute.PATCH,
    request: () => ({ method: 'PATCH', path: '/api/v1/admin/plans/starter', params: { id: 'starter' }, body: { priceCents: 3900 } }),
  },
];

describe.each(platformCases)('$operation', (c) => {
  tested.add(c.operation);

  it("refuses a tenant owner's session with 403 and changes nothing", async () => {
    const before = await planState();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.acme.owner }), 403, 'forbidden');
    expect(await planState()).toEqual(before);
  });

  it('refuses a caller without a session with 401 and changes nothing', async () => {
    const before = await planState();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST }), 401, 'unauthorized');
    expect(await planState()).toEqual(before);
  });

  it("refuses even an owner's all-scopes API key with 401", async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner'));
    const before = await planState();
    expectError(await callRoute(c.handler, { ...c.request(), host: APEX_HOST, apiKey }), 401, 'unauthorized');
    expect(await planState()).toEqual(before);
  });

  it('lets a platform operator through with 200', async () => {
    const before = await planState();
    const result = await callRoute(c.handler, { ...c.request(), host: APEX_HOST, cookieFor: demo.operator });
    expect(result.status, result.text).toBe(200);
    if (c.isRead) expect(await planState()).toEqual(before);
    else expect(await planState()).not.toEqual(before);
  });
});

describe('what the operator endpoints answer', () => {
  it('lists the plans cheapest first with money in cents', async () => {
    const result = await callRoute(plansRoute.GET, { path: '/api/v1/admin/plans', cookieFor: demo.operator });
    expect(result.body.plans.map((p: { id: string; priceCents: number }) => [p.id, p.priceCents])).toEqual([
      ['free', 0],
      ['starter', expect.any(Number)],
      ['professional', 9900],
      ['enterprise', 99_900],
    ]);
  });

  it('returns the changed plan and stores it', async () => {
    const result = await callRoute(planRoute.PATCH, {
      method: 'PATCH',
      path: '/api/v1/admin/plans/enterprise',
      params: { id: 'enterprise' },
      body: { per1kApiCallsCents: 4, isHardLimit: false },
      cookieFor: demo.operator,
    });
    expect(result.status).toBe(200);
    expect(result.body.plan).toMatchObject({ id: 'enterprise', per1kApiCallsCents: 4, isHardLimit: false, priceCents: 99_900 });
    const [stored] = await ownerDb().select({ cents: plans.per1kApiCallsCents }).from(plans).where(eq(plans.id, 'enterprise'));
    expect(stored.cents).toBe(4);
  });
});

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1/admin/plans', async () => {
    const ours = (await v1Operations()).filter((operation) => operation.split(' ')[1].startsWith('/api/v1/admin/plans'));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
