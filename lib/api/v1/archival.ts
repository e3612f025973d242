import { z } from 'zod';
import { ZArchivalPolicyPatch, ZRestoreRequest } from '@/lib/archival';
import { defineEndpoint } from '../endpoint';

const ZFileIdParams = z.object({ id: z.uuid('must be a UUID') });
const ZPolicyIdParams = z.object({ id: z.string().trim().min(1).max(100) });

export const restoreFileEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/files/{id}/restore',
  summary:
    'Restore an archived file for 1–30 days: immediate where the archive has no Glacier tiers, otherwise a Glacier restore with an estimated ready time',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  params: ZFileIdParams,
  body: ZRestoreRequest,
  responds: '{ restore: { fileId, storageTier, restoreRequestedAt, restoreReadyAt, restoreExpiresAt } }',
  audit: { type: 'data_modify', action: 'file.restore', target: { type: 'file' } },
  // S3 is called between two short transactions (claim, then record), never inside one.
  transaction: 'handler',
});

export const adminRunArchivalEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/admin/archival/run',
  summary: 'Start an archival run now (platform operators); progress is in GET /api/v1/admin/archival/runs',
  tag: 'Admin',
  access: 'platform',
  successStatus: 202,
  responds: '{ run: ArchivalRun }',
  audit: { type: 'workflow_execution', action: 'archival.run_requested', target: { type: 'archival_run', from: 'run' } },
  // The run is queued (or, without a queue, run here, copying to S3): short transactions of its own, none held around it.
  transaction: 'handler',
});

export const adminListArchivalRunsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/archival/runs',
  summary: 'Recent archival runs with their counters (platform operators)',
  tag: 'Admin',
  access: 'platform',
  query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
  responds: '{ runs: ArchivalRun[] }',
});

export const adminListArchivalPoliciesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/archival/policies',
  summary: 'Archival policies: which files move to which storage class after how many days (platform operators)',
  tag: 'Admin',
  access: 'platform',
  responds: '{ policies: ArchivalPolicy[] }',
});

export const adminUpdateArchivalPolicyEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/admin/archival/policies/{id}',
  summary: "Change a policy's minimum age, storage class or switch it on or off (platform operators)",
  tag: 'Admin',
  access: 'platform',
  params: ZPolicyIdParams,
  body: ZArchivalPolicyPatch,
  responds: '{ policy: ArchivalPolicy }',
  audit: { type: 'config_change', action: 'archival_policy.update', target: { type: 'archival_policy', from: 'policy' } },
});
