import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { apiKeys, memberships, type TRole } from '@/db/schema/auth';
import { AppError } from '@/lib/app-error';
import { changeCache } from '@/lib/cluster';
import { processWide } from '@/lib/runtime';
import { platformDb, type TTenantRef } from '@/lib/tenancy';
import { tenants } from '@/db/schema/tenancy';
import type { TActor } from './members';
import { PERMISSIONS, permissionsOf, ROLE_PERMISSIONS, type TPermission } from './permissions';
import { digestsEqual, sha256Hex } from './tokens';

export const ZCreateApiKey = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    scopes: z.array(z.enum(PERMISSIONS)).min(1, 'choose at least one scope'),
    expiresAt: z.coerce
      .date()
      .refine((d) => d.getTime() > Date.now(), 'must be in the future')
      .nullable()
      .optional(),
  })
  .strict();

export interface TApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: TPermission[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
};

const KEY_PATTERN = /^sw_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newPrefix(): string {
  return Array.from(randomBytes(12), (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
}

/**
 * Creates a key whose scopes the creator already has. The secret is returned here and never again. When the
 * actor carries its permissions (a caller acting through an API key), those bound the scopes rather than the
 * creator's whole role: a key that may manage keys must not mint a key more powerful than itself.
 */
export async function createApiKey(
  tx: TTx,
  tenantId: string,
  actor: TActor & { permissions?: ReadonlySet<TPermission> },
  input: z.infer<typeof ZCreateApiKey>,
): Promise<TApiKey & { secret: string }> {
  const scopes = [...new Set(input.scopes)];
  const grantable = actor.permissions ?? ROLE_PERMISSIONS[actor.role];
  const beyondRole = scopes.filter((s) => !grantable.has(s));
  if (beyondRole.length) {
    throw new AppError('forbidden', `Your role (${actor.role}) or key scopes cannot grant: ${beyondRole.join(', ')}`, {
      scopes: beyondRole,
    });
  }
  const prefix = newPrefix();
  const secret = `sw_${prefix}_${randomBytes(32).toString('base64url')}`;
  const [row] = await tx
    .insert(apiKeys)
    .values({
      tenantId,
      name: input.name,
      prefix,
      keyHash: sha256Hex(secret),
      scopes,
      createdBy: actor.userId,
      expiresAt: input.expiresAt ?? null,
    })
    .returning(columns);
  return { ...(row as TApiKey), secret };
}

export async function listApiKeys(tx: TTx): Promise<TApiKey[]> {
  const rows = await tx.select(columns).from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).limit(500);
  return rows as TApiKey[];
}

export async function revokeApiKey(tx: TTx, keyId: string): Promise<TApiKey> {
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning(columns);
  if (row) return row as TApiKey;
  const [existing] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, keyId));
  if (!existing) throw new AppError('not_found', 'API key not found');
  throw new AppError('conflict', 'This API key is already revoked');
}

export interface TKeyPrincipal {
  keyId: string;
  keyName: string;
  tenantId: string;
  /** The key's tenant, read in the same lookup so a request named by its key needs no second query. */
  tenant: TTenantRef;
  userId: string | null;
  /** Scopes ∩ what the creator's current role allows. */
  permissions: Set<TPermission>;
  role: TRole;
}

// last_used_at is written at most once a minute per key, not on every request.
const LAST_USED_RESOLUTION_MS = 60_000;
// Per process, not per route bundle (lib/runtime): each bundle would write its own once a minute.
const lastUsedWrites = processWide('api-key-last-used-writes', () => new Map<string, number>());

/**
 * What a key's prefix names, kept per process between requests: the key row, its creator's role and its tenant.
 * Any change to a key, a membership or a tenant is announced by a trigger to every process, which drops that
 * tenant's entries (lib/cluster); a revoked key, a removed creator or a deactivated tenant is refused from then on.
 */
const keyRecords = changeCache<{
  id: string;
  name: string;
  tenantId: string;
  keyHash: string;
  scopes: string[];
  createdBy: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  creatorRole: TRole | null;
  tenant: TTenantRef;
}>('api-keys', 'tenant', { maxEntries: 50_000, maxAgeMs: 10 * 60_000 });

/**
 * Authenticates `sw_{prefix}_{secret}` (platform path: the key names its tenant): the key record by prefix (kept
 * between requests, see keyRecords; otherwise one indexed lookup joined with the creator's membership), then on
 * every request the hash compared in constant time, revocation, expiry and the creator's membership.
 */
export async function authenticateApiKey(rawKey: string): Promise<TKeyPrincipal> {
  const match = KEY_PATTERN.exec(rawKey);
  if (!match) throw new AppError('unauthorized', 'Malformed API key: expected sw_<prefix>_<secret>');
  const key = await keyRecords.get(match[1], async () => {
    const [row] = await platformDb()
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        tenantId: apiKeys.tenantId,
        keyHash: apiKeys.keyHash,
        scopes: apiKeys.scopes,
        createdBy: apiKeys.createdBy,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedAt: apiKeys.lastUsedAt,
        creatorRole: memberships.role,
        tenant: { id: tenants.id, slug: tenants.slug, name: tenants.name, plan: tenants.plan, isActive: tenants.isActive },
      })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .leftJoin(memberships, and(eq(memberships.tenantId, apiKeys.tenantId), eq(memberships.userId, apiKeys.createdBy)))
      .where(eq(apiKeys.prefix, match[1]))
      .limit(1);
    return row ? { value: row, group: row.tenantId } : null;
  });
  if (!key || !digestsEqual(key.keyHash, sha256Hex(rawKey))) throw new AppError('unauthorized', 'Invalid API key');
  if (key.revokedAt) throw new AppError('unauthorized', 'This API key has been revoked');
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw new AppError('unauthorized', 'This API key has expired');
  if (!key.creatorRole) {
    throw new AppError('unauthorized', 'This API key belonged to someone who is no longer a member; create a new key');
  }
  const now = Date.now();
  const isStale = !key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS;
  // Concurrent requests all read the same stale value: only the first of this process writes.
  if (isStale && now - (lastUsedWrites.get(key.id) ?? 0) > LAST_USED_RESOLUTION_MS) {
    lastUsedWrites.set(key.id, now);
    void platformDb()
      .update(apiKeys)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(apiKeys.id, key.id), sql`(last_used_at is null or last_used_at < now() - interval '1 minute')`))
      .catch(() => {});
  }
  const allowed = new Set(permissionsOf(key.creatorRole));
  return {
    keyId: key.id,
    keyName: key.name,
    tenantId: key.tenantId,
    tenant: key.tenant,
    userId: key.createdBy,
    role: key.creatorRole,
    permissions: new Set((key.scopes as TPermission[]).filter((s) => allowed.has(s))),
  };
}

export async function renameApiKey(tx: TTx, keyId: string, name: string): Promise<TApiKey> {
  const [row] = await tx.update(apiKeys).set({ name }).where(eq(apiKeys.id, keyId)).returning(columns);
  if (!row) throw new AppError('not_found', 'API key not found');
  return row as TApiKey;
}
