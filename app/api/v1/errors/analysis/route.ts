import { errorAnalysisEndpoint, route } from '@/lib/api';
import { getErrorAnalysis } from '@/lib/errors';

export const GET = route(errorAnalysisEndpoint, async ({ tx, caller, query }) => getErrorAnalysis(tx, caller.tenant.id, query.period));
