import { errorStatsEndpoint, route } from '@/lib/api';
import { getErrorStats } from '@/lib/errors';

export const GET = route(errorStatsEndpoint, async ({ tx, caller, query }) => getErrorStats(tx, caller.tenant.id, query.period));
