import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { tenants, type TPlanId } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { changeTenantPlan, findPlanRow, planForAssignment, withPlatform, ZPlanId } from '@/lib/tenancy';
import { createPlanCheckout, stripeEnabled } from './stripe';

export const ZPlanChange = z.object({ plan: ZPlanId }).strict();

export type TPlanChangeResult =
  | { kind: 'changed'; plan: TPlanId; previousPlan: TPlanId; effectiveAt: Date }
  | { kind: 'unchanged'; plan: TPlanId }
  /** With Stripe: an upgrade to a paid plan waits for Checkout; the webhook makes the change. */
  | { kind: 'checkout'; plan: TPlanId; checkoutUrl: string };

/**
 * A tenant owner moves the tenant to another plan. It takes effect at once (quotas, rate limits) and the
 * plan history row it writes is what prorates the next invoice and records who changed it. With Stripe
 * configured, moving up to a more expensive plan first collects a payment method through Checkout.
 */
export async function changePlanAsOwner(input: {
  tenantId: string;
  plan: TPlanId;
  userId: string;
  /** Where Checkout sends the owner back (the Billing page). */
  returnUrl: string;
}): Promise<TPlanChangeResult> {
  const { current, target } = await withPlatform(async (tx) => {
    const [tenant] = await tx.select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, input.tenantId));
    if (!tenant) throw new AppError('not_found', 'Tenant not found');
    return { current: await findPlanRow(tx, tenant.plan), target: await planForAssignment(tx, input.plan) };
  });
  if (current?.id === target.id) return { kind: 'unchanged', plan: target.id };

  const isUpgrade = target.priceCents > (current?.priceCents ?? 0);
  if (stripeEnabled() && isUpgrade) {
    const separator = input.returnUrl.includes('?') ? '&' : '?';
    const session = await createPlanCheckout({
      tenantId: input.tenantId,
      plan: target.id,
      userId: input.userId,
      successUrl: `${input.returnUrl}${separator}checkout=success`,
      cancelUrl: `${input.returnUrl}${separator}checkout=cancelled`,
    });
    return { kind: 'checkout', plan: target.id, checkoutUrl: session.url };
  }

  const effectiveAt = new Date();
  const changed = await withPlatform((tx) => changeTenantPlan(tx, input.tenantId, target.id, { source: 'owner', userId: input.userId }));
  return { kind: 'changed', plan: changed.plan, previousPlan: changed.previousPlan, effectiveAt };
}
