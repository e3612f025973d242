import { adminUpdatePlanEndpoint, route } from '@/lib/api';
import { updatePlan } from '@/lib/billing';

export const PATCH = route(adminUpdatePlanEndpoint, async ({ tx, params, body }) => ({ plan: await updatePlan(tx, params.id, body) }));
