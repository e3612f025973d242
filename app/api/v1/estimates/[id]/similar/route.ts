import { route, similarEstimatesEndpoint } from '@/lib/api';
import { similarTo } from '@/lib/estimates';

export const GET = route(similarEstimatesEndpoint, ({ caller, params, query }) => similarTo(caller.tenant.id, params.id, query));
