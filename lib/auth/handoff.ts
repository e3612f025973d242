import 'server-only';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { lt } from 'drizzle-orm';
import { handoffRedemptions } from '@/db/schema/auth';
import { config } from '@/lib/config';
import { withPlatform } from '@/lib/tenancy';

/**
 * Sessions are per host (a cookie set on localhost is not sent to acme.localhost). A handoff token carries
 * a signed-in user to one tenant's portal: HMAC-signed, bound to that tenant, valid for 60 seconds and good
 * once (its id is recorded when it is redeemed), so a link that leaks through a log or a history is dead.
 */
const TTL_MS = 60_000;

function sign(payload: string): string {
  return createHmac('sha256', `handoff:${config().NEXTAUTH_SECRET}`).update(payload).digest('base64url');
}

export function createHandoffToken(userId: string, tenantSlug: string): string {
  const claims = { u: userId, t: tenantSlug, e: Date.now() + TTL_MS, j: randomUUID() };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

function claimsOf(token: string, tenantSlug: string): { userId: string; jti: string; expiresAt: Date } | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { u, t, e, j } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { u: string; t: string; e: number; j?: string };
    if (t !== tenantSlug || !(e > Date.now()) || typeof u !== 'string' || typeof j !== 'string') return null;
    return { userId: u, jti: j, expiresAt: new Date(e) };
  } catch {
    return null;
  }
}

/**
 * The user id the token carries, or null when it is forged, expired, meant for another tenant or already used.
 * The first redemption records the token's id; any later one (a replay, or two racing) finds it there.
 */
export async function redeemHandoffToken(token: string, tenantSlug: string): Promise<string | null> {
  const claims = claimsOf(token, tenantSlug);
  if (!claims) return null;
  return withPlatform(async (tx) => {
    // Expired ids can go: their tokens fail the expiry check before they get here.
    await tx.delete(handoffRedemptions).where(lt(handoffRedemptions.expiresAt, new Date()));
    const recorded = await tx
      .insert(handoffRedemptions)
      .values({ jti: claims.jti, expiresAt: claims.expiresAt })
      .onConflictDoNothing()
      .returning({ jti: handoffRedemptions.jti });
    return recorded.length === 1 ? claims.userId : null;
  });
}

export function tenantUrl(tenantSlug: string, path = '/'): string {
  const url = new URL(config().APP_URL);
  url.hostname = `${tenantSlug}.${url.hostname}`;
  url.pathname = path;
  return url.toString();
}

/** Where to send a signed-in user so that they arrive signed in at a tenant's portal. */
export function handoffUrl(userId: string, tenantSlug: string, next = '/'): string {
  const url = new URL(tenantUrl(tenantSlug, '/sign-in'));
  url.searchParams.set('handoff', createHandoffToken(userId, tenantSlug));
  url.searchParams.set('next', next);
  return url.toString();
}
