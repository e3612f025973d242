import { NextRequest } from 'next/server';
// Next's own matcher of `headers()` sources, so the test matches paths as the server does.
import { getPathMatch } from 'next/dist/shared/lib/router/utils/path-match';
import { afterEach, describe, expect, it } from 'vitest';
import { middleware } from '@/middleware';
import nextConfig from '@/next.config';

/**
 * Security headers: next.config.ts's headers() for every response (fixed at build time), the page's
 * Content-Security-Policy with a per-response nonce and HSTS from the middleware (per request). The e2e suite
 * checks the same headers on a served page and API response, and that the pages raise no CSP violation.
 */
async function configuredHeadersOf(path: string): Promise<Record<string, string>> {
  const rules = (await nextConfig.headers!()) ?? [];
  const headers: Record<string, string> = {};
  for (const rule of rules) {
    if (getPathMatch(rule.source)(path) === false) continue;
    for (const { key, value } of rule.headers) headers[key.toLowerCase()] = value;
  }
  return headers;
}

/** A CSP as directive → sources. */
function directivesOf(policy: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (policy ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

const page = (url: string) => middleware(new NextRequest(url, { headers: { host: new URL(url).host } }));

describe('headers of every response (next.config.ts)', () => {
  it.each(['/', '/members', '/sign-in', '/api/v1/tenant', '/api/auth/session', '/_next/static/chunks/main.js'])(
    'sends nosniff, a strict referrer policy, no framing and no camera, microphone or geolocation on %s',
    async (path) => {
      expect(await configuredHeadersOf(path)).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'x-frame-options': 'DENY',
        'permissions-policy': expect.stringMatching(/camera=\(\).*microphone=\(\).*geolocation=\(\)/),
      });
    },
  );

  it('gives API responses a policy that loads, runs and frames nothing, and leaves pages to the middleware', async () => {
    const api = directivesOf((await configuredHeadersOf('/api/v1/files'))['content-security-policy']);
    expect(api).toMatchObject({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"] });
    // Two policies would both apply: a page's nonce policy must be the only one.
    expect((await configuredHeadersOf('/members'))['content-security-policy']).toBeUndefined();
  });
});

describe("a page's Content-Security-Policy (middleware)", () => {
  const originalAppUrl = process.env.APP_URL;
  afterEach(() => {
    process.env.APP_URL = originalAppUrl;
  });

  it('allows only scripts with this response’s nonce, and forbids framing, plugins, foreign bases and foreign form targets', () => {
    const response = page('http://acme.localhost:3000/files');
    const directives = directivesOf(response.headers.get('content-security-policy'));
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(directives['script-src'].find((source) => source.startsWith("'nonce-"))!)?.[1];
    expect(nonce).toBeDefined();
    expect(directives).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'frame-ancestors': ["'none'"],
      'connect-src': ["'self'"],
      'form-action': ["'self'", 'http://localhost:3000', 'http://*.localhost:3000'],
    });
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
    // Tenants' logos may be any http(s) address on a plain-http install.
    expect(directives['img-src']).toEqual(expect.arrayContaining(["'self'", 'data:', 'https:', 'http:']));
  });

  it('hands the same policy to Next with the request, which puts its nonce on the scripts it renders, and a new nonce on every response', () => {
    const first = page('http://acme.localhost:3000/');
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(first.headers.get('content-security-policy'));
    const apex = page('http://localhost:3000/sign-in');
    expect(apex.headers.get('x-middleware-request-content-security-policy')).toBe(apex.headers.get('content-security-policy'));
    expect(apex.headers.get('content-security-policy')).not.toBe(first.headers.get('content-security-policy'));
  });

  it('puts the policy on the 404 of an internal path too', () => {
    const response = page('http://localhost:3000/t/acme');
    expect(response.status).toBe(404);
    expect(directivesOf(response.headers.get('content-security-policy'))['frame-ancestors']).toEqual(["'none'"]);
  });

  it('sends no HSTS over plain http', () => {
    expect(page('http://acme.localhost:3000/').headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS for the site and its tenants, upgrades insecure requests and allows only https images when APP_URL is https', () => {
    process.env.APP_URL = 'https://sitework.example.com';
    const response = page('https://acme.sitework.example.com/');
    expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    const directives = directivesOf(response.headers.get('content-security-policy'));
    expect(directives['upgrade-insecure-requests']).toEqual([]);
    expect(directives['img-src']).not.toContain('http:');
    expect(directives['form-action']).toEqual(["'self'", 'https://sitework.example.com', 'https://*.sitework.example.com']);
  });
});
