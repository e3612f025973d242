import { restoreFileEndpoint, route } from '@/lib/api';
import { requestFileRestore } from '@/lib/archival';

export const POST = route(restoreFileEndpoint, async ({ caller, params, body }) => ({
  restore: await requestFileRestore(caller.tenant.id, params.id, body.days),
}));
