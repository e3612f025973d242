'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZEmail, createTenantWithOwner } from '@/lib/auth';
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
    }),
  },
  async ({ data, tx, caller }) => {
    const { tenant, owner } = await createTenantWithOwner(tx, data, caller.user.id);
    return { id: tenant.id, slug: tenant.slug, owner };
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
