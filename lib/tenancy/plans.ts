import type { TPlanId } from '@/db/schema/tenancy';

const GiB = 1024 ** 3;

/** Quotas a tenant gets when it is created on, or moved to, a plan (prices arrive with billing). */
export const PLAN_LIMITS: Record<TPlanId, { name: string; storageQuotaBytes: number; apiQuotaMonthly: number }> = {
  free: { name: 'Free', storageQuotaBytes: 10 * GiB, apiQuotaMonthly: 10_000 },
  starter: { name: 'Starter', storageQuotaBytes: 25 * GiB, apiQuotaMonthly: 30_000 },
  professional: { name: 'Professional', storageQuotaBytes: 100 * GiB, apiQuotaMonthly: 100_000 },
  enterprise: { name: 'Enterprise', storageQuotaBytes: 1024 * GiB, apiQuotaMonthly: 1_000_000 },
};
