import { deleteEstimateEndpoint, getEstimateEndpoint, route, updateEstimateEndpoint } from '@/lib/api';
import { deleteEstimate, getEstimate, updateEstimate } from '@/lib/estimates';

export const GET = route(getEstimateEndpoint, async ({ tx, params }) => ({ estimate: await getEstimate(tx, params.id) }));

export const PUT = route(updateEstimateEndpoint, async ({ tx, params, body }) => ({ estimate: await updateEstimate(tx, params.id, body) }));

export const DELETE = route(deleteEstimateEndpoint, async ({ tx, params }) => {
  await deleteEstimate(tx, params.id);
});
