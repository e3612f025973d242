import { route, usageBreakdownEndpoint } from '@/lib/api';
import { getUsageBreakdown } from '@/lib/usage';

export const GET = route(usageBreakdownEndpoint, async ({ tx, caller, query }) => getUsageBreakdown(tx, caller.tenant.id, query.period));
