import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { permissionsOf, ROLE_PERMISSIONS } from '@/lib/auth';
import { recordAudit, type TAuditEvent } from '@/lib/audit';
import { withPlatform, withTenant } from '@/lib/tenancy';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as exportRoute from '../app/api/v1/audit/export/route';
import * as logsRoute from '../app/api/v1/audit/logs/route';
import * as summaryRoute from '../app/api/v1/audit/summary/route';
import * as verifyRoute from '../app/api/v1/audit/verify/route';
import { APEX_HOST, callRoute, createKey, demoUsers, expectError, hostOf, type TCallOptions, type TCallResult, type TDemo, type TJson, type TRouteHandler } from './support/http';
import { v1Operations } from './support/routes';

/**
 * Who may read the audit log (audit:read: admins and owners, keys with that scope), and that a tenant only
 * ever sees its own chain: never another tenant's events nor the platform's (no tenant), whatever it filters by.
 */

let demo: TDemo;
const marker = randomBytes(4).toString('hex');

/** Events of acme, globex and the platform, each carrying the marker so a leak would be found by any filter. */
const eventOf = (tenantId: string | null, who: string): TAuditEvent => ({
  tenantId,
  type: 'data_modify',
  action: `secret.${who}`,
  actor: { type: 'user', id: `actor-${who}-${marker}`, name: `Actor ${who} ${marker}` },
  target: { type: `target-${who}`, id: `target-${who}-${marker}`, name: `Target ${who} ${marker}` },
  metadata: { marker, who },
});

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  await withTenant(demo.acme.id, (tx) => recordAudit(tx, eventOf(demo.acme.id, 'acme')));
  await withTenant(demo.globex.id, (tx) => recordAudit(tx, eventOf(demo.globex.id, 'globex')));
  await withPlatform((tx) => recordAudit(tx, eventOf(null, 'platform')));
});

interface TCase {
  operation: string;
  handler: TRouteHandler;
  path: string;
  /** What a successful answer holds. */
  expectAnswer: (result: TCallResult) => void;
}

const cases: TCase[] = [
  {
    operation: 'GET /api/v1/audit/logs',
    handler: logsRoute.GET,
    path: '/api/v1/audit/logs',
    expectAnswer: (result) => expect(result.body).toEqual({ events: expect.any(Array), nextCursor: null }),
  },
  {
    operation: 'GET /api/v1/audit/summary',
    handler: summaryRoute.GET,
    path: '/api/v1/audit/summary?period=24h',
    expectAnswer: (result) => expect(result.body).toMatchObject({ period: '24h', total: expect.any(Number), byAction: expect.any(Array) }),
  },
  {
    operation: 'GET /api/v1/audit/export',
    handler: exportRoute.GET,
    path: '/api/v1/audit/export?format=jsonl',
    expectAnswer: (result) => {
      expect(result.headers.get('content-type')).toBe('application/x-ndjson');
      expect(result.text.length).toBeGreaterThan(0);
    },
  },
  {
    operation: 'GET /api/v1/audit/verify',
    handler: verifyRoute.GET,
    path: '/api/v1/audit/verify',
    expectAnswer: (result) => expect(result.body).toMatchObject({ ok: true, checked: expect.any(Number) }),
  },
];

const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const tested = new Set<string>();
const call = (c: TCase, options: Partial<TCallOptions> = {}) => callRoute(c.handler, { path: c.path, host: hostOf('acme'), ...options });

describe.each(cases)('$operation', (c) => {
  tested.add(c.operation);

  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has('audit:read')) {
      it(`lets an ${role} session through (audit:read)`, async () => {
        const result = await call(c, { cookieFor: demo.acme[role] });
        expect(result.status, result.text).toBe(200);
        c.expectAnswer(result);
      });
    } else {
      it(`refuses a ${role} session with 403 (needs audit:read)`, async () => {
        expectError(await call(c, { cookieFor: demo.acme[role] }), 403, 'forbidden');
      });
    }
  }

  it('lets an API key scoped to just audit:read through', async () => {
    const result = await call(c, { apiKey: await createKey('acme', 'owner', ['audit:read']) });
    expect(result.status, result.text).toBe(200);
    c.expectAnswer(result);
  });

  it('refuses an API key with every other scope but audit:read with 403 naming the permission', async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner').filter((p) => p !== 'audit:read'));
    const result = await call(c, { apiKey });
    expectError(result, 403, 'forbidden', /audit:read/);
  });

  it('refuses a caller without credentials, or with an unknown key, with 401', async () => {
    expectError(await call(c), 401, 'unauthorized');
    expectError(await call(c, { apiKey: `sw_aaaaaaaaaaaa_${'A'.repeat(43)}` }), 401, 'unauthorized');
  });

  it("refuses acme's owner on globex's subdomain, and acme's key sent to globex, with 403", async () => {
    expectError(await call(c, { host: hostOf('globex'), cookieFor: demo.acme.owner }), 403, 'forbidden');
    const apiKey = await createKey('acme', 'owner', ['audit:read']);
    expectError(await call(c, { host: hostOf('globex'), apiKey }), 403, 'forbidden');
    expectError(await call(c, { host: APEX_HOST, headers: { 'x-tenant-id': 'globex' }, apiKey }), 403, 'forbidden');
  });
});

describe('another tenant’s and the platform’s events', () => {
  const asAcme = (handler: TRouteHandler, path: string) => callRoute(handler, { path, host: hostOf('acme'), cookieFor: demo.acme.admin });
  const FOREIGN = ['globex', 'platform'];

  it('are never listed, whatever the filter names', async () => {
    for (const who of FOREIGN) {
      const filters = [
        '',
        `actor=actor-${who}-${marker}`,
        `actor=Actor ${who}`,
        `action=secret.${who}`,
        `type=data_modify`,
        `targetType=target-${who}`,
        `targetId=target-${who}-${marker}`,
        `targetType=target-${who}&targetId=target-${who}-${marker}`,
        `q=${marker}`,
        `q=${who}`,
        `outcome=success&from=2000-01-01&to=2100-01-01`,
      ];
      for (const filter of filters) {
        const result = await asAcme(logsRoute.GET, `/api/v1/audit/logs?limit=500&${encodeURI(filter)}`);
        expect(result.status, `${filter}: ${result.text}`).toBe(200);
        expect(result.body.events.filter((e: TJson) => e.metadata.marker === marker && e.metadata.who !== 'acme'), filter).toEqual([]);
      }
    }
    // The same filters do find acme's own event: the filters work, the others' rows are just not there.
    const own = await asAcme(logsRoute.GET, `/api/v1/audit/logs?q=${marker}`);
    expect(own.body.events.map((e: TJson) => e.action)).toEqual(['secret.acme']);
  });

  it('are not in the summary, the export or the chain acme verifies', async () => {
    const summary = await asAcme(summaryRoute.GET, '/api/v1/audit/summary?period=24h');
    expect(summary.body.byAction.map((a: TJson) => a.action)).not.toContain('secret.globex');
    expect(summary.body.byAction.map((a: TJson) => a.action)).not.toContain('secret.platform');
    expect(summary.body.byActor.map((a: TJson) => a.actorId)).not.toContain(`actor-globex-${marker}`);

    for (const format of ['csv', 'jsonl']) {
      const exported = await asAcme(exportRoute.GET, `/api/v1/audit/export?format=${format}`);
      expect(exported.status).toBe(200);
      expect(exported.text).toContain(`actor-acme-${marker}`);
      expect(exported.text).not.toContain(`actor-globex-${marker}`);
      expect(exported.text).not.toContain(`actor-platform-${marker}`);
    }

    const [{ count }] = await ownerDb().execute<{ count: string }>(sql`select count(*) as count from audit_logs where tenant_id = ${demo.acme.id}`);
    const verified = await asAcme(verifyRoute.GET, '/api/v1/audit/verify');
    expect(verified.body).toMatchObject({ ok: true, checked: Number(count) });
  });
});

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1/audit', async () => {
    const ours = (await v1Operations()).filter((operation) => operation.split(' ')[1].startsWith('/api/v1/audit'));
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
