import { adminReindexVectorsEndpoint, route } from '@/lib/api';
import { requestVectorReindex } from '@/lib/jobs';

export const POST = route(adminReindexVectorsEndpoint, async ({ caller, body }) => ({
  run: await requestVectorReindex({ tenantId: body.tenantId, requestedBy: caller.user.id }),
}));
