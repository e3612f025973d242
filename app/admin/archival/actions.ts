'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZArchivalPolicyPatch, updateArchivalPolicy } from '@/lib/archival';
import { requestArchivalRun } from '@/lib/jobs';

export const runArchivalNowAction = action(
  // Like POST /api/v1/admin/archival/run: no transaction is held around queueing (or running) the run.
  { name: 'adminRunArchivalNow', access: 'platform', input: z.object({}), transaction: 'handler' },
  async () => {
    const run = await requestArchivalRun('manual');
    return { id: run.id, status: run.status };
  },
);

export const updateArchivalPolicyAction = action(
  {
    name: 'adminUpdateArchivalPolicy',
    access: 'platform',
    input: z.object({ policyId: z.string().min(1).max(100), patch: ZArchivalPolicyPatch }),
  },
  async ({ data, tx }) => {
    const policy = await updateArchivalPolicy(tx, data.policyId, data.patch);
    return { id: policy.id };
  },
);
