// Endpoint contracts of /api/v1/estimates (cost estimates and similarity search) and /api/v1/admin/vectors.
import { z } from 'zod';
import { ZEstimateInput, ZListEstimatesQuery, ZSimilarQuery, ZSimilarSearch, ZImportQuery, ZReindexRequest } from '@/lib/estimates';
import { defineEndpoint } from '../endpoint';

const ZEstimateIdParams = z.object({ id: z.uuid('must be a UUID') });

export const listEstimatesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/estimates',
  summary: 'List cost estimates in keyset pages; sort newest | oldest | total_desc | total_asc | name; q = name, project or city contains',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:read',
  query: ZListEstimatesQuery,
  responds: '{ estimates: Estimate[], nextCursor }',
});

export const createEstimateEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/estimates',
  summary:
    'Create a cost estimate. Costs are computed in integer cents (each line rounded half up); optional ' +
    'lineCostCents and totalCostCents are checked and a mismatch is a 400 naming the row. Indexed for search shortly after. ' +
    "Beyond the plan's cap on estimates (max_estimates) a 429 quota_exceeded with details { quota: max_estimates, limit, used, requested }. " +
    'An Idempotency-Key header makes a retry answer the first call instead of creating another (24 h)',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:write',
  body: ZEstimateInput,
  successStatus: 201,
  responds: '{ estimate }',
  audit: { type: 'data_modify', action: 'estimate.create', target: { type: 'estimate', from: 'estimate' } },
  // A retried create with the same Idempotency-Key answers the first estimate instead of making a second.
  idempotency: true,
});

export const getEstimateEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/estimates/{id}',
  summary: 'One cost estimate with its material rows and cost parts',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:read',
  params: ZEstimateIdParams,
  responds: '{ estimate }',
});

export const updateEstimateEndpoint = defineEndpoint({
  method: 'PUT',
  path: '/api/v1/estimates/{id}',
  summary: 'Replace a cost estimate (same body and checks as create); its vector is rebuilt',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:write',
  params: ZEstimateIdParams,
  body: ZEstimateInput,
  responds: '{ estimate }',
  audit: { type: 'data_modify', action: 'estimate.update', target: { type: 'estimate', from: 'estimate' } },
});

export const deleteEstimateEndpoint = defineEndpoint({
  method: 'DELETE',
  path: '/api/v1/estimates/{id}',
  summary: 'Delete a cost estimate; searches stop returning it at once',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:write',
  params: ZEstimateIdParams,
  audit: { type: 'data_modify', action: 'estimate.delete', target: { type: 'estimate' } },
});

export const importEstimatesEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/estimates/import',
  summary:
    'Import up to 50,000 estimates from CSV (one row per material line, grouped by the estimate column) or JSON ' +
    '(an array or JSON lines), streamed. Every row is validated; the answer lists accepted rows and each rejected ' +
    'row with its line and reason. mode=all_or_nothing (default) stores nothing if a row is invalid; ' +
    'mode=skip_invalid stores the valid ones. Accepted rows are committed together. Beyond the plan\'s cap on estimates, ' +
    'all_or_nothing answers 429 quota_exceeded (nothing stored) and skip_invalid stores up to the cap and rejects the rest. An Idempotency-Key header makes a ' +
    'retry of the same body answer the first report instead of importing again (24 h)',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:write',
  query: ZImportQuery,
  // 201 when estimates were stored; 200 when none were (empty body, or skip_invalid rejecting every row).
  successStatus: 201,
  responds: '{ import: { mode, format, rows, accepted, rejected: [{ line, estimate?, reason }], committed, estimateIds? } }',
  // The body streams for as long as it takes; the handler validates first and writes in one transaction after.
  transaction: 'handler',
  // Claimed and answered in that write transaction by the handler (the wrapper holds no transaction here).
  idempotency: true,
  audit: { type: 'data_modify', action: 'estimate.import', target: { type: 'estimate_import' } },
});

export const searchSimilarEstimatesEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/estimates/search-similar',
  summary:
    'Estimates similar to the one described (materials, location, rates, hours), best first, with scores, the ' +
    'average cost, cost range, cost per unit of the dominant material and a confidence (0–1). limit ≤ 50',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:read',
  body: ZSimilarSearch,
  responds: '{ results: [{ estimate, score }], summary: { count, averageCostCents, costRange, dominantMaterial, confidence } }',
  // A search changes nothing; it is metered (cost_estimate) instead of audited.
  audit: false,
  // The embedder and Qdrant may be network calls: the search opens short transactions around them, never across.
  transaction: 'handler',
});

export const similarEstimatesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/estimates/{id}/similar',
  summary: 'Estimates similar to this one (itself excluded), with the same summary as search-similar',
  tag: 'Estimates',
  access: 'tenant',
  permission: 'estimates:read',
  params: ZEstimateIdParams,
  query: ZSimilarQuery,
  responds: '{ results: [{ estimate, score }], summary }',
  // As search-similar: no transaction is held while the embedder or Qdrant answers.
  transaction: 'handler',
});

export const adminVectorStatusEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/vectors',
  summary: 'The vector index: backend, embedder version, estimates indexed at that version, pending index changes, recent reindex runs (platform operators)',
  tag: 'Admin',
  access: 'platform',
  responds: '{ status: { backend, embedderVersion, estimates, indexedCurrent, pendingChanges, runs } }',
});

export const adminReindexVectorsEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/admin/vectors/reindex',
  summary: "Rebuild one tenant's vectors (tenantId) or every tenant's, e.g. after the embedding version changed; progress in GET /api/v1/admin/vectors",
  tag: 'Admin',
  access: 'platform',
  body: ZReindexRequest,
  successStatus: 202,
  responds: '{ run: ReindexRun }',
  audit: { type: 'workflow_execution', action: 'vectors.reindex_requested', target: { type: 'vector_reindex_run', from: 'run' } },
  // The run is queued (or, without a queue, run here, calling the embedder and the store): none held around it.
  transaction: 'handler',
});
