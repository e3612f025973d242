import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { plans } from '@/db/schema/billing';
import type { TPlanId } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';

/** A plan as stored: price and overage in cents, storage in bytes, quotas per calendar month. */
export interface TPlan {
  id: TPlanId;
  name: string;
  priceCents: number;
  filesPerMonth: number;
  storageBytes: number;
  apiCallsPerMonth: number;
  extraFileCents: number;
  storageGibMonthCents: number;
  per1kApiCallsCents: number;
  isHardLimit: boolean;
  requestsPerMinute: number;
  invitationsPerDay: number;
  /** Cost estimates a tenant may hold at once; null: no limit. */
  maxEstimates: number | null;
  isActive: boolean;
  updatedAt: Date;
}

export const planColumns = {
  id: plans.id,
  name: plans.name,
  priceCents: plans.priceCents,
  filesPerMonth: plans.filesPerMonth,
  storageBytes: plans.storageBytes,
  apiCallsPerMonth: plans.apiCallsPerMonth,
  extraFileCents: plans.extraFileCents,
  storageGibMonthCents: plans.storageGibMonthCents,
  per1kApiCallsCents: plans.per1kApiCallsCents,
  isHardLimit: plans.isHardLimit,
  requestsPerMinute: plans.requestsPerMinute,
  invitationsPerDay: plans.invitationsPerDay,
  maxEstimates: plans.maxEstimates,
  isActive: plans.isActive,
  updatedAt: plans.updatedAt,
};

/** Every plan, cheapest first (the app role may read plans; only the owner role changes them). */
export async function listPlanRows(tx: TTx): Promise<TPlan[]> {
  return tx.select(planColumns).from(plans).orderBy(asc(plans.priceCents), asc(plans.id));
}

export async function findPlanRow(tx: TTx, planId: string): Promise<TPlan | null> {
  const rows = await tx.select(planColumns).from(plans).where(eq(plans.id, planId as TPlanId)).limit(1);
  return rows[0] ?? null;
}

/** The plan a tenant is being put on, read in the caller's transaction; retired plans take no new tenants. */
export async function planForAssignment(tx: TTx, planId: TPlanId): Promise<TPlan> {
  const plan = await findPlanRow(tx, planId);
  if (!plan) throw new AppError('not_found', `No plan ${planId}`);
  if (!plan.isActive) throw new AppError('conflict', `The ${plan.name} plan is no longer offered`, { field: 'plan' });
  return plan;
}
