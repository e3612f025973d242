import 'server-only';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import type { TRole } from '@/db/schema/auth';
import { findMembershipRole, permissionsOf, readSessionUser, type TPermission, type TSessionUser } from '@/lib/auth';
import { findTenantRef, getTenant, withTenant, type TTenant } from '@/lib/tenancy';

/**
 * The tenant of a portal request. The [tenant] param must be the slug middleware derived from the Host
 * (x-tenant-slug): anything else is a 404, so /t/... paths cannot name another tenant.
 */
export const loadTenant = cache(async (slugParam: string): Promise<TTenant> => {
  const slug = (await headers()).get('x-tenant-slug');
  if (!slug || slug !== slugParam) notFound();
  const ref = await findTenantRef(slug);
  if (!ref || !ref.isActive) notFound();
  return withTenant(ref.id, (tx) => getTenant(tx, ref.id));
});

export type TPortal =
  | { kind: 'member'; tenant: TTenant; user: TSessionUser; role: TRole; permissions: ReadonlySet<TPermission> }
  | { kind: 'not-member'; tenant: TTenant; user: TSessionUser };

/** Tenant, signed-in user and their role, resolved once per request; no session → the sign-in page. */
export const loadPortal = cache(async (slugParam: string): Promise<TPortal> => {
  const tenant = await loadTenant(slugParam);
  const user = await readSessionUser((await headers()).get('cookie'));
  if (!user) redirect('/sign-in');
  const role = await findMembershipRole(tenant.id, user.id);
  if (!role) return { kind: 'not-member', tenant, user };
  return { kind: 'member', tenant, user, role, permissions: new Set(permissionsOf(role)) };
});

/** For pages: the member's portal context (the layout shows the "not a member" state, so pages 404). */
export async function requireMember(slugParam: string): Promise<Extract<TPortal, { kind: 'member' }>> {
  const portal = await loadPortal(slugParam);
  if (portal.kind !== 'member') notFound();
  return portal;
}

export function brandingOf(tenant: TTenant): { displayName: string; logoUrl: string | null; primaryColor: string | null } {
  return {
    displayName: tenant.settings.brandingDisplayName ?? tenant.name,
    logoUrl: tenant.settings.brandingLogoUrl ?? tenant.logoUrl,
    primaryColor: tenant.settings.brandingPrimaryColor,
  };
}
