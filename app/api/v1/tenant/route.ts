import { getTenantEndpoint, route } from '@/lib/api';
import { getTenant } from '@/lib/tenancy';

export const GET = route(getTenantEndpoint, async ({ tx, caller }) => ({
  tenant: await getTenant(tx, caller.tenant.id),
  caller: {
    kind: caller.principal.kind,
    role: caller.role,
    permissions: [...caller.permissions],
  },
}));
