import { route, similarEstimatesEndpoint } from '@/lib/api';
import { similarTo } from '@/lib/estimates';

export const GET = route(similarEstimatesEndpoint, ({ tx, caller, params, query }) => similarTo(tx, caller.tenant.id, params.id, query));
