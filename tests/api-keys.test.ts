import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { createApiKey, type TPermission } from '@/lib/auth';
import { withTenant } from '@/lib/tenancy';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TDemo, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { addMember, apiKeyRow, apiKeysOf, membershipRole, settingsRow } from './support/state';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const SECRET_PATTERN = /^sw_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function createThroughApi(credentials: { cookieFor?: TSessionSubject; apiKey?: string }, body: unknown) {
  return callRoute(routes.apiKeys.POST, { method: 'POST', path: '/api/v1/api-keys', host: hostOf('acme'), body, ...credentials });
}

const readTenant = (apiKey: string) => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', apiKey });

/** A key created by a member of acme who can be demoted or removed without touching the seeded users. */
async function keyOfNewMember(role: TRole, scopes: TPermission[]) {
  const member = await addMember(demo.acme.id, role);
  const { secret } = await withTenant(demo.acme.id, (tx) =>
    createApiKey(tx, demo.acme.id, { userId: member.id, role }, { name: `${role} key`, scopes }),
  );
  return { member, secret };
}

/** Polls a read until it satisfies `done` (for writes the code deliberately does not wait for). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(25);
  }
}

describe('creating a key', () => {
  it('returns the sw_ secret once; the list never shows it; the database keeps only its SHA-256 hash and prefix', async () => {
    const created = await createThroughApi({ cookieFor: demo.acme.admin }, { name: 'CI deploy', scopes: ['tenant:read', 'members:read'] });
    expect(created.status).toBe(201);
    const { apiKey } = created.body;
    const [, prefix, random] = SECRET_PATTERN.exec(apiKey.secret)!;
    expect(apiKey).toMatchObject({ name: 'CI deploy', prefix, scopes: ['tenant:read', 'members:read'], revokedAt: null });

    const row = (await apiKeyRow(apiKey.id))!;
    expect(row).toMatchObject({ tenantId: demo.acme.id, prefix, keyHash: sha256(apiKey.secret), createdBy: demo.acme.admin.id });
    expect(JSON.stringify(row)).not.toContain(random);

    const list = await callRoute(routes.apiKeys.GET, { path: '/api/v1/api-keys', host: hostOf('acme'), cookieFor: demo.acme.admin });
    expect(list.status).toBe(200);
    const listed = list.body.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(Object.keys(listed).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes']);
    expect(list.text).not.toContain(random);
    expect(list.text).not.toContain(row.keyHash);
  });

  it("refuses scopes beyond the creator's role with 403 and creates nothing", async () => {
    const name = 'wants billing';
    const result = await createThroughApi({ cookieFor: demo.acme.admin }, { name, scopes: ['tenant:read', 'billing:manage'] });
    expectError(result, 403, 'forbidden', /billing:manage/);
    expect(result.body.error.details).toEqual({ scopes: ['billing:manage'] });
    expect((await apiKeysOf(demo.acme.id)).filter((k) => k.name === name)).toEqual([]);
  });

  it('refuses a key that mints a key with scopes beyond its own with 403, and creates nothing', async () => {
    const minter = await createKey('acme', 'owner', ['keys:manage']);
    const name = 'escalated';
    const result = await createThroughApi({ apiKey: minter }, { name, scopes: ['keys:manage', 'members:manage', 'billing:manage'] });
    expectError(result, 403, 'forbidden', /members:manage, billing:manage/);
    expect((await apiKeysOf(demo.acme.id)).filter((k) => k.name === name)).toEqual([]);

    const within = await createThroughApi({ apiKey: minter }, { name: 'same scopes', scopes: ['keys:manage'] });
    expect(within.status).toBe(201);
    expect((await apiKeyRow(within.body.apiKey.id))!.createdBy).toBe(demo.acme.owner.id);
  });

  it('refuses an expiry in the past with 400 naming expiresAt', async () => {
    const result = await createThroughApi({ cookieFor: demo.acme.owner }, { name: 'old', scopes: ['tenant:read'], expiresAt: '2020-01-01T00:00:00Z' });
    expectError(result, 400, 'validation_failed', /expiresAt/);
    expect(result.body.error.details.fields).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);
  });

  it('renames a key', async () => {
    const { id } = (await apiKeyRow(await createKey('acme', 'owner', ['tenant:read'])))!;
    const result = await callRoute(routes.apiKey.PATCH, {
      method: 'PATCH',
      path: `/api/v1/api-keys/${id}`,
      params: { id },
      host: hostOf('acme'),
      cookieFor: demo.acme.admin,
      body: { name: 'Nightly export' },
    });
    expect(result.status).toBe(200);
    expect(result.body.apiKey).toMatchObject({ id, name: 'Nightly export' });
    expect(result.body.apiKey.secret).toBeUndefined();
    expect((await apiKeyRow(id))!.name).toBe('Nightly export');
  });
});

describe('using a key', () => {
  it('implies its tenant: GET /api/v1/tenant works with neither subdomain nor X-Tenant-ID', async () => {
    const secret = await createKey('acme', 'admin', ['tenant:read', 'members:read']);
    const result = await readTenant(secret);
    expect(result.status).toBe(200);
    expect(result.body.tenant).toMatchObject({ id: demo.acme.id, slug: 'acme' });
    expect(result.body.caller).toEqual({ kind: 'api_key', role: 'admin', permissions: ['tenant:read', 'members:read'] });
  });

  it("acts with its scopes cut down to the creator's current role", async () => {
    const { member, secret } = await keyOfNewMember('admin', ['tenant:read', 'settings:manage']);
    const patch = (name: string) =>
      callRoute(routes.tenantSettings.PATCH, { method: 'PATCH', path: '/api/v1/tenant/settings', apiKey: secret, body: { brandingDisplayName: name } });

    expect((await patch('Set by key')).status).toBe(200);
    expect((await settingsRow(demo.acme.id))!.brandingDisplayName).toBe('Set by key');

    await ownerDb().execute(sql`update memberships set role = 'viewer' where id = ${member.membershipId}`);
    expectError(await patch('Set after demotion'), 403, 'forbidden', /settings:manage/);
    expect((await settingsRow(demo.acme.id))!.brandingDisplayName).toBe('Set by key');
    expect((await readTenant(secret)).body.caller).toEqual({ kind: 'api_key', role: 'viewer', permissions: ['tenant:read'] });
  });

  it('stops working once revoked: 401 saying so, and a second revoke is 409', async () => {
    const secret = await createKey('acme', 'owner', ['tenant:read']);
    const { id } = (await apiKeyRow(secret))!;
    expect((await readTenant(secret)).status).toBe(200);

    const revoke = () =>
      callRoute(routes.apiKey.DELETE, { method: 'DELETE', path: `/api/v1/api-keys/${id}`, params: { id }, host: hostOf('acme'), cookieFor: demo.acme.admin });
    expect((await revoke()).status).toBe(204);
    expect((await apiKeyRow(id))!.revokedAt).toBeInstanceOf(Date);
    expectError(await readTenant(secret), 401, 'unauthorized', /revoked/);
    expectError(await revoke(), 409, 'conflict', /already revoked/);
  });

  it('stops working once expired: 401 saying so', async () => {
    const secret = await createKey('acme', 'owner', ['tenant:read'], { expiresAt: new Date(Date.now() + 86_400_000) });
    const { id } = (await apiKeyRow(secret))!;
    expect((await readTenant(secret)).status).toBe(200);
    await ownerDb().execute(sql`update api_keys set expires_at = now() - interval '1 second' where id = ${id}`);
    expectError(await readTenant(secret), 401, 'unauthorized', /expired/);
  });

  it('refuses a key with the right prefix but a wrong secret with 401', async () => {
    const secret = await createKey('acme', 'owner', ['tenant:read']);
    const forged = `${secret.slice(0, -4)}${secret.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expectError(await readTenant(forged), 401, 'unauthorized', /Invalid API key/);
  });

  it('records last_used_at on first use and does not rewrite it within a minute', async () => {
    const secret = await createKey('acme', 'owner', ['tenant:read']);
    expect((await apiKeyRow(secret))!.lastUsedAt).toBeNull();

    expect((await readTenant(secret)).status).toBe(200);
    const first = (await eventually(() => apiKeyRow(secret), (row) => row!.lastUsedAt !== null))!.lastUsedAt;
    expect(first).toBeInstanceOf(Date);

    expect((await readTenant(secret)).status).toBe(200);
    await sleep(300);
    expect((await apiKeyRow(secret))!.lastUsedAt).toEqual(first);

    // Two minutes later (the row aged in the database, the process clock moved on), the next use records again.
    const { id } = (await apiKeyRow(secret))!;
    await ownerDb().execute(sql`update api_keys set last_used_at = now() - interval '2 minutes' where id = ${id}`);
    const old = (await apiKeyRow(id))!.lastUsedAt!;
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 60_000 });
    try {
      expect((await readTenant(secret)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    const refreshed = (await eventually(() => apiKeyRow(id), (row) => row!.lastUsedAt!.getTime() > old.getTime()))!.lastUsedAt!;
    expect(refreshed.getTime()).toBeGreaterThan(old.getTime());
  });

  it('stops working when its creator is removed from the tenant (401)', async () => {
    const { member, secret } = await keyOfNewMember('admin', ['tenant:read']);
    expect((await readTenant(secret)).status).toBe(200);

    const removed = await callRoute(routes.member.DELETE, {
      method: 'DELETE',
      path: `/api/v1/members/${member.membershipId}`,
      params: { id: member.membershipId },
      host: hostOf('acme'),
      cookieFor: demo.acme.owner,
    });
    expect(removed.status).toBe(204);
    expect(await membershipRole(member.membershipId)).toBeNull();
    expectError(await readTenant(secret), 401, 'unauthorized', /no longer a member/);
  });
});
