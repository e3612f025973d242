import { healthEndpoint, route } from '@/lib/api';

export const GET = route(healthEndpoint, async () => ({ status: 'ok' }));
