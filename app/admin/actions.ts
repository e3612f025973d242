'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZEmail, ZPersonName, createTenantWithOwner } from '@/lib/auth';
import { ZPlanId, ZSlug, changeTenantPlan, setTenantActive } from '@/lib/tenancy';

const ZId = z.uuid('must be a UUID');

export const createTenantAction = action(
  {
    name: 'adminCreateTenant',
    access: 'platform',
    input: z.object({
      name: z.string().trim().min(1, 'is required').max(120),
      slug: ZSlug,
      plan: ZPlanId,
      ownerEmail: ZEmail,
      ownerName: ZPersonName.optional(),
      ownerPassword: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
    }),
  },
  async ({ data, tx }) => {
    const tenant = await createTenantWithOwner(tx, data);
    return { id: tenant.id, slug: tenant.slug };
  },
);

export const changeTenantPlanAction = action(
  { name: 'adminChangeTenantPlan', access: 'platform', input: z.object({ tenantId: ZId, plan: ZPlanId }) },
  async ({ data, tx, caller }) => {
    const tenant = await changeTenantPlan(tx, data.tenantId, data.plan, { source: 'operator', userId: caller.user.id });
    return { id: tenant.id, plan: tenant.plan, previousPlan: tenant.previousPlan };
  },
);

export const setTenantActiveAction = action(
  { name: 'adminSetTenantActive', access: 'platform', input: z.object({ tenantId: ZId, isActive: z.boolean() }) },
  async ({ data, tx }) => {
    const tenant = await setTenantActive(tx, data.tenantId, data.isActive);
    return { id: tenant.id, isActive: tenant.isActive };
  },
);
