import { adminListPlansEndpoint, route } from '@/lib/api';
import { listPlans } from '@/lib/billing';

export const GET = route(adminListPlansEndpoint, async ({ tx }) => ({ plans: await listPlans(tx) }));
