import { NextResponse, type NextRequest } from 'next/server';
import { createNonce, pageContentSecurityPolicy, strictTransportSecurityOf } from '@/lib/security-headers';
import { TENANT_SLUG_HEADER, tenantSlugFromHost } from '@/lib/tenancy/host';

const CSP_HEADER = 'content-security-policy';

/** APP_URL, or what lib/config makes of it when unset (lib/config validates Node-side; this runs on the edge). */
function appUrlOf(appDomain: string): string {
  const port = Number(process.env.PORT || 3000);
  return process.env.APP_URL || `http://${appDomain}${port === 80 ? '' : `:${port}`}`;
}

/**
 * Routing only: derive the tenant from the Host, replace any client-sent tenant header with our own, and
 * rewrite portal pages to /t/{slug}/... No database, no authorisation: the server re-checks everything.
 * It also gives each page its Content-Security-Policy with a fresh nonce (on the response, and on the request,
 * where Next reads the nonce to put on the scripts it renders), and HSTS on an https site.
 */
export function middleware(request: NextRequest) {
  const appDomain = process.env.APP_DOMAIN ?? 'localhost';
  const appUrl = appUrlOf(appDomain);
  const policy = pageContentSecurityPolicy({ nonce: createNonce(), appUrl, isDevelopment: process.env.NODE_ENV === 'development' });
  const hsts = strictTransportSecurityOf(appUrl);
  const secured = (response: NextResponse) => {
    response.headers.set(CSP_HEADER, policy);
    if (hsts) response.headers.set('strict-transport-security', hsts);
    return response;
  };

  const slug = tenantSlugFromHost(request.headers.get('host'), appDomain);
  const headers = new Headers(request.headers);
  headers.delete(TENANT_SLUG_HEADER);
  if (slug) headers.set(TENANT_SLUG_HEADER, slug);
  headers.set(CSP_HEADER, policy);

  const { pathname, search } = request.nextUrl;
  // /t/... is an internal path: reachable only through a tenant's own host.
  if (pathname === '/t' || pathname.startsWith('/t/')) {
    return secured(new NextResponse('Not found', { status: 404 }));
  }
  if (slug) {
    const url = request.nextUrl.clone();
    url.pathname = `/t/${slug}${pathname === '/' ? '' : pathname}`;
    url.search = search;
    return secured(NextResponse.rewrite(url, { request: { headers } }));
  }
  return secured(NextResponse.next({ request: { headers } }));
}

// API routes are left out: they resolve the tenant from the Host themselves, and going through middleware
// would make Next copy each request body into memory (10 MB limit), which breaks streamed uploads.
export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
