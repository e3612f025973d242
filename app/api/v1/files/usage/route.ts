import { fileUsageEndpoint, route } from '@/lib/api';
import { getStorageUsage } from '@/lib/files';

export const GET = route(fileUsageEndpoint, async ({ tx }) => ({ usage: await getStorageUsage(tx) }));
