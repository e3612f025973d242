import { route, usageStatsEndpoint } from '@/lib/api';
import { getUsageStats } from '@/lib/usage';

export const GET = route(usageStatsEndpoint, async ({ tx, caller, query }) => getUsageStats(tx, caller.tenant.id, query.period));
