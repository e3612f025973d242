import 'server-only';
import type { TRole } from '@/db/schema/auth';
import { AppError } from '@/lib/app-error';
import {
  authenticateApiKey,
  findMembershipRole,
  findUserById,
  permissionsOf,
  readSessionUser,
  type TPermission,
  type TSessionUser,
} from '@/lib/auth';
import { config } from '@/lib/config';
import { findTenantRef, tenantSlugFromHost, type TTenantRef } from '@/lib/tenancy';
import type { TAccess } from './endpoint';

export type TPrincipal =
  | { kind: 'user'; user: TSessionUser }
  | { kind: 'api_key'; keyId: string; keyName: string; userId: string | null };

/** Everything a handler knows about who is calling, resolved fresh on every request. */
export interface TTenantCaller {
  tenant: TTenantRef;
  principal: TPrincipal;
  role: TRole;
  /** The user acting (the key's creator for API keys). */
  userId: string | null;
  permissions: ReadonlySet<TPermission>;
}

export interface TPlatformCaller {
  user: TSessionUser;
}

export interface TRequestFacts {
  host: string | null;
  tenantIdHeader: string | null;
  authorization: string | null;
  cookie: string | null;
}

const NOT_FOUND = 'Organisation not found or deactivated';

async function resolveNamedTenant(facts: TRequestFacts): Promise<TTenantRef | null> {
  const fromHost = tenantSlugFromHost(facts.host, config().APP_DOMAIN);
  const fromHeader = facts.tenantIdHeader?.trim() || null;
  const [byHost, byHeader] = await Promise.all([
    fromHost ? findTenantRef(fromHost) : null,
    fromHeader ? findTenantRef(fromHeader) : null,
  ]);
  if ((fromHost && !byHost) || (fromHeader && !byHeader)) throw new AppError('not_found', NOT_FOUND);
  if (byHost && byHeader && byHost.id !== byHeader.id) {
    throw new AppError('bad_request', `The subdomain names ${byHost.slug} but X-Tenant-ID names ${byHeader.slug}`);
  }
  const tenant = byHost ?? byHeader;
  if (tenant && !tenant.isActive) throw new AppError('not_found', NOT_FOUND);
  return tenant;
}

function bearerOf(authorization: string | null): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new AppError('unauthorized', 'Authorization must be "Bearer <API key>"');
  return match[1];
}

/** Tenant, principal, role and permissions of a tenant request: 404, 401 or 403 when they do not add up. */
export async function resolveTenantCaller(facts: TRequestFacts): Promise<TTenantCaller> {
  // Both lookups at once (one round trip of latency), but a 404 for the named tenant wins over a 401.
  const [namedResult, keyResult] = await Promise.allSettled([
    resolveNamedTenant(facts),
    (async () => {
      const bearer = bearerOf(facts.authorization);
      return bearer ? authenticateApiKey(bearer) : null;
    })(),
  ]);
  if (namedResult.status === 'rejected') throw namedResult.reason;
  if (keyResult.status === 'rejected') throw keyResult.reason;
  const named = namedResult.value;
  const key = keyResult.value;
  if (key) {
    if (named && named.id !== key.tenantId) {
      throw new AppError('forbidden', 'This API key belongs to another organisation');
    }
    const tenant = named ?? key.tenant;
    if (!tenant.isActive) throw new AppError('not_found', NOT_FOUND);
    return {
      tenant,
      principal: { kind: 'api_key', keyId: key.keyId, keyName: key.keyName, userId: key.userId },
      role: key.role,
      userId: key.userId,
      permissions: key.permissions,
    };
  }
  const user = await readSessionUser(facts.cookie);
  if (!user) throw new AppError('unauthorized', 'Sign in or send an API key (Authorization: Bearer sw_...)');
  if (!named) {
    throw new AppError('bad_request', 'Name the organisation: call its subdomain or send the X-Tenant-ID header');
  }
  const role = await findMembershipRole(named.id, user.id);
  if (!role) throw new AppError('forbidden', 'You are not a member of this organisation');
  return {
    tenant: named,
    principal: { kind: 'user', user },
    role,
    userId: user.id,
    permissions: new Set(permissionsOf(role)),
  };
}

export async function resolvePlatformCaller(facts: TRequestFacts): Promise<TPlatformCaller> {
  const user = await readSessionUser(facts.cookie);
  if (!user) throw new AppError('unauthorized', 'Sign in as a platform operator');
  // The flag in the session may be stale: an operator whose access was withdrawn is refused at once.
  const current = await findUserById(user.id);
  if (!current?.isPlatformAdmin) throw new AppError('forbidden', 'Only platform operators may do this');
  return { user: { ...user, isPlatformAdmin: true } };
}

export function assertPermission(caller: TTenantCaller, permission: TPermission | undefined): void {
  if (!permission || caller.permissions.has(permission)) return;
  const who = caller.principal.kind === 'api_key' ? 'This API key' : `Your role (${caller.role})`;
  throw new AppError('forbidden', `${who} does not allow ${permission}`, { permission });
}

export function accessNeedsTenant(access: TAccess): boolean {
  return access === 'tenant';
}

/** Who to credit for a write: the tenant, the acting user, and the API key when a script made it. */
export function authorOf(caller: TTenantCaller): { tenantId: string; userId: string | null; apiKeyId: string | null } {
  return {
    tenantId: caller.tenant.id,
    userId: caller.userId,
    apiKeyId: caller.principal.kind === 'api_key' ? caller.principal.keyId : null,
  };
}
