import { adminCreateTenantEndpoint, adminListTenantsEndpoint, decodeCursor, page, route } from '@/lib/api';
import { createTenantWithOwner } from '@/lib/auth';
import { listAllTenants } from '@/lib/tenancy';

export const GET = route(adminListTenantsEndpoint, async ({ tx, query }) => {
  const rows = await listAllTenants(tx, { search: query.search, limit: query.limit + 1, cursor: decodeCursor(query.cursor) });
  const { items, nextCursor } = page(rows, query.limit);
  return { tenants: items, nextCursor };
});

export const POST = route(adminCreateTenantEndpoint, async ({ tx, body, caller }) => createTenantWithOwner(tx, body, caller.user.id));
