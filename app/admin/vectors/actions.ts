'use server';

import { action } from '@/lib/api';
import { ZReindexRequest } from '@/lib/estimates';
import { requestVectorReindex } from '@/lib/jobs';

export const reindexVectorsAction = action(
  {
    name: 'adminReindexVectors',
    access: 'platform',
    input: ZReindexRequest,
    audit: { type: 'workflow_execution', action: 'vectors.reindex_requested', target: { type: 'vector_reindex_run', from: 'run' } },
    // Like POST /api/v1/admin/vectors/reindex: no transaction is held around queueing (or running) the rebuild.
    transaction: 'handler',
  },
  async ({ data, caller }) => {
    const run = await requestVectorReindex({ tenantId: data.tenantId, requestedBy: caller.user.id });
    return { run: { id: run.id, status: run.status } };
  },
);
