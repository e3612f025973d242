import 'server-only';
import { AppError } from '@/lib/app-error';
import { tenantUrl } from '@/lib/auth';
import { config } from '@/lib/config';
import { tenantSlugFromHost } from '@/lib/tenancy';
import type { THttpMethod } from './endpoint';

/**
 * Cross-site request forgery. Tenants are sibling subdomains of one site, so SameSite=Lax cookies travel on
 * requests one tenant's page makes to another's: the session cookie alone does not show that our own page sent
 * a request. A browser names the page's origin in `Origin` on every POST, PUT, PATCH and DELETE (same-origin
 * ones too) and no page can forge it, so a signed-in browser's change is accepted only from the portal it is
 * made on or the apex site. API keys are exempt: a page cannot make a browser attach `Authorization`.
 * A missing Origin is refused rather than guessed from Referer, which browsers and proxies may drop or trim.
 */
export function isStateChanging(method: THttpMethod): boolean {
  return method !== 'GET';
}

/** The origins a signed-in browser's change to this host may come from: the apex, and the host's own tenant. */
export function trustedOriginsOf(host: string | null): string[] {
  const apex = new URL(config().APP_URL).origin;
  const slug = tenantSlugFromHost(host, config().APP_DOMAIN);
  return slug ? [apex, new URL(tenantUrl(slug)).origin] : [apex];
}

/** 403 unless the request's Origin is one of trustedOriginsOf(its Host). */
export function assertTrustedOrigin(headers: Pick<Headers, 'get'>): void {
  const origin = headers.get('origin');
  if (!origin) {
    throw new AppError('forbidden', 'Refused: a signed-in browser request that changes something must carry an Origin header', {
      origin: null,
    });
  }
  if (!trustedOriginsOf(headers.get('host')).includes(origin)) {
    const shown = origin.slice(0, 200);
    throw new AppError('forbidden', `Refused a cross-site request from ${shown}: changes are accepted only from this portal's own pages`, {
      origin: shown,
    });
  }
}
