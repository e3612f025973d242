import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { AppError } from '@/lib/app-error';
import { changeMemberRole } from '@/lib/auth';
import { withTenant } from '@/lib/tenancy';
import { callRoute, demoUsers, expectError, hostOf, type TDemo, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { addMember, createTestTenant, membershipOf, membershipRole, ownerIds } from './support/state';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

function changeRole(as: TSessionSubject, slug: string, membershipId: string, role: TRole) {
  return callRoute(routes.member.PATCH, {
    method: 'PATCH',
    path: `/api/v1/members/${membershipId}`,
    params: { id: membershipId },
    host: hostOf(slug),
    cookieFor: as,
    body: { role },
  });
}

function remove(as: TSessionSubject, slug: string, membershipId: string) {
  return callRoute(routes.member.DELETE, {
    method: 'DELETE',
    path: `/api/v1/members/${membershipId}`,
    params: { id: membershipId },
    host: hostOf(slug),
    cookieFor: as,
  });
}

/** A tenant of its own with one owner and one admin, so owner counts do not depend on other tests. */
async function tenantWithOwnerAndAdmin() {
  const tenant = await createTestTenant('members');
  return { ...tenant, owner: await addMember(tenant.id, 'owner'), admin: await addMember(tenant.id, 'admin') };
}

describe('listing members', () => {
  it('lists every member with role, email and name, and nothing secret', async () => {
    const result = await callRoute(routes.members.GET, { path: '/api/v1/members', host: hostOf('acme'), cookieFor: demo.acme.viewer });
    expect(result.status).toBe(200);
    const owner = result.body.members.find((m: { userId: string }) => m.userId === demo.acme.owner.id);
    expect(owner).toEqual({
      id: demo.acme.owner.membershipId,
      userId: demo.acme.owner.id,
      email: 'owner@acme.test',
      name: demo.acme.owner.name,
      role: 'owner',
      createdAt: expect.any(String),
    });
    expect(result.text).not.toMatch(/argon2|password/i);
  });
});

describe('the owner role', () => {
  it('lets an owner make an admin an owner', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const result = await changeRole(t.owner, t.slug, t.admin.membershipId, 'owner');
    expect(result.status).toBe(200);
    expect(result.body.member).toMatchObject({ id: t.admin.membershipId, role: 'owner' });
    expect((await ownerIds(t.id)).sort()).toEqual([t.owner.id, t.admin.id].sort());
  });

  it('refuses an admin who tries to promote someone to owner with 403 and changes nothing', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const editor = await addMember(t.id, 'editor');
    for (const target of [editor, t.admin]) {
      const result = await changeRole(t.admin, t.slug, target.membershipId, 'owner');
      expectError(result, 403, 'forbidden', /Only an owner/);
      expect(await membershipRole(target.membershipId)).toBe(target.role);
    }
    expect(await ownerIds(t.id)).toEqual([t.owner.id]);
  });

  it('refuses an admin who tries to demote an owner with 403, even with another owner present', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const secondOwner = await addMember(t.id, 'owner');
    const result = await changeRole(t.admin, t.slug, secondOwner.membershipId, 'viewer');
    expectError(result, 403, 'forbidden', /Only an owner/);
    expect(await membershipRole(secondOwner.membershipId)).toBe('owner');
  });

  it('refuses an admin who tries to remove an owner with 403', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const secondOwner = await addMember(t.id, 'owner');
    expectError(await remove(t.admin, t.slug, secondOwner.membershipId), 403, 'forbidden');
    expect(await membershipRole(secondOwner.membershipId)).toBe('owner');
  });

  it('refuses to demote the last owner with 409 and keeps them owner', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const result = await changeRole(t.owner, t.slug, t.owner.membershipId, 'admin');
    expectError(result, 409, 'conflict', /last owner/);
    expect(await ownerIds(t.id)).toEqual([t.owner.id]);
  });

  it('refuses to remove the last owner with 409 and keeps the membership', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const result = await remove(t.owner, t.slug, t.owner.membershipId);
    expectError(result, 409, 'conflict', /last owner/);
    expect(await ownerIds(t.id)).toEqual([t.owner.id]);
  });

  it('lets an owner step down once another owner exists', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const secondOwner = await addMember(t.id, 'owner');
    const result = await changeRole(t.owner, t.slug, t.owner.membershipId, 'admin');
    expect(result.status).toBe(200);
    expect(await ownerIds(t.id)).toEqual([secondOwner.id]);
  });

  it('leaves exactly one owner when two owners demote each other at the same time', async () => {
    for (let round = 0; round < 3; round += 1) {
      const t = await tenantWithOwnerAndAdmin();
      const secondOwner = await addMember(t.id, 'owner');
      const results = await Promise.all([
        changeRole(t.owner, t.slug, secondOwner.membershipId, 'admin'),
        changeRole(secondOwner, t.slug, t.owner.membershipId, 'admin'),
      ]);
      // The loser either raced inside the database (409, last owner) or had already lost the owner role by
      // the time its request was authorised (403). Never both winning, never a 500 from a deadlock.
      const [winner, loser] = [...results].sort((a, b) => a.status - b.status);
      expect(winner.status).toBe(200);
      if (loser.status === 409) expectError(loser, 409, 'conflict', /last owner/);
      else expectError(loser, 403, 'forbidden', /owner/);
      expect(await ownerIds(t.id)).toHaveLength(1);
    }
  });

  it('keeps one owner when two owners demoting each other race inside the database: one 409, no deadlock', async () => {
    // Straight through the library, so both actors are still owners when their transactions start. A third
    // transaction holds both owner rows until both changes are waiting, so they contend for the same rows.
    const t = await tenantWithOwnerAndAdmin();
    const secondOwner = await addMember(t.id, 'owner');
    const pending = await ownerDb().transaction(async (gate) => {
      await gate.execute(sql`select id from memberships where tenant_id = ${t.id} and role = 'owner' for update`);
      const racing = [
        withTenant(t.id, (tx) => changeMemberRole(tx, { userId: t.owner.id, role: 'owner' }, secondOwner.membershipId, 'admin')),
        withTenant(t.id, (tx) => changeMemberRole(tx, { userId: secondOwner.id, role: 'owner' }, t.owner.membershipId, 'admin')),
      ];
      racing.forEach((p) => p.catch(() => {}));
      await sleep(200);
      return racing;
    });
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect(refused.reason).toMatchObject({ code: 'conflict', message: expect.stringMatching(/last owner/) });
    expect(await ownerIds(t.id)).toHaveLength(1);
  });

  it('leaves exactly one owner when two owners remove each other at the same time', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const secondOwner = await addMember(t.id, 'owner');
    const results = await Promise.all([
      remove(t.owner, t.slug, secondOwner.membershipId),
      remove(secondOwner, t.slug, t.owner.membershipId),
    ]);
    const [winner, loser] = [...results].sort((a, b) => a.status - b.status);
    expect(winner.status).toBe(204);
    expect([403, 409]).toContain(loser.status);
    expect(await ownerIds(t.id)).toHaveLength(1);
  });
});

describe('other roles', () => {
  it('lets an admin change an editor to a viewer', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const editor = await addMember(t.id, 'editor');
    const result = await changeRole(t.admin, t.slug, editor.membershipId, 'viewer');
    expect(result.status).toBe(200);
    expect(result.body.member).toMatchObject({ id: editor.membershipId, userId: editor.id, role: 'viewer' });
    expect(await membershipRole(editor.membershipId)).toBe('viewer');
  });

  it("applies a new role on the member's very next request", async () => {
    const t = await tenantWithOwnerAndAdmin();
    const viewer = await addMember(t.id, 'viewer');
    const listInvitations = () =>
      callRoute(routes.invitations.GET, { path: '/api/v1/invitations', host: hostOf(t.slug), cookieFor: viewer });
    expectError(await listInvitations(), 403, 'forbidden');
    expect((await changeRole(t.owner, t.slug, viewer.membershipId, 'admin')).status).toBe(200);
    expect((await listInvitations()).status).toBe(200);
  });

  it('answers 404 for a member id that does not exist', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expectError(await changeRole(demo.acme.owner, 'acme', id, 'viewer'), 404, 'not_found');
    expectError(await remove(demo.acme.owner, 'acme', id), 404, 'not_found');
  });
});

describe('removing a member', () => {
  it('removes their access: their session on that host then gets 403', async () => {
    const t = await tenantWithOwnerAndAdmin();
    const editor = await addMember(t.id, 'editor');
    const readTenant = () => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf(t.slug), cookieFor: editor });
    expect((await readTenant()).status).toBe(200);

    const result = await remove(t.admin, t.slug, editor.membershipId);
    expect(result.status).toBe(204);
    expect(result.text).toBe('');
    expect(await membershipOf(t.id, editor.id)).toBeNull();
    expectError(await readTenant(), 403, 'forbidden', /not a member/);
  });
});
