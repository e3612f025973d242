import { restoreFileEndpoint, route } from '@/lib/api';
import { requestFileRestore } from '@/lib/archival';

export const POST = route(restoreFileEndpoint, async ({ tx, params, body }) => ({
  restore: await requestFileRestore(tx, params.id, body.days),
}));
