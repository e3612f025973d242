import 'server-only';
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { idempotencyKeys } from '@/db/schema/api';
import { AppError } from '@/lib/app-error';
import { withPlatform } from '@/lib/tenancy';

/*
 * Idempotency-Key for creating calls (endpoints declaring `idempotency: true`). A script that times out and
 * retries must not create a second estimate. In the request's transaction, before the handler, the key is claimed
 * (a row keyed by tenant and key); the handler's answer is stored in that row before commit. A retry then:
 * - finds the answer: gets it again (same status and body, `Idempotent-Replayed: true`), nothing changes;
 * - arrives while the first call still runs: waits on the row's lock, then gets the first call's answer, or runs
 *   itself if the first call failed (a failed call rolls its claim back with everything else);
 * - sends the key with another request (body, path or endpoint): 422, nothing changes.
 * Keys are kept 24 hours; an older one is treated as new.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type TIdempotencyClaim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: unknown };

/** The key of a request, validated; undefined without the header. */
export function idempotencyKeyOf(headers: Headers): string | undefined {
  const key = headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return undefined;
  if (!KEY_PATTERN.test(key)) {
    throw new AppError('validation_failed', 'Invalid Idempotency-Key: 1–255 visible ASCII characters, e.g. a UUID', {
      fields: [{ field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  return key;
}

/** A stable digest of what the request asks for (the parsed body, path parameters and query). */
export function requestDigest(parts: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as Record<string, unknown>)
          .sort()
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return createHash('sha256').update(JSON.stringify(canonical(parts) ?? null)).digest('hex');
}

export async function claimIdempotencyKey(
  tx: TTx,
  claim: { tenantId: string; key: string; operation: string; requestSha256: string },
): Promise<TIdempotencyClaim> {
  const where = and(eq(idempotencyKeys.tenantId, claim.tenantId), eq(idempotencyKeys.key, claim.key));
  await tx.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)));
  // Waits while another transaction holds the same key, then either inserts (that one rolled back) or conflicts.
  const inserted = await tx
    .insert(idempotencyKeys)
    .values({ tenantId: claim.tenantId, key: claim.key, operation: claim.operation, requestSha256: claim.requestSha256 })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return { kind: 'claimed' };
  const [stored] = await tx.select().from(idempotencyKeys).where(where);
  if (!stored?.response) {
    throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry in a moment', { idempotencyKey: claim.key });
  }
  if (stored.operation !== claim.operation || stored.requestSha256 !== claim.requestSha256) {
    throw new AppError(
      'unprocessable',
      'This Idempotency-Key was already used with a different request; use a new key for a new request',
      { idempotencyKey: claim.key },
    );
  }
  return { kind: 'replay', status: stored.response.status, body: stored.response.body };
}

export async function storeIdempotentResponse(tx: TTx, claim: { tenantId: string; key: string }, response: { status: number; body: unknown }): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ response })
    .where(and(eq(idempotencyKeys.tenantId, claim.tenantId), eq(idempotencyKeys.key, claim.key)));
}

/** Deletes keys past their 24 hours (hourly job), as the owner across tenants. */
export async function pruneIdempotencyKeys(): Promise<{ deleted: number }> {
  const rows = await withPlatform((tx) =>
    tx
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`))
      .returning({ key: idempotencyKeys.key }),
  );
  return { deleted: rows.length };
}

/** Passes a streamed body through while hashing it, for the digest of a request whose body is never held. */
export function hashedBody(body: AsyncIterable<Uint8Array>): { body: AsyncIterable<Uint8Array>; sha256: () => string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    body: (async function* () {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
    })(),
    sha256: () => (digest ??= hash.digest('hex')),
  };
}
