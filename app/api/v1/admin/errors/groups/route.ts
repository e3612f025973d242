import { adminListErrorGroupsEndpoint, route } from '@/lib/api';
import { listAllErrorGroups } from '@/lib/errors';

export const GET = route(adminListErrorGroupsEndpoint, async ({ tx, query }) => listAllErrorGroups(tx, query));
