import { route, searchSimilarEstimatesEndpoint } from '@/lib/api';
import { searchSimilar } from '@/lib/estimates';

export const POST = route(searchSimilarEstimatesEndpoint, ({ caller, body }) => searchSimilar(caller.tenant.id, body));
