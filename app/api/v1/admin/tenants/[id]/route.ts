import { adminUpdateTenantEndpoint, route } from '@/lib/api';
import { changeTenantPlan, setTenantActive } from '@/lib/tenancy';

export const PATCH = route(adminUpdateTenantEndpoint, async ({ tx, params, body }) => {
  let tenant = body.plan ? await changeTenantPlan(tx, params.id, body.plan) : undefined;
  if (body.isActive !== undefined) tenant = await setTenantActive(tx, params.id, body.isActive);
  return { tenant };
});
