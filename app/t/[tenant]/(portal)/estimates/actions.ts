'use server';

import { z } from 'zod';
import { action, authorOf } from '@/lib/api';
import { ZEstimateInput, ZSimilarSearch, createEstimate, deleteEstimate, getEstimate, searchSimilar, updateEstimate } from '@/lib/estimates';
import { toSimilarView } from '@/components/estimates/similar-view';

const ZEstimateId = z.uuid('must be a UUID');

// Audited like POST, PUT and DELETE /api/v1/estimates (lib/api/v1/estimates.ts).
export const createEstimateAction = action(
  {
    name: 'createEstimate',
    access: 'tenant',
    permission: 'estimates:write',
    input: ZEstimateInput,
    audit: { type: 'data_modify', action: 'estimate.create', target: { type: 'estimate', from: 'estimate' } },
  },
  async ({ data, caller, tx }) => {
    const estimate = await createEstimate(tx, authorOf(caller), data);
    return { estimate: { id: estimate.id, name: estimate.name } };
  },
);

export const updateEstimateAction = action(
  {
    name: 'updateEstimate',
    access: 'tenant',
    permission: 'estimates:write',
    input: z.object({ id: ZEstimateId, estimate: ZEstimateInput }),
    audit: { type: 'data_modify', action: 'estimate.update', target: { type: 'estimate', from: 'estimate' } },
  },
  async ({ data, tx }) => {
    // The form does not show the source file an import linked: keep it.
    const { sourceFileId } = await getEstimate(tx, data.id);
    const estimate = await updateEstimate(tx, data.id, { ...data.estimate, sourceFileId: data.estimate.sourceFileId ?? sourceFileId });
    return { estimate: { id: estimate.id, name: estimate.name } };
  },
);

export const deleteEstimateAction = action(
  {
    name: 'deleteEstimate',
    access: 'tenant',
    permission: 'estimates:write',
    input: z.object({ id: ZEstimateId }),
    audit: { type: 'data_modify', action: 'estimate.delete', target: { type: 'estimate' } },
  },
  async ({ data, tx }) => {
    await deleteEstimate(tx, data.id);
    return { id: data.id };
  },
);

/**
 * The search form: a search changes nothing, so like POST /api/v1/estimates/search-similar it is not audited, and
 * holds no transaction while the embedder or Qdrant answers.
 */
export const searchSimilarAction = action(
  { name: 'searchSimilarEstimates', access: 'tenant', permission: 'estimates:read', input: ZSimilarSearch, audit: false, transaction: 'handler' },
  async ({ data, caller }) => toSimilarView(await searchSimilar(caller.tenant.id, data)),
);
