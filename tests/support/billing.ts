import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ownerDb } from '@/db/client';
import { tenantPlanChanges, tenants, type TPlanId } from '@/db/schema/tenancy';
import { createTenant, withPlatform } from '@/lib/tenancy';

/**
 * A tenant that has existed since `since` (created_at and its first plan-history row moved back), so a past
 * billing period can be invoiced for it.
 */
export async function createBackdatedTenant(plan: TPlanId, since: Date, label = 'billed'): Promise<{ id: string; slug: string }> {
  const slug = `${label}-${randomBytes(4).toString('hex')}`;
  const { id } = await withPlatform((tx) => createTenant(tx, { name: `Billed ${slug}`, slug, plan }));
  await ownerDb().update(tenants).set({ createdAt: since }).where(eq(tenants.id, id));
  await ownerDb().update(tenantPlanChanges).set({ effectiveAt: since }).where(eq(tenantPlanChanges.tenantId, id));
  return { id, slug };
}

/** Records a plan change that took effect at `at` (as if the owner had changed plan then). */
export async function backdatePlanChange(tenantId: string, toPlan: TPlanId, at: Date): Promise<void> {
  const [tenant] = await ownerDb().select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, tenantId));
  await ownerDb().insert(tenantPlanChanges).values({ tenantId, fromPlan: tenant.plan, toPlan, effectiveAt: at, source: 'owner' });
  await ownerDb().update(tenants).set({ plan: toPlan }).where(eq(tenants.id, tenantId));
}

export const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);
