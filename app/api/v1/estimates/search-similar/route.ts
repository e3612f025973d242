import { route, searchSimilarEstimatesEndpoint } from '@/lib/api';
import { searchSimilar } from '@/lib/estimates';

export const POST = route(searchSimilarEstimatesEndpoint, ({ tx, caller, body }) => searchSimilar(tx, caller.tenant.id, body));
