import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/db/seed';
import { permissionsOf } from '@/lib/auth';
import {
  callRoute,
  createKey,
  demoUsers,
  expectError,
  hostOf,
  type TCallOptions,
  type TDemo,
  type TRouteHandler,
} from './support/http';
import { routes } from './support/routes';
import { addMember, addMembership, apiKeyRow, invitationRow, invite, membershipsOf, uniqueEmail } from './support/state';

let demo: TDemo;
let globexInvitationId: string;
let globexKeyId: string;
let acmeKey: string;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  globexInvitationId = (await invite(demo.globex, uniqueEmail('globex-invitee'), 'viewer')).id;
  globexKeyId = (await apiKeyRow(await createKey('globex', 'owner', ['tenant:read'])))!.id;
  acmeKey = await createKey('acme', 'owner', permissionsOf('owner'));
});

/** Everything of globex's that an [id] endpoint could touch, as stored. */
async function globexState() {
  return {
    memberships: await membershipsOf(demo.globex.id),
    invitation: await invitationRow(globexInvitationId),
    apiKey: await apiKeyRow(globexKeyId),
  };
}

interface TByIdCase {
  operation: string;
  handler: TRouteHandler;
  target: () => string;
  body?: unknown;
}

const byIdCases: TByIdCase[] = [
  { operation: 'PATCH /api/v1/members/{id}', handler: routes.member.PATCH, target: () => demo.globex.editor.membershipId, body: { role: 'viewer' } },
  { operation: 'DELETE /api/v1/members/{id}', handler: routes.member.DELETE, target: () => demo.globex.viewer.membershipId },
  { operation: 'PATCH /api/v1/invitations/{id}', handler: routes.invitation.PATCH, target: () => globexInvitationId, body: { role: 'editor' } },
  { operation: 'DELETE /api/v1/invitations/{id}', handler: routes.invitation.DELETE, target: () => globexInvitationId },
  { operation: 'PATCH /api/v1/api-keys/{id}', handler: routes.apiKey.PATCH, target: () => globexKeyId, body: { name: 'stolen' } },
  { operation: 'DELETE /api/v1/api-keys/{id}', handler: routes.apiKey.DELETE, target: () => globexKeyId },
];

const callers: { label: string; credentials: () => Pick<TCallOptions, 'cookieFor' | 'apiKey' | 'host'> }[] = [
  { label: "acme's admin (session on acme's host)", credentials: () => ({ cookieFor: demo.acme.admin, host: hostOf('acme') }) },
  { label: "acme's owner (session on acme's host)", credentials: () => ({ cookieFor: demo.acme.owner, host: hostOf('acme') }) },
  { label: "acme's all-scopes API key", credentials: () => ({ apiKey: acmeKey }) },
];

describe.each(byIdCases)("$operation with globex's id", (c) => {
  for (const caller of callers) {
    it(`answers ${caller.label} with 404 and leaves globex's rows unchanged`, async () => {
      const before = await globexState();
      const id = c.target();
      const result = await callRoute(c.handler, {
        method: c.operation.split(' ')[0],
        path: c.operation.split(' ')[1].replace('{id}', id),
        params: { id },
        body: c.body,
        ...caller.credentials(),
      });
      expectError(result, 404, 'not_found', /not found/i);
      expect(await globexState()).toEqual(before);
    });
  }
});

describe('tenant header and membership', () => {
  it('ignores a spoofed x-tenant-slug: globex on an acme request and answers with acme', async () => {
    const tenant = await callRoute(routes.tenant.GET, {
      path: '/api/v1/tenant',
      host: hostOf('acme'),
      cookieFor: demo.acme.viewer,
      headers: { 'x-tenant-slug': 'globex' },
    });
    expect(tenant.status).toBe(200);
    expect(tenant.body.tenant).toMatchObject({ id: demo.acme.id, slug: 'acme' });

    const members = await callRoute(routes.members.GET, {
      path: '/api/v1/members',
      apiKey: acmeKey,
      headers: { 'x-tenant-slug': 'globex' },
    });
    expect(members.status).toBe(200);
    expect(members.body.members.map((m: { email: string }) => m.email)).toContain(demo.acme.owner.email);
    expect(members.body.members.map((m: { email: string }) => m.email)).not.toContain(demo.globex.owner.email);
  });

  it("refuses a globex-only user's session on acme's host with 403", async () => {
    for (const handler of [routes.tenant.GET, routes.members.GET]) {
      const result = await callRoute(handler, { path: '/api/v1/members', host: hostOf('acme'), cookieFor: demo.globex.owner });
      expectError(result, 403, 'forbidden', /not a member/);
    }
  });

  it("refuses a globex-only user's session that names acme with X-Tenant-ID with 403", async () => {
    const result = await callRoute(routes.tenant.GET, {
      path: '/api/v1/tenant',
      cookieFor: demo.globex.owner,
      headers: { 'x-tenant-id': demo.acme.id },
    });
    expectError(result, 403, 'forbidden');
  });

  it('never lists globex members on acme, even a user who belongs to both', async () => {
    const both = await addMember(demo.globex.id, 'viewer');
    const acmeMembershipOfBoth = await addMembership(demo.acme.id, both.id, 'viewer');
    for (const credentials of [{ cookieFor: demo.acme.viewer, host: hostOf('acme') }, { apiKey: acmeKey }]) {
      const result = await callRoute(routes.members.GET, { path: '/api/v1/members', ...credentials });
      expect(result.status).toBe(200);
      const ids = result.body.members.map((m: { id: string }) => m.id).sort();
      expect(ids).toEqual((await membershipsOf(demo.acme.id)).map((m) => m.id).sort());
      expect(ids).toContain(acmeMembershipOfBoth);
      expect(ids).not.toContain(both.membershipId);
      const globexIds = new Set((await membershipsOf(demo.globex.id)).map((m) => m.id));
      expect(ids.filter((id: string) => globexIds.has(id))).toEqual([]);
    }
  });

  it("shows acme's invitations and keys only to acme", async () => {
    const invitations = await callRoute(routes.invitations.GET, { path: '/api/v1/invitations', apiKey: acmeKey });
    expect(invitations.status).toBe(200);
    expect(invitations.body.invitations.map((i: { id: string }) => i.id)).not.toContain(globexInvitationId);
    const keys = await callRoute(routes.apiKeys.GET, { path: '/api/v1/api-keys', apiKey: acmeKey });
    expect(keys.status).toBe(200);
    expect(keys.body.apiKeys.length).toBeGreaterThan(0);
    expect(keys.body.apiKeys.map((k: { id: string }) => k.id)).not.toContain(globexKeyId);
  });
});
