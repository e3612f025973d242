import type { TRole } from '@/db/schema/auth';

/**
 * The one permission matrix. Roles grant permissions; API keys carry scopes, and a key may do only what
 * both its scopes and its creator's current role allow.
 */
export const PERMISSIONS = [
  'tenant:read',
  'settings:manage',
  'members:read',
  'members:manage',
  'keys:manage',
  'files:read',
  'files:write',
  'usage:read',
  'billing:read',
  'billing:manage',
  'audit:read',
  'errors:read',
  'errors:manage',
  'estimates:read',
  'estimates:write',
] as const;

export type TPermission = (typeof PERMISSIONS)[number];

const READ: TPermission[] = ['tenant:read', 'members:read', 'files:read', 'usage:read', 'estimates:read'];
const WRITE: TPermission[] = [...READ, 'files:write', 'estimates:write'];
const ADMIN: TPermission[] = [
  ...WRITE,
  'settings:manage',
  'members:manage',
  'keys:manage',
  'billing:read',
  'audit:read',
  'errors:read',
  'errors:manage',
];

export const ROLE_PERMISSIONS: Record<TRole, ReadonlySet<TPermission>> = {
  owner: new Set([...ADMIN, 'billing:manage']),
  admin: new Set(ADMIN),
  editor: new Set(WRITE),
  viewer: new Set(READ),
};

/** Roles from most to least powerful. */
export const ROLE_ORDER: readonly TRole[] = ['owner', 'admin', 'editor', 'viewer'];

export function roleCan(role: TRole, permission: TPermission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

export function permissionsOf(role: TRole): TPermission[] {
  return PERMISSIONS.filter((p) => ROLE_PERMISSIONS[role].has(p));
}

export function isPermission(value: string): value is TPermission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
