import { readdirSync } from 'node:fs';
import path from 'node:path';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as health from '../../app/api/health/route';
import * as ready from '../../app/api/health/ready/route';
import * as metrics from '../../app/api/metrics/route';
import * as adminTenant from '../../app/api/v1/admin/tenants/[id]/route';
import * as adminTenants from '../../app/api/v1/admin/tenants/route';
import * as adminUsers from '../../app/api/v1/admin/users/route';
import * as apiKey from '../../app/api/v1/api-keys/[id]/route';
import * as apiKeys from '../../app/api/v1/api-keys/route';
import * as invitation from '../../app/api/v1/invitations/[id]/route';
import * as acceptInvitation from '../../app/api/v1/invitations/accept/route';
import * as invitations from '../../app/api/v1/invitations/route';
import * as member from '../../app/api/v1/members/[id]/route';
import * as members from '../../app/api/v1/members/route';
import * as openapi from '../../app/api/v1/openapi.json/route';
import * as tenantSettings from '../../app/api/v1/tenant/settings/route';
import * as tenant from '../../app/api/v1/tenant/route';

export const routes = {
  health,
  ready,
  metrics,
  tenant,
  tenantSettings,
  members,
  member,
  invitations,
  invitation,
  acceptInvitation,
  apiKeys,
  apiKey,
  adminTenants,
  adminTenant,
  adminUsers,
  openapi,
};

const V1_ROOT = path.resolve(__dirname, '../../app/api/v1');

/** Every route file under app/api/v1 with the OpenAPI path it serves ([id] becomes {id}). */
export function v1RouteFiles(): { file: string; path: string }[] {
  const found: { file: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts') {
        const relative = path.relative(V1_ROOT, dir).split(path.sep).join('/');
        found.push({ file: full, path: `/api/v1/${relative.replace(/\[([^\]]+)\]/g, '{$1}')}` });
      }
    }
  };
  walk(V1_ROOT);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `METHOD /path` of every handler exported by a route file under app/api/v1. */
export async function v1Operations(): Promise<string[]> {
  const operations: string[] = [];
  for (const { file, path: routePath } of v1RouteFiles()) {
    const routeModule = (await import(file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) if (typeof routeModule[method] === 'function') operations.push(`${method} ${routePath}`);
  }
  return operations;
}
