import { getErrorGroupEndpoint, route, updateErrorGroupEndpoint } from '@/lib/api';
import { changeErrorGroupStatus, getErrorGroup } from '@/lib/errors';

export const GET = route(getErrorGroupEndpoint, async ({ tx, caller, params, query }) => getErrorGroup(tx, caller.tenant.id, params.id, query.period));

export const PATCH = route(updateErrorGroupEndpoint, async ({ tx, caller, params, body }) => ({
  group: await changeErrorGroupStatus(tx, caller.tenant.id, params.id, body.status),
}));
