import { currentUsageEndpoint, route } from '@/lib/api';
import { getCurrentUsage } from '@/lib/billing';

export const GET = route(currentUsageEndpoint, async ({ tx, caller }) => getCurrentUsage(tx, caller.tenant.id));
