import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { ownerDb } from '@/db/client';
import { apiKeys, invitations, memberships, users, type TRole } from '@/db/schema/auth';
import { tenantSettings, tenants } from '@/db/schema/tenancy';
import { createInvitation, insertUser } from '@/lib/auth';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import type { TDemoMember, TDemoTenant } from './http';

/**
 * Fixtures and read-backs straight from the database (as the owning role, past row-level security), so a
 * test can check what a request changed or, when refused, did not change.
 */

export const uniqueEmail = (label: string): string => `${label}-${randomBytes(4).toString('hex')}@example.test`;

/**
 * A new user who is a member of the tenant. Without a password no argon2 hash is computed (sessions do not
 * need one), which keeps fixtures cheap.
 */
export async function addMember(
  tenantId: string,
  role: TRole,
  options: { email?: string; password?: string } = {},
): Promise<TDemoMember> {
  const email = options.email ?? uniqueEmail(role);
  return withPlatform(async (tx) => {
    const user = options.password
      ? await insertUser(tx, { email, name: `Test ${role}`, password: options.password, isEmailVerified: true })
      : (
          await tx
            .insert(users)
            .values({ email, name: `Test ${role}`, emailVerifiedAt: new Date() })
            .returning({ id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin })
        )[0];
    const [membership] = await tx.insert(memberships).values({ tenantId, userId: user.id, role }).returning({ id: memberships.id });
    return { ...user, membershipId: membership.id, role };
  });
}

export async function membershipRole(membershipId: string): Promise<TRole | null> {
  const [row] = await ownerDb().select({ role: memberships.role }).from(memberships).where(eq(memberships.id, membershipId));
  return row?.role ?? null;
}

export async function membershipOf(tenantId: string, userId: string): Promise<TRole | null> {
  const [row] = await ownerDb()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

export async function ownerIds(tenantId: string): Promise<string[]> {
  const rows = await ownerDb()
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')));
  return rows.map((r) => r.userId);
}

export async function membershipsOf(tenantId: string): Promise<{ id: string; userId: string; role: TRole }[]> {
  return ownerDb()
    .select({ id: memberships.id, userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(memberships.id);
}

/** An invitation created through the library as the tenant's owner; the token is taken from its link. */
export async function invite(
  tenant: TDemoTenant,
  email: string,
  role: TRole,
): Promise<{ id: string; token: string; acceptUrl: string }> {
  const created = await withTenant(tenant.id, (tx) =>
    createInvitation(tx, { id: tenant.id, name: tenant.slug }, { userId: tenant.owner.id, role: 'owner' }, { email, role }),
  );
  return { id: created.id, acceptUrl: created.acceptUrl, token: tokenOf(created.acceptUrl) };
}

export function tokenOf(acceptUrl: string): string {
  return decodeURIComponent(new URL(acceptUrl).pathname.split('/').pop()!);
}

export async function invitationRow(id: string) {
  const [row] = await ownerDb().select().from(invitations).where(eq(invitations.id, id));
  return row ?? null;
}

export async function invitationsOf(tenantId: string) {
  return ownerDb().select().from(invitations).where(eq(invitations.tenantId, tenantId)).orderBy(invitations.id);
}

/** The stored row of a key, found by its id or by the prefix inside its secret. */
export async function apiKeyRow(idOrSecret: string) {
  const prefix = /^sw_([a-z0-9]{12})_/.exec(idOrSecret)?.[1];
  const [row] = await ownerDb()
    .select()
    .from(apiKeys)
    .where(prefix ? eq(apiKeys.prefix, prefix) : eq(apiKeys.id, idOrSecret));
  return row ?? null;
}

export async function apiKeysOf(tenantId: string) {
  return ownerDb().select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(apiKeys.id);
}

export async function tenantRow(tenantId: string) {
  const [row] = await ownerDb().select().from(tenants).where(eq(tenants.id, tenantId));
  return row ?? null;
}

export async function settingsRow(tenantId: string) {
  const [row] = await ownerDb().select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
  return row ?? null;
}

export async function userByEmail(email: string) {
  const [row] = await ownerDb()
    .select({ id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin })
    .from(users)
    .where(eq(users.email, email));
  return row ?? null;
}

/** Makes an existing user a member of another tenant too; returns the membership id. */
export async function addMembership(tenantId: string, userId: string, role: TRole): Promise<string> {
  const [row] = await ownerDb().insert(memberships).values({ tenantId, userId, role }).returning({ id: memberships.id });
  return row.id;
}

/** A new, empty tenant with a unique slug (for tests that count owners or members). */
export async function createTestTenant(label = 'test'): Promise<{ id: string; slug: string }> {
  const { id, slug } = await withPlatform((tx) => createTenant(tx, { name: `Test ${label}`, slug: `${label}-${randomBytes(4).toString('hex')}` }));
  return { id, slug };
}
