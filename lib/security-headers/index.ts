/**
 * Response headers that limit what a browser lets a page do: pure functions, shared by next.config.ts (headers of
 * every response, fixed at build time) and the edge middleware (each page's Content-Security-Policy with its own
 * nonce, and HSTS, decided per request from APP_URL). No Node APIs: the middleware runs on the edge runtime.
 */

/** On every response, pages and API alike. */
export const SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  // Old browsers' frame-ancestors 'none'.
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  // A window we open (Stripe Checkout, a download) cannot reach back into ours, nor one that opened us.
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** API responses are data, never a document: they load nothing, run nothing and may not be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface TPagePolicyInput {
  /** A fresh random value per response; Next puts it on every script it renders (read from this header). */
  nonce: string;
  /** The apex site, APP_URL: tenants' portals are its subdomains. */
  appUrl: string;
  isDevelopment: boolean;
}

/**
 * The Content-Security-Policy of a page.
 * - Scripts: only those carrying this response's nonce, and what they load ('strict-dynamic': Next's chunks).
 *   Development adds 'unsafe-eval', which React's dev build and Next's hot reload need.
 * - Styles: 'unsafe-inline', since components set `style` attributes (bars, charts) that a nonce cannot cover;
 *   styles cannot run code.
 * - Images: tenants' logos are any https address an admin enters (http too on a plain-http install).
 * - connect-src 'self': the browser talks only to its own portal; uploads go through POST /api/v1/files and
 *   downloads are navigations to a presigned S3 address, which this policy does not govern.
 * - form-action: the apex and every tenant portal, where sign-in, sign-up and switching organisations go.
 */
export function pageContentSecurityPolicy({ nonce, appUrl, isDevelopment }: TPagePolicyInput): string {
  const apex = new URL(appUrl);
  const isHttps = apex.protocol === 'https:';
  const tenants = `${apex.protocol}//*.${apex.host}`;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDevelopment ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: https:${isHttps ? '' : ' http:'}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${apex.origin} ${tenants}`,
    "frame-ancestors 'none'",
    ...(isHttps ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** HSTS for an https site, its tenants' subdomains included; nothing over plain http, where it would be ignored. */
export function strictTransportSecurityOf(appUrl: string): string | null {
  return new URL(appUrl).protocol === 'https:' ? 'max-age=63072000; includeSubDomains' : null;
}

/** A nonce for one response: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
