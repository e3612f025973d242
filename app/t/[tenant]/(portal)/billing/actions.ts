'use server';

import { action } from '@/lib/api';
import { tenantUrl } from '@/lib/auth';
import { changePlanAsOwner, ZPlanChange } from '@/lib/billing';

/** The owner's plan change from the Billing page; the same rules as POST /api/v1/billing/plan. */
export const changePlanAction = action(
  {
    name: 'changePlan',
    access: 'tenant',
    permission: 'billing:manage',
    input: ZPlanChange,
    audit: { type: 'config_change', action: 'billing.plan_change', target: { type: 'plan', idParam: 'plan' } },
    // An upgrade calls Stripe (Checkout), which must not happen inside a transaction.
    transaction: 'handler',
  },
  async ({ data, caller }) => {
    if (!caller.userId) throw new Error('changePlanAction needs a user');
    return changePlanAsOwner({
      tenantId: caller.tenant.id,
      plan: data.plan,
      userId: caller.userId,
      returnUrl: tenantUrl(caller.tenant.slug, '/billing'),
    });
  },
);
