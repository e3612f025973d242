import { adminUpdateTenantEndpoint, route } from '@/lib/api';
import { changeTenantPlan, setTenantActive, type TTenantRef } from '@/lib/tenancy';

export const PATCH = route(adminUpdateTenantEndpoint, async ({ tx, params, body, caller }) => {
  let tenant: TTenantRef | undefined = body.plan ? await changeTenantPlan(tx, params.id, body.plan, { source: 'operator', userId: caller.user.id }) : undefined;
  if (body.isActive !== undefined) tenant = await setTenantActive(tx, params.id, body.isActive);
  return { tenant };
});
