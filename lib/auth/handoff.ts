import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { config } from '@/lib/config';

/**
 * Sessions are per host (a cookie set on localhost is not sent to acme.localhost). A handoff token carries
 * a signed-in user to one tenant's portal: HMAC-signed, bound to that tenant, valid for 60 seconds.
 */
const TTL_MS = 60_000;

function sign(payload: string): string {
  return createHmac('sha256', `handoff:${config().NEXTAUTH_SECRET}`).update(payload).digest('base64url');
}

export function createHandoffToken(userId: string, tenantSlug: string): string {
  const payload = Buffer.from(JSON.stringify({ u: userId, t: tenantSlug, e: Date.now() + TTL_MS })).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

/** The user id the token carries, or null when it is forged, expired or meant for another tenant. */
export function verifyHandoffToken(token: string, tenantSlug: string): string | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { u, t, e } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { u: string; t: string; e: number };
    return t === tenantSlug && e > Date.now() ? u : null;
  } catch {
    return null;
  }
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
