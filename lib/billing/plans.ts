import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { plans } from '@/db/schema/billing';
import type { TPlanId } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { announceChange } from '@/lib/cluster';
import { findPlanRow, listPlanRows, planColumns, type TPlan } from '@/lib/tenancy';

const cents = z.number().int('must be a whole number of cents').min(0, 'must not be negative').max(100_000_000);
const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(2_000_000_000);

export const ZPlanPatch = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(60),
    priceCents: cents,
    filesPerMonth: count,
    storageBytes: z.number().int('must be a whole number of bytes').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
    apiCallsPerMonth: count,
    extraFileCents: cents,
    storageGibMonthCents: cents,
    per1kApiCallsCents: cents,
    requestsPerMinute: count,
    invitationsPerDay: count,
    /** null: no limit. */
    maxEstimates: count.nullable(),
    isHardLimit: z.boolean(),
    isActive: z.boolean(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one field to change');
export type TPlanPatch = z.infer<typeof ZPlanPatch>;

export const listPlans = (tx: TTx): Promise<TPlan[]> => listPlanRows(tx);

export async function getPlan(tx: TTx, planId: string): Promise<TPlan> {
  const plan = await findPlanRow(tx, planId);
  if (!plan) throw new AppError('not_found', `No plan ${planId}`);
  return plan;
}

/**
 * Operators change a plan's price, limits or overage prices. Tenants already on the plan keep the storage and
 * API quotas they were given until they change plan; new tenants and plan changes get the new values. The
 * estimates cap and the rate limit are read from the plan, so they apply to every tenant on it.
 */
export async function updatePlan(tx: TTx, planId: TPlanId, patch: TPlanPatch): Promise<TPlan> {
  const [row] = await tx
    .update(plans)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(plans.id, planId))
    .returning(planColumns);
  if (!row) throw new AppError('not_found', `No plan ${planId}`);
  // Every process's plan cache reloads when this commits (rate limits and caps apply at once).
  await announceChange(tx, 'plans');
  return row;
}
