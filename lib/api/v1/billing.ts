// Endpoint contracts of the plans console (billing capability); usage/current lives with usage.
import { z } from 'zod';
import { ZPlanPatch } from '@/lib/billing';
import { ZPlanId } from '@/lib/tenancy';
import { defineEndpoint } from '../endpoint';

export const adminListPlansEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/plans',
  summary: 'Plans with price, monthly limits and overage prices, money in integer cents and storage in bytes (platform operators)',
  tag: 'Admin',
  access: 'platform',
  responds: '{ plans: Plan[] }',
});

export const adminUpdatePlanEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/admin/plans/{id}',
  summary:
    "Change a plan's name, price, limits, overage prices or flags (platform operators). New tenants and plan changes get the new quotas; tenants already on the plan keep theirs until they change plan",
  tag: 'Admin',
  access: 'platform',
  params: z.object({ id: ZPlanId }),
  body: ZPlanPatch,
  responds: '{ plan: Plan }',
});
