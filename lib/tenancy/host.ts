/**
 * Pure host parsing shared by the edge middleware and the server: no database, no Node APIs.
 */

/** Subdomains that never name a tenant, and slugs nobody may register. */
export const RESERVED_SLUGS = new Set([
  'www', 'api', 'admin', 'app', 'mail', 'smtp', 'imap', 'pop', 'ftp', 'ns1', 'ns2', 'cdn', 'static',
  'assets', 'docs', 'status', 'support', 'help', 'blog', 'auth', 'login', 'signin', 'signup', 'billing',
  'dashboard', 'portal', 'internal', 'root', 'system', 'sitework', 'localhost', 'test', 'dev', 'staging',
]);

/** Subdomains that address the apex rather than a tenant (www.example.com is example.com). */
const APEX_ALIASES = new Set(['www', 'api', 'admin']);

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a slug is unacceptable, or null when it is a valid DNS label that is not reserved. */
export function slugProblem(slug: string): string | null {
  if (slug.length < 2) return 'must be at least 2 characters';
  if (slug.length > 63) return 'must be at most 63 characters';
  if (!SLUG_PATTERN.test(slug)) {
    return 'may contain only lowercase letters, digits and hyphens, and must start and end with a letter or digit';
  }
  if (slug.includes('--')) return 'may not contain two hyphens in a row';
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved`;
  return null;
}

/**
 * The tenant slug a Host header names: `{slug}.{appDomain}` or `{slug}.localhost`, with any port.
 * Returns null for the apex, its aliases (www, api, admin) and hosts of other domains.
 */
export function tenantSlugFromHost(host: string | null | undefined, appDomain: string): string | null {
  if (!host) return null;
  const hostname = host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  for (const base of new Set([appDomain.toLowerCase(), 'localhost'])) {
    if (!hostname.endsWith(`.${base}`)) continue;
    const sub = hostname.slice(0, -(base.length + 1));
    if (sub.includes('.') || APEX_ALIASES.has(sub) || !SLUG_PATTERN.test(sub)) return null;
    return sub;
  }
  return null;
}

/** The header middleware sets from the Host (after deleting any client-sent copy). */
export const TENANT_SLUG_HEADER = 'x-tenant-slug';
