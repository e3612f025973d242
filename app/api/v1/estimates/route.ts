import { authorOf, createEstimateEndpoint, listEstimatesEndpoint, route } from '@/lib/api';
import { createEstimate, listEstimates } from '@/lib/estimates';

export const GET = route(listEstimatesEndpoint, async ({ tx, query }) => {
  const { items, nextCursor } = await listEstimates(tx, query);
  return { estimates: items, nextCursor };
});

export const POST = route(createEstimateEndpoint, async ({ tx, caller, body }) => ({
  estimate: await createEstimate(tx, authorOf(caller), body),
}));
