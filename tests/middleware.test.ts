import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { slugProblem, tenantSlugFromHost } from '@/lib/tenancy/host';
import { config, middleware } from '@/middleware';

function run(url: string, headers: Record<string, string> = {}) {
  const host = new URL(url).host;
  return middleware(new NextRequest(url, { headers: { host, ...headers } }));
}

/** The request headers Next forwards after the middleware: the overridden set, or null when untouched. */
function forwardedHeaders(response: Response): { names: string[]; tenant: string | null } {
  const names = response.headers.get('x-middleware-override-headers')?.split(',') ?? [];
  return { names, tenant: response.headers.get('x-middleware-request-x-tenant-slug') };
}

describe('middleware', () => {
  it("rewrites a tenant's portal page to /t/{slug}/... and forwards its own x-tenant-slug over the client's", () => {
    const response = run('http://acme.localhost:3000/members?tab=roles', { 'x-tenant-slug': 'globex' });
    expect(response.status).toBe(200);
    expect(new URL(response.headers.get('x-middleware-rewrite')!).pathname).toBe('/t/acme/members');
    expect(new URL(response.headers.get('x-middleware-rewrite')!).search).toBe('?tab=roles');
    const forwarded = forwardedHeaders(response);
    expect(forwarded.names).toContain('x-tenant-slug');
    expect(forwarded.tenant).toBe('acme');
  });

  it("rewrites a tenant's home page to /t/{slug}", () => {
    const response = run('http://globex.localhost:3000/');
    expect(new URL(response.headers.get('x-middleware-rewrite')!).pathname).toBe('/t/globex');
    expect(forwardedHeaders(response).tenant).toBe('globex');
  });

  it.each(['http://localhost:3000/members', 'http://www.localhost:3000/members'])(
    'neither rewrites %s nor forwards a tenant header, even one the client sent',
    (url) => {
      const response = run(url, { 'x-tenant-slug': 'globex' });
      expect(response.headers.get('x-middleware-rewrite')).toBeNull();
      expect(response.headers.get('x-middleware-next')).toBe('1');
      const forwarded = forwardedHeaders(response);
      // The override list names every header Next keeps; the client's x-tenant-slug is not among them.
      expect(forwarded.names).toContain('host');
      expect(forwarded.names).not.toContain('x-tenant-slug');
      expect(forwarded.tenant).toBeNull();
    },
  );

  it('leaves /api/... out, so request bodies stream to the route untouched (the wrapper reads the Host itself)', () => {
    const matcher = new RegExp(`^${config.matcher[0]}$`);
    for (const path of ['/api/v1/files', '/api/v1/members', '/api/auth/session', '/api/health']) expect(path).not.toMatch(matcher);
    for (const path of ['/', '/members', '/sign-in', '/admin', '/t/acme', '/apiary']) expect(path).toMatch(matcher);
  });

  it.each(['http://localhost:3000/t/acme', 'http://localhost:3000/t/acme/members', 'http://acme.localhost:3000/t/globex/members', 'http://localhost:3000/t'])(
    'answers 404 to the internal path %s',
    async (url) => {
      const response = run(url);
      expect(response.status).toBe(404);
      expect(response.headers.get('x-middleware-rewrite')).toBeNull();
      expect(await response.text()).toBe('Not found');
    },
  );

  it('does not mistake /tenders for the internal /t path', () => {
    const response = run('http://localhost:3000/tenders');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });
});

describe('tenantSlugFromHost', () => {
  it.each([
    ['acme.localhost:3000', 'localhost', 'acme'],
    ['acme.localhost', 'localhost', 'acme'],
    ['ACME.LocalHost:3000', 'localhost', 'acme'],
    ['acme.localhost.', 'localhost', 'acme'],
    ['localhost:3000', 'localhost', null],
    ['www.localhost:3000', 'localhost', null],
    ['api.localhost', 'localhost', null],
    ['admin.localhost', 'localhost', null],
    ['a.b.localhost', 'localhost', null],
    ['-bad.localhost', 'localhost', null],
    ['under_score.localhost', 'localhost', null],
    ['acme.sitework.example.com', 'sitework.example.com', 'acme'],
    ['acme.sitework.example.com:8443', 'sitework.example.com', 'acme'],
    ['ACME.Sitework.Example.com', 'sitework.example.com', 'acme'],
    ['sitework.example.com', 'sitework.example.com', null],
    ['www.sitework.example.com', 'sitework.example.com', null],
    ['deep.acme.sitework.example.com', 'sitework.example.com', null],
    ['acme.evil.com', 'sitework.example.com', null],
    ['acme.sitework.example.com.evil.com', 'sitework.example.com', null],
    // Documented in .env.example: tenants are always reachable at {slug}.localhost too.
    ['acme.localhost:3000', 'sitework.example.com', 'acme'],
    ['acmesitework.example.com', 'sitework.example.com', null],
    ['', 'localhost', null],
  ])('reads %j under APP_DOMAIN=%s as %j', (host, appDomain, expected) => {
    expect(tenantSlugFromHost(host, appDomain)).toBe(expected);
  });

  it('reads a missing Host as no tenant', () => {
    expect(tenantSlugFromHost(null, 'localhost')).toBeNull();
    expect(tenantSlugFromHost(undefined, 'localhost')).toBeNull();
  });
});

describe('slugProblem', () => {
  it.each(['acme', 'globex', 'a1', 'north-west-builders', 'x'.repeat(63)])('accepts %j', (slug) => {
    expect(slugProblem(slug)).toBeNull();
  });

  it.each([
    ['a', /at least 2/],
    ['x'.repeat(64), /at most 63/],
    ['-bad', /start and end with a letter or digit/],
    ['bad-', /start and end with a letter or digit/],
    ['UPPER', /only lowercase/],
    ['under_score', /only lowercase/],
    ['dots.in', /only lowercase/],
    ['a--b', /two hyphens/],
    ['www', /reserved/],
    ['admin', /reserved/],
    ['api', /reserved/],
    ['localhost', /reserved/],
  ])('refuses %j: %s', (slug, problem) => {
    expect(slugProblem(slug)).toMatch(problem);
  });
});
