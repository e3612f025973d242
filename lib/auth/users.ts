import 'server-only';
import { and, asc, desc, eq, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, users, type TRole } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { AppError, isUniqueViolation } from '@/lib/app-error';
import { changeCache } from '@/lib/cluster';
import { platformDb } from '@/lib/tenancy';
import type { TTx } from '@/db/client';
import { MIN_PASSWORD_LENGTH, hashPassword } from './password';

export const ZEmail = z.string().trim().toLowerCase().pipe(z.email('must be a valid email address').max(254));
export const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);
export const ZPersonName = z.string().trim().min(1, 'is required').max(120);

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

/**
 * Creates a user in the caller's platform transaction; a taken email is a clear 409. `isEmailVerified`: whether
 * the owner of the address has proved it (a confirmed sign-up link) or the account is the platform's own.
 */
export async function insertUser(
  tx: TTx,
  input: { email: string; name: string; password: string; isEmailVerified: boolean; isPlatformAdmin?: boolean },
): Promise<TUser> {
  try {
    const [user] = await tx
      .insert(users)
      .values({
        email: input.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
        isPlatformAdmin: input.isPlatformAdmin ?? false,
        emailVerifiedAt: input.isEmailVerified ? new Date() : null,
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

/** Members' roles, kept per process until a trigger announces a change in the tenant (lib/cluster). */
const memberRoles = changeCache<{ role: TRole }>('member-roles', 'tenant', { maxEntries: 50_000, maxAgeMs: 10 * 60_000 });

/** The user's role in a tenant, or null when not a member (platform path: runs before the tenant context). */
export async function findMembershipRole(tenantId: string, userId: string): Promise<TRole | null> {
  const found = await memberRoles.get(`${tenantId}:${userId}`, async () => {
    const [row] = await platformDb()
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
      .limit(1);
    return row ? { value: row, group: tenantId } : null;
  });
  return found?.role ?? null;
}

export interface TUserListItem extends TUser {
  /** Null until the owner of the address confirmed it (an operator makes only verified accounts owners). */
  emailVerifiedAt: Date | null;
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
      emailVerifiedAt: users.emailVerifiedAt,
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
