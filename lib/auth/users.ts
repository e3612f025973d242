import 'server-only';
import { and, asc, desc, eq, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, users, type TRole } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { AppError, isUniqueViolation } from '@/lib/app-error';
import { ZSlug, createTenant, platformDb, withPlatform, type TTenantRef } from '@/lib/tenancy';
import type { TTx } from '@/db/client';
import { MIN_PASSWORD_LENGTH, hashPassword } from './password';

export const ZEmail = z.string().trim().toLowerCase().pipe(z.email('must be a valid email address').max(254));
export const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);
export const ZPersonName = z.string().trim().min(1, 'is required').max(120);

export const ZSignUp = z.object({
  name: ZPersonName,
  email: ZEmail,
  password: ZPassword,
  organisationName: z.string().trim().min(1, 'is required').max(120),
  slug: ZSlug,
});

export interface TUser {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
}

const userColumns = { id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin };

/** Sign-in lookup (platform path): the only reader of password hashes. */
export async function findUserForSignIn(email: string): Promise<(TUser & { passwordHash: string | null }) | null> {
  const rows = await platformDb()
    .select({ ...userColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`)
    .limit(1);
  return rows[0] ?? null;
}

export async function findUserById(userId: string): Promise<TUser | null> {
  const rows = await platformDb().select(userColumns).from(users).where(eq(users.id, userId)).limit(1);
  return rows[0] ?? null;
}

export async function recordSignIn(userId: string): Promise<void> {
  await platformDb().update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, userId));
}

/** Creates a user in the caller's platform transaction; a taken email is a clear 409. */
export async function insertUser(
  tx: TTx,
  input: { email: string; name: string; password: string; isPlatformAdmin?: boolean },
): Promise<TUser> {
  try {
    const [user] = await tx
      .insert(users)
      .values({
        email: input.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
        isPlatformAdmin: input.isPlatformAdmin ?? false,
      })
      .returning(userColumns);
    return user;
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new AppError('conflict', 'An account with this email already exists: sign in instead', { field: 'email' });
    }
    throw error;
  }
}

/** Sign-up: the user, their new tenant and the owner membership, all or nothing. */
export async function signUp(input: z.infer<typeof ZSignUp>): Promise<{ user: TUser; tenant: TTenantRef }> {
  return withPlatform(async (tx) => {
    const user = await insertUser(tx, input);
    const tenant = await createTenant(tx, { name: input.organisationName, slug: input.slug });
    await tx.insert(memberships).values({ tenantId: tenant.id, userId: user.id, role: 'owner' });
    return { user, tenant };
  });
}

export interface TUserTenant {
  id: string;
  slug: string;
  name: string;
  role: TRole;
}

/** The active tenants a user belongs to, for the tenant switcher and post-sign-in routing. */
export async function listUserTenants(userId: string): Promise<TUserTenant[]> {
  return platformDb()
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(tenants.isActive, true)))
    .orderBy(asc(tenants.name));
}

/** The user's role in a tenant, or null when not a member (platform path: runs before the tenant context). */
export async function findMembershipRole(tenantId: string, userId: string): Promise<TRole | null> {
  const rows = await platformDb()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .limit(1);
  return rows[0]?.role ?? null;
}

export interface TUserListItem extends TUser {
  createdAt: Date;
  lastSignInAt: Date | null;
  tenantCount: number;
}

/** Operator console: all users, newest first, keyset-paginated. */
export async function listAllUsers(
  tx: TTx,
  opts: { search?: string; limit: number; cursor?: { createdAt: Date; id: string } },
): Promise<TUserListItem[]> {
  const conditions = [];
  if (opts.search) conditions.push(or(ilike(users.email, `%${opts.search}%`), ilike(users.name, `%${opts.search}%`)));
  // Millisecond precision, as the cursor's JavaScript date has: see listAllTenants.
  const createdAtMs = sql`date_trunc('milliseconds', ${users.createdAt})`;
  if (opts.cursor) {
    conditions.push(
      sql`(${createdAtMs}, ${users.id}) < (${opts.cursor.createdAt.toISOString()}::timestamptz, ${opts.cursor.id}::uuid)`,
    );
  }
  return tx
    .select({
      ...userColumns,
      createdAt: users.createdAt,
      lastSignInAt: users.lastSignInAt,
      // Qualified by hand: a bare "id" in a single-table select would mean m.id.
      tenantCount: sql<number>`(select count(*)::int from memberships m where m.user_id = ${users}.id)`,
    })
    .from(users)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(createdAtMs), desc(users.id))
    .limit(opts.limit);
}

/** Operator console: a new tenant owned by an existing user, or by a new user created with it. */
export async function createTenantWithOwner(
  tx: TTx,
  input: { name: string; slug: string; plan: TTenantRef['plan']; ownerEmail: string; ownerName?: string; ownerPassword?: string },
): Promise<TTenantRef> {
  const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${input.ownerEmail}`);
  let ownerId = existing?.id;
  if (!ownerId) {
    if (!input.ownerName || !input.ownerPassword) {
      throw new AppError('validation_failed', 'No account has this email: give ownerName and ownerPassword to create one', {
        fields: [{ field: 'ownerPassword', message: 'is required for a new owner' }],
      });
    }
    ownerId = (await insertUser(tx, { email: input.ownerEmail, name: input.ownerName, password: input.ownerPassword })).id;
  }
  const tenant = await createTenant(tx, { name: input.name, slug: input.slug, plan: input.plan });
  await tx.insert(memberships).values({ tenantId: tenant.id, userId: ownerId, role: 'owner' });
  return tenant;
}
