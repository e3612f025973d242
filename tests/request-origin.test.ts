import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditLogs } from '@/db/schema/audit';
import { signUpRequests } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { createTenant, withPlatform } from '@/lib/tenancy';
// Server actions are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import { signUpAction } from '../app/(site)/sign-up/actions';
import { updateSettingsAction } from '../app/t/[tenant]/(portal)/settings/actions';
import { APEX_HOST, browserOriginOf, callRoute, createKey, demoUsers, expectError, hostOf, type TDemo } from './support/http';
import { routes } from './support/routes';
import { apiKeyRow, invitationsOf, settingsRow, tenantRow, uniqueEmail } from './support/state';

/**
 * Cross-site request forgery: a signed-in browser's change (POST, PUT, PATCH, DELETE with the session cookie)
 * counts only when its Origin is the tenant portal it is made on or the apex site. Tenants are sibling
 * subdomains, so SameSite=Lax lets globex's pages send acme's cookie: only Origin tells them apart.
 */
const actionRequest = vi.hoisted(() => ({ headers: {} as Record<string, string> }));
vi.mock('next/headers', () => ({ headers: async () => new Headers(actionRequest.headers) }));

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const ACME = hostOf('acme');
const ACME_ORIGIN = 'http://acme.localhost:3000';
const APEX_ORIGIN = 'http://localhost:3000';
const FOREIGN_ORIGINS = [
  ['another tenant', 'http://globex.localhost:3000'],
  ['another site', 'https://evil.example'],
  ['a sandboxed frame or privacy redirect', 'null'],
  ['the portal on another port', 'http://acme.localhost:3001'],
  ['the portal over another scheme', 'https://acme.localhost:3000'],
  ['a look-alike host', 'http://acme.localhost.evil.example:3000'],
];

const patchSettings = (origin: string | null, brandingDisplayName = 'Forged name') =>
  callRoute(routes.tenantSettings.PATCH, {
    method: 'PATCH',
    path: '/api/v1/tenant/settings',
    host: ACME,
    cookieFor: demo.acme.owner,
    origin,
    body: { brandingDisplayName },
  });

describe('a signed-in browser changing something through the API', () => {
  it.each(FOREIGN_ORIGINS)('refuses a change from %s (%s) with 403 and changes nothing', async (_, origin) => {
    const before = await settingsRow(demo.acme.id);
    expectError(await patchSettings(origin), 403, 'forbidden', /cross-site request/);
    expect(await settingsRow(demo.acme.id)).toEqual(before);
  });

  it('refuses a change without an Origin header with 403 and changes nothing', async () => {
    const before = await settingsRow(demo.acme.id);
    expectError(await patchSettings(null), 403, 'forbidden', /must carry an Origin header/);
    expect(await settingsRow(demo.acme.id)).toEqual(before);
  });

  it('records a refused cross-site change in the tenant’s audit log as a security event of the signed-in user', async () => {
    const result = await patchSettings('http://globex.localhost:3000');
    const [event] = await ownerDb()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, demo.acme.id), eq(auditLogs.requestId, result.body.error.requestId)));
    expect(event).toMatchObject({ eventType: 'security_event', outcome: 'failure', actorId: demo.acme.owner.id });
  });

  it('accepts a change from the tenant’s own portal and from the apex site', async () => {
    expect((await patchSettings(ACME_ORIGIN, 'From the portal')).status).toBe(200);
    expect((await settingsRow(demo.acme.id)).brandingDisplayName).toBe('From the portal');
    expect((await patchSettings(APEX_ORIGIN, 'From the apex')).status).toBe(200);
    expect((await settingsRow(demo.acme.id)).brandingDisplayName).toBe('From the apex');
  });

  it('refuses a cross-site POST and DELETE too, and creates or deletes nothing', async () => {
    const invited = uniqueEmail('forged');
    const posted = await callRoute(routes.invitations.POST, {
      method: 'POST',
      path: '/api/v1/invitations',
      host: ACME,
      cookieFor: demo.acme.admin,
      origin: 'http://globex.localhost:3000',
      body: { email: invited, role: 'admin' },
    });
    expectError(posted, 403, 'forbidden', /cross-site request/);
    expect((await invitationsOf(demo.acme.id)).map((row) => row.email)).not.toContain(invited);

    const secret = await createKey('acme', 'owner', ['tenant:read']);
    const key = await apiKeyRow(secret);
    const deleted = await callRoute(routes.apiKey.DELETE, {
      method: 'DELETE',
      path: `/api/v1/api-keys/${key!.id}`,
      params: { id: key!.id },
      host: ACME,
      cookieFor: demo.acme.owner,
      origin: 'https://evil.example',
    });
    expectError(deleted, 403, 'forbidden');
    expect((await apiKeyRow(secret))?.revokedAt).toBeNull();
  });

  it('reads without an Origin: a GET is not a change (and its answer cannot be read cross-site)', async () => {
    for (const origin of [null, 'https://evil.example']) {
      const result = await callRoute(routes.members.GET, { path: '/api/v1/members', host: ACME, cookieFor: demo.acme.viewer, origin });
      expect(result.status, result.text).toBe(200);
    }
  });

  it("refuses an operator's change from a tenant's portal and accepts it from the apex", async () => {
    const { id } = await withPlatform((tx) => createTenant(tx, { name: 'Origin target', slug: 'origin-target' }));
    const patch = (origin: string | null) =>
      callRoute(routes.adminTenant.PATCH, {
        method: 'PATCH',
        path: `/api/v1/admin/tenants/${id}`,
        params: { id },
        host: APEX_HOST,
        cookieFor: demo.operator,
        origin,
        body: { isActive: false },
      });
    expectError(await patch(ACME_ORIGIN), 403, 'forbidden', /cross-site request/);
    expectError(await patch(null), 403, 'forbidden', /Origin header/);
    expect((await tenantRow(id)).isActive).toBe(true);
    expect((await patch(browserOriginOf(APEX_HOST))).status).toBe(200);
    expect((await tenantRow(id)).isActive).toBe(false);
  });
});

describe('an API key changing something', () => {
  it('needs no Origin, and is not refused for a foreign one (a page cannot make a browser send the key)', async () => {
    const secret = await createKey('acme', 'owner', ['settings:manage']);
    for (const [origin, name] of [[null, 'Script without Origin'], ['https://evil.example', 'Script with any Origin']] as const) {
      const result = await callRoute(routes.tenantSettings.PATCH, {
        method: 'PATCH',
        path: '/api/v1/tenant/settings',
        host: ACME,
        apiKey: secret,
        origin,
        body: { brandingDisplayName: name },
      });
      expect(result.status, result.text).toBe(200);
      expect((await settingsRow(demo.acme.id)).brandingDisplayName).toBe(name);
    }
  });
});

describe('server actions', () => {
  const asBrowser = async (host: string, origin: string | null, cookieFor = demo.acme.owner) => {
    const { sessionCookie } = await import('./support/http');
    actionRequest.headers = { host, cookie: await sessionCookie(cookieFor), ...(origin !== null && { origin }) };
  };

  it('refuses a tenant action from a foreign origin or without one, and changes nothing', async () => {
    const before = await settingsRow(demo.acme.id);
    for (const origin of ['http://globex.localhost:3000', 'https://evil.example', null]) {
      await asBrowser(ACME, origin);
      expect(await updateSettingsAction({ brandingDisplayName: 'Forged by an action' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/cross-site request|Origin header/) },
      });
    }
    expect(await settingsRow(demo.acme.id)).toEqual(before);
  });

  it('runs a tenant action from its own portal', async () => {
    await asBrowser(ACME, ACME_ORIGIN);
    expect(await updateSettingsAction({ brandingDisplayName: 'Set by an action' })).toMatchObject({ ok: true });
    expect((await settingsRow(demo.acme.id)).brandingDisplayName).toBe('Set by an action');
  });

  it('refuses a cross-site sign-up and records no request for it', async () => {
    const email = uniqueEmail('csrf-signup');
    const input = { name: 'Forged', email, password: 'a long enough password', organisationName: 'Forged Org', slug: 'forged-org' };
    const requestsFor = () => ownerDb().select().from(signUpRequests).where(eq(signUpRequests.email, email));
    await asBrowser(APEX_HOST, 'https://evil.example');
    expect(await signUpAction(input)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await requestsFor()).toEqual([]);
    await asBrowser(APEX_HOST, APEX_ORIGIN);
    expect(await signUpAction(input)).toMatchObject({ ok: true });
    expect(await requestsFor()).toHaveLength(1);
  });
});
