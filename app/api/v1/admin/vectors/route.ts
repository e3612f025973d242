import { adminVectorStatusEndpoint, route } from '@/lib/api';
import { vectorIndexStatus } from '@/lib/estimates';

export const GET = route(adminVectorStatusEndpoint, async () => ({ status: await vectorIndexStatus() }));
