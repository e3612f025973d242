import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { users } from '@/db/schema/auth';
import { emailOutbox } from '@/db/schema/mail';
import { tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { callRoute, createKey, demoUsers, expectError, hostOf, sessionCookie, type TDemo, type TRouteHandler, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { createTestTenant, invitationRow, invitationsOf, invite, membershipOf, tenantRow, tokenOf, uniqueEmail, userByEmail } from './support/state';
// Server actions are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import { createTenantAction } from '../app/admin/actions';

/** The console's server actions read the request from next/headers: here, an operator's browser on the apex. */
const consoleRequest = vi.hoisted(() => ({ cookie: null as string | null }));
vi.mock('next/headers', () => ({
  headers: async () =>
    new Headers({ host: 'localhost:3000', origin: 'http://localhost:3000', ...(consoleRequest.cookie && { cookie: consoleRequest.cookie }) }),
}));

async function consoleSignIn(user: TSessionSubject): Promise<void> {
  consoleRequest.cookie = await sessionCookie(user);
}

/** The seeded plans' storage is in GiB (2^30 bytes). */
const GiB = 1024 ** 3;

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  // More tenants than the two seeded in one transaction (which share a created_at), to page through.
  for (let i = 0; i < 3; i += 1) await createTestTenant('page');
});

const slug = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

const list = (handler: TRouteHandler, path: string) => callRoute(handler, { path, cookieFor: demo.operator });

const createTenant = (body: Record<string, unknown>) =>
  callRoute(routes.adminTenants.POST, { method: 'POST', path: '/api/v1/admin/tenants', cookieFor: demo.operator, body });

const updateTenant = (id: string, body: unknown) =>
  callRoute(routes.adminTenant.PATCH, { method: 'PATCH', path: `/api/v1/admin/tenants/${id}`, params: { id }, cookieFor: demo.operator, body });

const acceptInvitation = (body: { token: string; name?: string; password: string }) =>
  callRoute(routes.acceptInvitation.POST, { method: 'POST', path: '/api/v1/invitations/accept', body });

const mailsTo = (address: string) => ownerDb().select().from(emailOutbox).where(eq(emailOutbox.toAddress, address));

const tenantCount = async () => (await ownerDb().select({ id: tenants.id }).from(tenants)).length;
const userCount = async () => (await ownerDb().select({ id: users.id }).from(users)).length;

/** Follows nextCursor from the first page with `limit` to the end; returns the ids in order. */
async function walk(handler: TRouteHandler, path: string, key: 'tenants' | 'users', limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const result = await list(handler, `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(result.status).toBe(200);
    expect(result.body[key].length).toBeLessThanOrEqual(limit);
    ids.push(...result.body[key].map((row: { id: string }) => row.id));
    cursor = result.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

describe.each([
  { key: 'tenants' as const, handler: routes.adminTenants.GET, path: '/api/v1/admin/tenants' },
  { key: 'users' as const, handler: routes.adminUsers.GET, path: '/api/v1/admin/users' },
])('operator console: $path', ({ key, handler, path }) => {
  it('gives a first page of limit=1 with a nextCursor to a second, different page', async () => {
    const first = await list(handler, `${path}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body[key]).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const second = await list(handler, `${path}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body[key]).toHaveLength(1);
    expect(second.body[key][0].id).not.toBe(first.body[key][0].id);
  });

  it('visits every row exactly once, newest first, when paging with limit=1', async () => {
    const everything = await list(handler, `${path}?limit=200`);
    expect(everything.body.nextCursor).toBeNull();
    const all = everything.body[key].map((row: { id: string }) => row.id);
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(await walk(handler, path, key, 1)).toEqual(all);
    expect(await walk(handler, path, key, 2)).toEqual(all);
  });

  it('refuses a cursor it did not issue with 400 naming cursor', async () => {
    const result = await list(handler, `${path}?cursor=not-a-cursor`);
    expectError(result, 400, 'validation_failed', /cursor/i);
    expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it("refuses a tenant owner's session with 403 and a caller without a session with 401", async () => {
    expectError(await callRoute(handler, { path, cookieFor: demo.acme.owner }), 403, 'forbidden', /platform operators/);
    expectError(await callRoute(handler, { path, cookieFor: demo.acme.owner, host: hostOf('acme') }), 403, 'forbidden');
    expectError(await callRoute(handler, { path }), 401, 'unauthorized');
  });
});

describe('operator console: listing', () => {
  it('searches tenants by name or slug and users by email', async () => {
    const tenantsFound = await list(routes.adminTenants.GET, '/api/v1/admin/tenants?search=globex');
    expect(tenantsFound.body.tenants.map((t: { slug: string }) => t.slug)).toEqual(['globex']);
    expect(tenantsFound.body.tenants[0]).toMatchObject({ id: demo.globex.id, plan: 'free', isActive: true, memberCount: 4 });

    const usersFound = await list(routes.adminUsers.GET, '/api/v1/admin/users?search=owner@acme');
    expect(usersFound.body.users).toEqual([
      expect.objectContaining({ id: demo.acme.owner.id, email: 'owner@acme.test', tenantCount: 1, isPlatformAdmin: false }),
    ]);
    expect(usersFound.text).not.toMatch(/password|argon2/i);
  });
});

describe('operator console: creating a tenant', () => {
  it('invites the owner by mail when no account has the email (201, owner invited); whoever accepts owns the tenant', async () => {
    const newSlug = slug('newco');
    const ownerEmail = uniqueEmail('founder');
    const usersBefore = await userCount();
    const result = await createTenant({ name: 'NewCo Builders', slug: newSlug, plan: 'starter', ownerEmail });
    expect(result.status).toBe(201);
    expect(result.body.tenant).toMatchObject({ slug: newSlug, name: 'NewCo Builders', plan: 'starter', isActive: true });
    expect(result.body.owner).toEqual({ email: ownerEmail, status: 'invited' });
    expect(result.text).not.toContain('/invitations/');

    const stored = (await tenantRow(result.body.tenant.id))!;
    expect(stored).toMatchObject({ storageQuotaBytes: 25 * GiB, apiQuotaMonthly: 30_000 });
    expect(await userCount()).toBe(usersBefore);
    const [invitation] = await invitationsOf(stored.id);
    expect(invitation).toMatchObject({ email: ownerEmail, role: 'owner', invitedBy: demo.operator.id, acceptedAt: null });
    const [mail] = await mailsTo(ownerEmail);
    expect(mail.subject).toBe('You are invited to NewCo Builders on Sitework');

    const accepted = await acceptInvitation({ token: tokenOf(/http:\/\/\S+/.exec(mail.bodyText)![0]), name: 'Fran Founder', password: 'founder-password' });
    expect(accepted.status).toBe(200);
    const owner = (await userByEmail(ownerEmail))!;
    expect(await membershipOf(stored.id, owner.id)).toBe('owner');
    const asOwner = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf(newSlug), cookieFor: owner });
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.caller.role).toBe('owner');
  });

  it('makes an existing verified account the owner at once, and mails no invitation', async () => {
    const result = await createTenant({ name: 'Second Venture', slug: slug('venture'), ownerEmail: 'Editor@Globex.test' });
    expect(result.status).toBe(201);
    expect(result.body.tenant.plan).toBe('free');
    expect(result.body.owner).toEqual({ email: 'editor@globex.test', status: 'member' });
    expect(await membershipOf(result.body.tenant.id, demo.globex.editor.id)).toBe('owner');
    expect(await invitationsOf(result.body.tenant.id)).toEqual([]);
  });

  it('never hands a new tenant to an unverified account with the email: the address is invited, and the account cannot accept unconfirmed', async () => {
    // Anyone can make one: invite the address to an organisation of their own and accept the link they see.
    const ownerEmail = uniqueEmail('ceo');
    const squatter = await invite(demo.globex, ownerEmail, 'viewer');
    expect((await acceptInvitation({ token: squatter.token, name: 'Not The CEO', password: 'squatters-password' })).status).toBe(200);
    const account = (await userByEmail(ownerEmail))!;

    const result = await createTenant({ name: 'BigCorp', slug: slug('bigcorp'), ownerEmail });
    expect(result.status).toBe(201);
    expect(result.body.owner).toEqual({ email: ownerEmail, status: 'invited' });
    expect(await membershipOf(result.body.tenant.id, account.id)).toBeNull();
    const [invitation] = await invitationsOf(result.body.tenant.id);
    expect(invitation).toMatchObject({ email: ownerEmail, role: 'owner' });

    // Even holding the owner invitation's link, the unconfirmed account is refused.
    const mail = (await mailsTo(ownerEmail)).find((m) => m.subject.includes('BigCorp'))!;
    const refused = await acceptInvitation({ token: tokenOf(/http:\/\/\S+/.exec(mail.bodyText)![0]), password: 'squatters-password' });
    expectError(refused, 403, 'forbidden', /Confirm/);
    expect(await membershipOf(result.body.tenant.id, account.id)).toBeNull();
  });

  it("leaves the address's pending invitations to other tenants alone when inviting a new tenant's owner", async () => {
    const ownerEmail = uniqueEmail('sought-after');
    const elsewhere = await invite(demo.acme, ownerEmail, 'viewer');
    const result = await createTenant({ name: 'Third Venture', slug: slug('third'), ownerEmail });
    expect(result.body.owner.status).toBe('invited');
    expect((await invitationRow(elsewhere.id))!.revokedAt).toBeNull();
  });

  it('refuses ownerName and ownerPassword with 400: operators no longer choose passwords for others', async () => {
    const [tenantsBefore, usersBefore] = [await tenantCount(), await userCount()];
    const ownerEmail = uniqueEmail('nobody');
    const result = await createTenant({ name: 'Half', slug: slug('half'), ownerEmail, ownerName: 'No Body', ownerPassword: 'operator-chosen' });
    expectError(result, 400, 'validation_failed');
    expect([await tenantCount(), await userCount()]).toEqual([tenantsBefore, usersBefore]);
    expect(await mailsTo(ownerEmail)).toEqual([]);
  });

  it('refuses a taken slug with 409 saying so, and creates neither tenant nor invitation', async () => {
    const [tenantsBefore, usersBefore] = [await tenantCount(), await userCount()];
    const ownerEmail = uniqueEmail('copycat');
    const result = await createTenant({ name: 'Acme Again', slug: 'acme', ownerEmail });
    expectError(result, 409, 'conflict', /"acme" is already taken/);
    expect(result.body.error.details).toEqual({ field: 'slug' });
    expect([await tenantCount(), await userCount()]).toEqual([tenantsBefore, usersBefore]);
    expect(await mailsTo(ownerEmail)).toEqual([]);
  });

  it('answers the same from the console as from the API: an invitation for an unknown address, ownership for a verified account', async () => {
    await consoleSignIn(demo.operator);
    const ownerEmail = uniqueEmail('console');
    const invited = await createTenantAction({ name: 'Console Co', slug: slug('console'), plan: 'free', ownerEmail });
    expect(invited).toMatchObject({ ok: true, data: { owner: { email: ownerEmail, status: 'invited' } } });
    expect(await userByEmail(ownerEmail)).toBeNull();
    expect(await mailsTo(ownerEmail)).toHaveLength(1);

    const owned = await createTenantAction({ name: 'Console Two', slug: slug('console'), plan: 'free', ownerEmail: demo.acme.viewer.email });
    expect(owned).toMatchObject({ ok: true, data: { owner: { email: demo.acme.viewer.email, status: 'member' } } });
    if (owned.ok) expect(await membershipOf(owned.data.id, demo.acme.viewer.id)).toBe('owner');
  });

  it.each([
    { given: 'www', problem: /reserved/ },
    { given: 'admin', problem: /reserved/ },
    { given: '-bad', problem: /start and end with a letter or digit/ },
    { given: 'UPPER_case!', problem: /only lowercase letters, digits and hyphens/ },
    { given: 'a--b', problem: /two hyphens/ },
    { given: 'x', problem: /at least 2/ },
  ])('refuses the slug "$given" with 400 naming slug, creating nothing', async ({ given, problem }) => {
    const before = await tenantCount();
    const result = await createTenant({ name: 'Bad Slug', slug: given, ownerEmail: demo.acme.owner.email });
    expectError(result, 400, 'validation_failed', problem);
    expect(result.body.error.details.fields).toEqual([{ field: 'slug', message: expect.stringMatching(problem) }]);
    expect(await tenantCount()).toBe(before);
  });
});

describe('operator console: changing a tenant', () => {
  it('deactivates a tenant so its API answers 404, and reactivates it so it works again', async () => {
    const apiKey = await createKey('globex', 'owner', ['tenant:read']);
    const bySession = () => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf('globex'), cookieFor: demo.globex.viewer });
    const byKey = () => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', apiKey });
    expect((await bySession()).status).toBe(200);

    const off = await updateTenant(demo.globex.id, { isActive: false });
    expect(off.status).toBe(200);
    expect(off.body.tenant).toMatchObject({ id: demo.globex.id, isActive: false });
    expect((await tenantRow(demo.globex.id))!.isActive).toBe(false);
    expectError(await bySession(), 404, 'not_found', /deactivated/);
    expectError(await byKey(), 404, 'not_found');

    const on = await updateTenant(demo.globex.id, { isActive: true });
    expect(on.status).toBe(200);
    expect((await bySession()).status).toBe(200);
    expect((await byKey()).status).toBe(200);
  });

  it("moves a tenant to a plan and to that plan's quotas", async () => {
    const { id } = await createTestTenant('plan');
    expect(await tenantRow(id)).toMatchObject({ plan: 'free', storageQuotaBytes: 10 * GiB });
    const result = await updateTenant(id, { plan: 'enterprise' });
    expect(result.status).toBe(200);
    expect(result.body.tenant.plan).toBe('enterprise');
    expect(await tenantRow(id)).toMatchObject({
      plan: 'enterprise',
      storageQuotaBytes: 1024 * GiB,
      apiQuotaMonthly: 1_000_000,
    });
  });

  it('refuses an empty change with 400 and an unknown plan with 400 naming plan', async () => {
    const { id } = await createTestTenant('noop');
    const before = await tenantRow(id);
    expectError(await updateTenant(id, {}), 400, 'validation_failed', /isActive or plan/);
    const unknownPlan = await updateTenant(id, { plan: 'platinum' });
    expectError(unknownPlan, 400, 'validation_failed');
    expect(unknownPlan.body.error.details.fields[0].field).toBe('plan');
    expect(await tenantRow(id)).toEqual(before);
  });

  it('answers 404 for a tenant id that does not exist', async () => {
    expectError(await updateTenant('00000000-0000-4000-8000-000000000000', { isActive: false }), 404, 'not_found');
  });
});
