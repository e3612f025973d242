import { adminListArchivalRunsEndpoint, route } from '@/lib/api';
import { listArchivalRuns } from '@/lib/archival';

export const GET = route(adminListArchivalRunsEndpoint, async ({ tx, query }) => ({ runs: await listArchivalRuns(tx, query.limit) }));
