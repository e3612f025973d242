import 'server-only';
import { sql } from 'drizzle-orm';
import { appDb, ownerDb, pipelinedTransaction, type TDb, type TTx } from '@/db/client';

/**
 * Runs `fn` in one transaction as sitework_app with app.tenant_id set for that transaction only, so row-level
 * security confines every statement to this tenant even if a query forgets its WHERE tenant_id.
 */
export async function withTenant<T>(tenantId: string, fn: (tx: TTx) => Promise<T>): Promise<T> {
  // The setting travels with BEGIN and fn's first statement (db/client): no round trip of its own.
  return pipelinedTransaction('app', (sql) => [sql`select set_config('app.tenant_id', ${tenantId}, true)`], fn);
}

/**
 * The one path for platform-wide work (sign-in, tenant resolution, sign-up, operator console, jobs): runs as
 * the owning role, which sees every tenant. Grep for withPlatform/platformDb to audit every use.
 */
export async function withPlatform<T>(fn: (tx: TTx) => Promise<T>): Promise<T> {
  return pipelinedTransaction('owner', () => [], fn);
}

/** Single platform statements on the hot path (one round trip, no BEGIN/COMMIT). */
export function platformDb(): TDb {
  return ownerDb();
}

/**
 * Refuses to serve tenant traffic through a role that row-level security would not restrict, or one that could
 * become such a role: the session's login role itself (not a SET ROLE on top of a privileged login) must be
 * neither superuser nor BYPASSRLS, and must not be a member of any role that is. Called once at start-up.
 */
export async function assertAppRoleIsRestricted(): Promise<void> {
  const rows = await appDb().execute<{ user: string; sessionUser: string; rolsuper: boolean; rolbypassrls: boolean; reachesPrivileged: boolean }>(
    sql`select current_user as "user", session_user as "sessionUser", r.rolsuper, r.rolbypassrls,
          exists (
            select 1 from pg_roles p
            where (p.rolsuper or p.rolbypassrls) and p.oid <> r.oid and pg_has_role(r.oid, p.oid, 'MEMBER')
          ) as "reachesPrivileged"
        from pg_roles r where r.rolname = session_user`,
  );
  const role = rows[0];
  if (!role || role.rolsuper || role.rolbypassrls || role.reachesPrivileged || role.user !== role.sessionUser) {
    throw new Error(
      `Refusing to serve tenant traffic: database login ${role?.sessionUser ?? '(unknown)'} can bypass row-level security ` +
        '(request code must log in as sitework_app itself: see DATABASE_APP_URL)',
    );
  }
}
