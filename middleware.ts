import { NextResponse, type NextRequest } from 'next/server';
import { TENANT_SLUG_HEADER, tenantSlugFromHost } from '@/lib/tenancy/host';

/**
 * Routing only: derive the tenant from the Host, replace any client-sent tenant header with our own, and
 * rewrite portal pages to /t/{slug}/... No database, no authorisation: the server re-checks everything.
 */
export function middleware(request: NextRequest) {
  const appDomain = process.env.APP_DOMAIN ?? 'localhost';
  const slug = tenantSlugFromHost(request.headers.get('host'), appDomain);
  const headers = new Headers(request.headers);
  headers.delete(TENANT_SLUG_HEADER);
  if (slug) headers.set(TENANT_SLUG_HEADER, slug);

  const { pathname, search } = request.nextUrl;
  // /t/... is an internal path: reachable only through a tenant's own host.
  if (pathname === '/t' || pathname.startsWith('/t/')) {
    return new NextResponse('Not found', { status: 404 });
  }
  if (slug) {
    const url = request.nextUrl.clone();
    url.pathname = `/t/${slug}${pathname === '/' ? '' : pathname}`;
    url.search = search;
    return NextResponse.rewrite(url, { request: { headers } });
  }
  return NextResponse.next({ request: { headers } });
}

// API routes are left out: they resolve the tenant from the Host themselves, and going through middleware
// would make Next copy each request body into memory (10 MB limit), which breaks streamed uploads.
export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
