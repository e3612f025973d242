import 'server-only';
import { and, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { files } from '@/db/schema/files';
import { plans } from '@/db/schema/billing';
import { tenants, type TPlanId } from '@/db/schema/tenancy';
import { usageDaily } from '@/db/schema/usage';
import { AppError } from '@/lib/app-error';

export interface TQuotaUse {
  used: number;
  limit: number;
  /** used / limit in percent, one decimal; over 100 when over the limit. */
  percentage: number;
}

export interface TCurrentUsage {
  /** The billing period is the calendar month in UTC: start inclusive, end exclusive. */
  periodStart: string;
  periodEnd: string;
  plan: { id: TPlanId; name: string };
  files: TQuotaUse;
  apiCalls: TQuotaUse;
  /** Bytes stored now (a gauge, not a sum of uploads), split into hot and archived. */
  storage: TQuotaUse & { hotBytes: number; archivedBytes: number };
}

export function billingPeriod(now: Date = new Date()): { start: Date; end: Date } {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

const quotaUse = (used: number, limit: number): TQuotaUse => ({
  used,
  limit,
  percentage: limit > 0 ? Math.round((used / limit) * 1000) / 10 : used > 0 ? 100 : 0,
});

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Uploads and API calls of [start, end) from the daily rollup (whole UTC days). Inside withTenant or withPlatform. */
export async function countUsage(tx: TTx, tenantId: string, start: Date, end: Date): Promise<{ filesUploaded: number; apiCalls: number }> {
  const counts = await tx
    .select({ eventType: usageDaily.eventType, count: sql<number>`sum(${usageDaily.count})::bigint`.mapWith(Number) })
    .from(usageDaily)
    .where(
      and(
        eq(usageDaily.tenantId, tenantId),
        inArray(usageDaily.eventType, ['file_upload', 'api_call']),
        gte(usageDaily.day, isoDay(start)),
        lt(usageDaily.day, isoDay(end)),
      ),
    )
    .groupBy(usageDaily.eventType);
  const countOf = (type: string) => counts.find((row) => row.eventType === type)?.count ?? 0;
  return { filesUploaded: countOf('file_upload'), apiCalls: countOf('api_call') };
}

/** Bytes the tenant stores now, hot and archived (any non-hot tier); uploads still in progress do not count. */
export async function storedBytes(tx: TTx, tenantId: string): Promise<{ hotBytes: number; archivedBytes: number }> {
  const [stored] = await tx
    .select({
      hotBytes: sql<number>`coalesce(sum(${files.sizeBytes}) filter (where ${files.storageTier} = 'hot'), 0)::bigint`.mapWith(Number),
      archivedBytes: sql<number>`coalesce(sum(${files.sizeBytes}) filter (where ${files.storageTier} <> 'hot'), 0)::bigint`.mapWith(Number),
    })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), ne(files.status, 'uploading')));
  return stored;
}

/**
 * This period's use against the tenant's limits (inside withTenant). Files and API calls come from the daily
 * rollup; storage is what the tenant stores now. Storage and API limits are the tenant's quotas (copied from
 * its plan when it joined or changed plan), the file limit is its plan's.
 */
export async function getCurrentUsage(tx: TTx, tenantId: string, now?: Date): Promise<TCurrentUsage> {
  const { start, end } = billingPeriod(now);
  const [tenant] = await tx
    .select({
      planId: tenants.plan,
      planName: plans.name,
      filesPerMonth: plans.filesPerMonth,
      storageQuotaBytes: tenants.storageQuotaBytes,
      apiQuotaMonthly: tenants.apiQuotaMonthly,
    })
    .from(tenants)
    .innerJoin(plans, eq(plans.id, tenants.plan))
    .where(eq(tenants.id, tenantId));
  if (!tenant) throw new AppError('not_found', 'Tenant not found');

  const { filesUploaded, apiCalls } = await countUsage(tx, tenantId, start, end);
  const stored = await storedBytes(tx, tenantId);

  return {
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    plan: { id: tenant.planId, name: tenant.planName },
    files: quotaUse(filesUploaded, tenant.filesPerMonth),
    apiCalls: quotaUse(apiCalls, tenant.apiQuotaMonthly),
    storage: {
      ...quotaUse(stored.hotBytes + stored.archivedBytes, tenant.storageQuotaBytes),
      hotBytes: stored.hotBytes,
      archivedBytes: stored.archivedBytes,
    },
  };
}
