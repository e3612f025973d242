'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZPlanPatch, updatePlan } from '@/lib/billing';
import { ZPlanId } from '@/lib/tenancy';

export const updatePlanAction = action(
  { name: 'adminUpdatePlan', access: 'platform', input: z.object({ planId: ZPlanId, patch: ZPlanPatch }) },
  async ({ data, tx }) => {
    const plan = await updatePlan(tx, data.planId, data.patch);
    return { id: plan.id };
  },
);
