import { listErrorGroupsEndpoint, route } from '@/lib/api';
import { listErrorGroups } from '@/lib/errors';

export const GET = route(listErrorGroupsEndpoint, async ({ tx, caller, query }) => listErrorGroups(tx, caller.tenant.id, query));
