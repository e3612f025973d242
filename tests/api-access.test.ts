import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { createApiKey, permissionsOf, ROLE_PERMISSIONS, type TPermission } from '@/lib/auth';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
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
  type TRouteHandler,
} from './support/http';
import { v1Operations, routes } from './support/routes';
import {
  addMember,
  apiKeyRow,
  apiKeysOf,
  invitationRow,
  invitationsOf,
  invite,
  membershipRole,
  settingsRow,
  tenantRow,
  uniqueEmail,
} from './support/state';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const suffix = () => randomBytes(4).toString('hex');

/** What one call acts on, and a read of the state it would change. */
interface TArranged {
  path: string;
  params?: Record<string, string>;
  body?: unknown;
  state: () => Promise<unknown>;
}

interface TEndpointCase {
  operation: string;
  handler: TRouteHandler;
  successStatus: number;
  arrange: () => Promise<TArranged>;
  /** Reads: the key a successful response carries. Writes leave it out and must change the state. */
  returns?: string;
}

interface TTenantCase extends TEndpointCase {
  permission: TPermission;
}

const noState = async () => null;
const methodOf = (c: TEndpointCase) => c.operation.split(' ')[0];

const tenantCases: TTenantCase[] = [
  {
    operation: 'GET /api/v1/tenant',
    handler: routes.tenant.GET,
    permission: 'tenant:read',
    successStatus: 200,
    returns: 'tenant',
    arrange: async () => ({ path: '/api/v1/tenant', state: noState }),
  },
  {
    operation: 'PATCH /api/v1/tenant/settings',
    handler: routes.tenantSettings.PATCH,
    permission: 'settings:manage',
    successStatus: 200,
    arrange: async () => ({
      path: '/api/v1/tenant/settings',
      body: { brandingDisplayName: `Acme ${suffix()}` },
      state: async () => (await settingsRow(demo.acme.id))!.brandingDisplayName,
    }),
  },
  {
    operation: 'GET /api/v1/members',
    handler: routes.members.GET,
    permission: 'members:read',
    successStatus: 200,
    returns: 'members',
    arrange: async () => ({ path: '/api/v1/members', state: noState }),
  },
  {
    operation: 'PATCH /api/v1/members/{id}',
    handler: routes.member.PATCH,
    permission: 'members:manage',
    successStatus: 200,
    arrange: async () => {
      const target = await addMember(demo.acme.id, 'editor');
      return {
        path: `/api/v1/members/${target.membershipId}`,
        params: { id: target.membershipId },
        body: { role: 'viewer' },
        state: () => membershipRole(target.membershipId),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/members/{id}',
    handler: routes.member.DELETE,
    permission: 'members:manage',
    successStatus: 204,
    arrange: async () => {
      const target = await addMember(demo.acme.id, 'viewer');
      return {
        path: `/api/v1/members/${target.membershipId}`,
        params: { id: target.membershipId },
        state: () => membershipRole(target.membershipId),
      };
    },
  },
  {
    operation: 'GET /api/v1/invitations',
    handler: routes.invitations.GET,
    permission: 'members:manage',
    successStatus: 200,
    returns: 'invitations',
    arrange: async () => ({ path: '/api/v1/invitations', state: noState }),
  },
  {
    operation: 'POST /api/v1/invitations',
    handler: routes.invitations.POST,
    permission: 'members:manage',
    successStatus: 201,
    arrange: async () => {
      const email = uniqueEmail('invitee');
      return {
        path: '/api/v1/invitations',
        body: { email, role: 'viewer' },
        state: async () => (await invitationsOf(demo.acme.id)).filter((i) => i.email === email).length,
      };
    },
  },
  {
    operation: 'PATCH /api/v1/invitations/{id}',
    handler: routes.invitation.PATCH,
    permission: 'members:manage',
    successStatus: 200,
    arrange: async () => {
      const { id } = await invite(demo.acme, uniqueEmail('invitee'), 'viewer');
      return {
        path: `/api/v1/invitations/${id}`,
        params: { id },
        body: { role: 'editor' },
        state: async () => (await invitationRow(id))!.role,
      };
    },
  },
  {
    operation: 'DELETE /api/v1/invitations/{id}',
    handler: routes.invitation.DELETE,
    permission: 'members:manage',
    successStatus: 204,
    arrange: async () => {
      const { id } = await invite(demo.acme, uniqueEmail('invitee'), 'viewer');
      return {
        path: `/api/v1/invitations/${id}`,
        params: { id },
        state: async () => (await invitationRow(id))!.revokedAt,
      };
    },
  },
  {
    operation: 'GET /api/v1/api-keys',
    handler: routes.apiKeys.GET,
    permission: 'keys:manage',
    successStatus: 200,
    returns: 'apiKeys',
    arrange: async () => ({ path: '/api/v1/api-keys', state: noState }),
  },
  {
    operation: 'POST /api/v1/api-keys',
    handler: routes.apiKeys.POST,
    permission: 'keys:manage',
    successStatus: 201,
    arrange: async () => {
      const name = `key ${suffix()}`;
      return {
        path: '/api/v1/api-keys',
        body: { name, scopes: ['keys:manage'] },
        state: async () => (await apiKeysOf(demo.acme.id)).filter((k) => k.name === name).length,
      };
    },
  },
  {
    operation: 'PATCH /api/v1/api-keys/{id}',
    handler: routes.apiKey.PATCH,
    permission: 'keys:manage',
    successStatus: 200,
    arrange: async () => {
      const { id } = (await apiKeyRow(await createKey('acme', 'owner', ['tenant:read'])))!;
      return {
        path: `/api/v1/api-keys/${id}`,
        params: { id },
        body: { name: `renamed ${suffix()}` },
        state: async () => (await apiKeyRow(id))!.name,
      };
    },
  },
  {
    operation: 'DELETE /api/v1/api-keys/{id}',
    handler: routes.apiKey.DELETE,
    permission: 'keys:manage',
    successStatus: 204,
    arrange: async () => {
      const { id } = (await apiKeyRow(await createKey('acme', 'owner', ['tenant:read'])))!;
      return { path: `/api/v1/api-keys/${id}`, params: { id }, state: async () => (await apiKeyRow(id))!.revokedAt };
    },
  },
];

type TCredentials = Pick<TCallOptions, 'cookieFor' | 'apiKey' | 'headers'>;

async function call(c: TEndpointCase, arranged: TArranged, credentials: TCredentials, host: string): Promise<TCallResult> {
  return callRoute(c.handler, {
    method: methodOf(c),
    host,
    path: arranged.path,
    params: arranged.params,
    body: arranged.body,
    ...credentials,
  });
}

/** A refused call: the status and error code, and the state exactly as before. */
async function expectRefused(c: TEndpointCase, credentials: TCredentials, host: string, status: number, code: string) {
  const arranged = await c.arrange();
  const before = await arranged.state();
  const result = await call(c, arranged, credentials, host);
  expectError(result, status, code);
  expect(await arranged.state()).toEqual(before);
}

/** An allowed call: the success status, and the data returned (reads) or the state changed (writes). */
async function expectAllowed(c: TEndpointCase, credentials: TCredentials, host: string) {
  const arranged = await c.arrange();
  const before = await arranged.state();
  const result = await call(c, arranged, credentials, host);
  expect(result.status, JSON.stringify(result.body)).toBe(c.successStatus);
  if (c.returns) expect(result.body[c.returns]).toBeDefined();
  else expect(await arranged.state()).not.toEqual(before);
}

const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const tested = new Set<string>();

describe.each(tenantCases)('$operation', (c) => {
  tested.add(c.operation);
  const acme = hostOf('acme');

  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has(c.permission)) {
      it(`lets an ${role} session through (${c.permission}) with ${c.successStatus}`, () =>
        expectAllowed(c, { cookieFor: demo.acme[role] }, acme));
    } else {
      it(`refuses a ${role} session with 403 (needs ${c.permission}) and changes nothing`, () =>
        expectRefused(c, { cookieFor: demo.acme[role] }, acme, 403, 'forbidden'));
    }
  }

  it(`lets an API key scoped to just ${c.permission} through`, async () =>
    expectAllowed(c, { apiKey: await createKey('acme', 'owner', [c.permission]) }, acme));

  it(`refuses an API key with every other scope but ${c.permission} with 403 and changes nothing`, async () => {
    const scopes = permissionsOf('owner').filter((p) => p !== c.permission);
    await expectRefused(c, { apiKey: await createKey('acme', 'owner', scopes) }, acme, 403, 'forbidden');
  });

  it('refuses a caller without credentials with 401 and changes nothing', () => expectRefused(c, {}, acme, 401, 'unauthorized'));

  it('refuses an Authorization header that is not a bearer with 401 and changes nothing', () =>
    expectRefused(c, { headers: { authorization: 'Basic b3duZXI6c2l0ZXdvcmstZGVtbw==' } }, acme, 401, 'unauthorized'));

  it('refuses a bearer that is not an API key with 401 and changes nothing', () =>
    expectRefused(c, { apiKey: 'not-an-api-key' }, acme, 401, 'unauthorized'));

  it('refuses an unknown API key with 401 and changes nothing', () =>
    expectRefused(c, { apiKey: `sw_aaaaaaaaaaaa_${'A'.repeat(43)}` }, acme, 401, 'unauthorized'));
});

const platformCases: TEndpointCase[] = [
  {
    operation: 'GET /api/v1/admin/tenants',
    handler: routes.adminTenants.GET,
    successStatus: 200,
    returns: 'tenants',
    arrange: async () => ({ path: '/api/v1/admin/tenants', state: noState }),
  },
  {
    operation: 'POST /api/v1/admin/tenants',
    handler: routes.adminTenants.POST,
    successStatus: 201,
    arrange: async () => {
      const slug = `co-${suffix()}`;
      return {
        path: '/api/v1/admin/tenants',
        body: { name: 'New Co', slug, ownerEmail: demo.acme.owner.email },
        state: async () => (await ownerDb().select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug))).length,
      };
    },
  },
  {
    operation: 'PATCH /api/v1/admin/tenants/{id}',
    handler: routes.adminTenant.PATCH,
    successStatus: 200,
    arrange: async () => {
      const { id } = await withPlatform((tx) => createTenant(tx, { name: 'Target', slug: `target-${suffix()}` }));
      return {
        path: `/api/v1/admin/tenants/${id}`,
        params: { id },
        body: { plan: 'starter' },
        state: async () => (await tenantRow(id))!.plan,
      };
    },
  },
  {
    operation: 'GET /api/v1/admin/users',
    handler: routes.adminUsers.GET,
    successStatus: 200,
    returns: 'users',
    arrange: async () => ({ path: '/api/v1/admin/users', state: noState }),
  },
];

describe.each(platformCases)('$operation', (c) => {
  tested.add(c.operation);

  it('lets a platform operator session through', () => expectAllowed(c, { cookieFor: demo.operator }, APEX_HOST));

  it("refuses a tenant owner's session with 403 and changes nothing", () =>
    expectRefused(c, { cookieFor: demo.acme.owner }, APEX_HOST, 403, 'forbidden'));

  it('refuses a session that claims operator rights the database does not grant with 403', () =>
    expectRefused(c, { cookieFor: { ...demo.acme.owner, isPlatformAdmin: true } }, APEX_HOST, 403, 'forbidden'));

  it('refuses a caller without a session with 401 and changes nothing', () => expectRefused(c, {}, APEX_HOST, 401, 'unauthorized'));

  it("refuses even an owner's all-scopes API key with 401: keys never reach the operator console", async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner'));
    await expectRefused(c, { apiKey }, APEX_HOST, 401, 'unauthorized');
  });
});

describe('public endpoints', () => {
  it('serves GET /api/v1/openapi.json to anyone', async () => {
    tested.add('GET /api/v1/openapi.json');
    const result = await callRoute(routes.openapi.GET, { path: '/api/v1/openapi.json' });
    expect(result.status).toBe(200);
    expect(result.body.openapi).toBe('3.1.0');
  });

  it('accepts POST /api/v1/invitations/accept with no credentials but the token', async () => {
    tested.add('POST /api/v1/invitations/accept');
    const email = uniqueEmail('public');
    const { id, token } = await invite(demo.acme, email, 'viewer');
    const result = await callRoute(routes.acceptInvitation.POST, {
      method: 'POST',
      path: '/api/v1/invitations/accept',
      body: { token, name: 'Pat Public', password: 'long-enough-password' },
    });
    expect(result.status).toBe(200);
    expect((await invitationRow(id))!.acceptedAt).not.toBeNull();
  });
});

// Capabilities with their own access tables (each checks its own coverage the same way).
const COVERED_ELSEWHERE = [
  ['/api/v1/files', 'tests/files-access.test.ts'],
  ['/api/v1/admin/archival', 'tests/archival-access.test.ts'],
  ['/api/v1/usage', 'tests/usage-access.test.ts'],
  ['/api/v1/admin/plans', 'tests/billing-access.test.ts'],
  ['/api/v1/invoices', 'tests/invoices-access.test.ts'],
  ['/api/v1/billing', 'tests/invoices-access.test.ts'],
  ['/api/v1/admin/invoices', 'tests/invoices-access.test.ts'],
  ['/api/v1/audit', 'tests/audit-access.test.ts'],
  ['/api/v1/errors', 'tests/errors-access.test.ts'],
  ['/api/v1/admin/errors', 'tests/errors-access.test.ts'],
  ['/api/v1/estimates', 'tests/estimates-access.test.ts'],
  ['/api/v1/admin/vectors', 'tests/estimates-access.test.ts'],
] as const;

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1', async () => {
    const ours = (await v1Operations()).filter(
      (operation) => !COVERED_ELSEWHERE.some(([prefix]) => operation.split(' ')[1].startsWith(prefix)),
    );
    expect([...tested].sort()).toEqual(ours.sort());
  });
});

describe('naming the tenant', () => {
  it('answers 404 JSON for an unknown subdomain, whoever calls', async () => {
    const apiKey = await createKey('acme', 'owner', ['tenant:read']);
    for (const credentials of [{}, { cookieFor: demo.acme.owner }, { apiKey }]) {
      const result = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf('nosuch'), ...credentials });
      expectError(result, 404, 'not_found', /not found/i);
    }
  });

  it('answers 404 for an unknown X-Tenant-ID', async () => {
    const result = await callRoute(routes.tenant.GET, {
      path: '/api/v1/tenant',
      cookieFor: demo.acme.owner,
      headers: { 'x-tenant-id': 'nosuch' },
    });
    expectError(result, 404, 'not_found');
  });

  it("answers 404 to a deactivated tenant's own owner and key, and changes nothing", async () => {
    const { id } = await withPlatform((tx) => createTenant(tx, { name: 'Dormant', slug: `dormant-${suffix()}` }));
    const owner = await addMember(id, 'owner');
    const { secret } = await withTenant(id, (tx) =>
      createApiKey(tx, id, { userId: owner.id, role: 'owner' }, { name: 'k', scopes: ['tenant:read', 'settings:manage'] }),
    );
    const slug = (await tenantRow(id))!.slug;
    await ownerDb().update(tenants).set({ isActive: false }).where(eq(tenants.id, id));
    const before = await settingsRow(id);

    for (const credentials of [{ cookieFor: owner, host: hostOf(slug) }, { apiKey: secret }, { apiKey: secret, host: hostOf(slug) }]) {
      const result = await callRoute(routes.tenantSettings.PATCH, {
        method: 'PATCH',
        path: '/api/v1/tenant/settings',
        body: { brandingDisplayName: 'Woken up' },
        ...credentials,
      });
      expectError(result, 404, 'not_found', /deactivated/);
    }
    expect(await settingsRow(id)).toEqual(before);
  });

  it('asks a session on the apex to name the tenant with 400', async () => {
    const result = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', cookieFor: demo.acme.owner });
    expectError(result, 400, 'bad_request', /X-Tenant-ID/);
  });

  it('accepts X-Tenant-ID by slug or by id from a session on the apex', async () => {
    for (const named of ['acme', demo.acme.id]) {
      const result = await callRoute(routes.tenant.GET, {
        path: '/api/v1/tenant',
        cookieFor: demo.acme.viewer,
        headers: { 'x-tenant-id': named },
      });
      expect(result.status).toBe(200);
      expect(result.body.tenant.id).toBe(demo.acme.id);
    }
  });

  it('refuses a request whose subdomain and X-Tenant-ID disagree with 400', async () => {
    const result = await callRoute(routes.tenant.GET, {
      path: '/api/v1/tenant',
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
      headers: { 'x-tenant-id': 'globex' },
    });
    expectError(result, 400, 'bad_request', /acme.*globex/);
  });

  it("refuses acme's key sent with X-Tenant-ID: globex or to globex's subdomain with 403, changing neither tenant", async () => {
    const apiKey = await createKey('acme', 'owner', ['tenant:read', 'settings:manage']);
    const before = [await settingsRow(demo.acme.id), await settingsRow(demo.globex.id)];
    for (const where of [{ headers: { 'x-tenant-id': 'globex' } }, { host: hostOf('globex') }]) {
      const patch = await callRoute(routes.tenantSettings.PATCH, {
        method: 'PATCH',
        path: '/api/v1/tenant/settings',
        body: { brandingDisplayName: 'Hijacked' },
        apiKey,
        ...where,
      });
      expectError(patch, 403, 'forbidden', /another organisation/);
      const read = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', apiKey, ...where });
      expectError(read, 403, 'forbidden');
    }
    expect([await settingsRow(demo.acme.id), await settingsRow(demo.globex.id)]).toEqual(before);
  });
});

describe('validation', () => {
  it('refuses malformed JSON with 400 invalid_json and changes nothing', async () => {
    const target = await addMember(demo.acme.id, 'editor');
    const result = await callRoute(routes.member.PATCH, {
      method: 'PATCH',
      path: `/api/v1/members/${target.membershipId}`,
      params: { id: target.membershipId },
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
      body: '{"role": ',
    });
    expectError(result, 400, 'invalid_json', /not valid JSON/);
    expect(await membershipRole(target.membershipId)).toBe('editor');
  });

  it('refuses an unknown role with 400 naming the role field, and changes nothing', async () => {
    const target = await addMember(demo.acme.id, 'editor');
    const result = await callRoute(routes.member.PATCH, {
      method: 'PATCH',
      path: `/api/v1/members/${target.membershipId}`,
      params: { id: target.membershipId },
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
      body: { role: 'god' },
    });
    expectError(result, 400, 'validation_failed', /role/);
    expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field: 'role' })]);
    expect(await membershipRole(target.membershipId)).toBe('editor');
  });

  it('refuses an unknown field with 400 naming it, and creates nothing', async () => {
    const email = uniqueEmail('extra');
    const result = await callRoute(routes.invitations.POST, {
      method: 'POST',
      path: '/api/v1/invitations',
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
      body: { email, role: 'viewer', isAdmin: true },
    });
    expectError(result, 400, 'validation_failed', /isAdmin/);
    expect((await invitationsOf(demo.acme.id)).filter((i) => i.email === email)).toEqual([]);
  });

  it('refuses a path id that is not a UUID with 400 naming id', async () => {
    const result = await callRoute(routes.member.DELETE, {
      method: 'DELETE',
      path: '/api/v1/members/abc',
      params: { id: 'abc' },
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
    });
    expectError(result, 400, 'validation_failed');
    expect(result.body.error.details.fields).toEqual([{ field: 'id', message: 'must be a UUID' }]);
  });

  it('refuses an out-of-range query parameter with 400 naming it', async () => {
    const result = await callRoute(routes.adminUsers.GET, { path: '/api/v1/admin/users?limit=0', cookieFor: demo.operator });
    expectError(result, 400, 'validation_failed', /limit/);
    expect(result.body.error.details.fields[0].field).toBe('limit');
  });

  it('authorises before it validates: an invalid body from a viewer is 403, not 400', async () => {
    const target = await addMember(demo.acme.id, 'editor');
    const result = await callRoute(routes.member.PATCH, {
      method: 'PATCH',
      path: `/api/v1/members/${target.membershipId}`,
      params: { id: target.membershipId },
      host: hostOf('acme'),
      cookieFor: demo.acme.viewer,
      body: { role: 'god' },
    });
    expectError(result, 403, 'forbidden');
  });

  it('refuses a JSON body over 1 MiB with 413 and changes nothing', async () => {
    const before = await settingsRow(demo.acme.id);
    const result = await callRoute(routes.tenantSettings.PATCH, {
      method: 'PATCH',
      path: '/api/v1/tenant/settings',
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
      body: { brandingDisplayName: 'x'.repeat(1024 * 1024 + 1) },
    });
    expectError(result, 413, 'payload_too_large');
    expect(await settingsRow(demo.acme.id)).toEqual(before);
  });
});

describe('error shape', () => {
  it('echoes a well-formed X-Request-Id in the header and the error body', async () => {
    const result = await callRoute(routes.members.GET, {
      path: '/api/v1/members',
      host: hostOf('acme'),
      headers: { 'x-request-id': 'trace-0123456789' },
    });
    expectError(result, 401, 'unauthorized');
    expect(result.body.error.requestId).toBe('trace-0123456789');
  });

  it('replaces a malformed X-Request-Id with a fresh UUID', async () => {
    const result = await callRoute(routes.members.GET, {
      path: '/api/v1/members',
      host: hostOf('acme'),
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expectError(result, 401, 'unauthorized');
    expect(result.body.error.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('tells a key which permission it lacks', async () => {
    const apiKey = await createKey('acme', 'owner', ['tenant:read']);
    const result = await callRoute(routes.members.GET, { path: '/api/v1/members', host: hostOf('acme'), apiKey });
    expectError(result, 403, 'forbidden', /members:read/);
    expect(result.body.error.details).toEqual({ permission: 'members:read' });
  });
});
