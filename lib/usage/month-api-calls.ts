import 'server-only';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { tenants } from '@/db/schema/tenancy';
import { usageDaily } from '@/db/schema/usage';
import { platformDb } from '@/lib/tenancy';

export interface TApiCallQuotaUse {
  /** The tenant's monthly API-call quota (tenants.api_quota_monthly). */
  limit: number;
  /** api_call events in the daily rollup for [monthStart, monthEnd). */
  used: number;
}

/** One statement (no transaction): the quota check reads it in the background, off the request path. */
export async function readApiCallQuotaUse(tenantId: string, monthStart: Date, monthEnd: Date): Promise<TApiCallQuotaUse | null> {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const rows = await platformDb()
    .select({
      limit: tenants.apiQuotaMonthly,
      used: sql<string>`coalesce(sum(${usageDaily.count}), 0)`,
    })
    .from(tenants)
    .leftJoin(
      usageDaily,
      and(
        eq(usageDaily.tenantId, tenants.id),
        eq(usageDaily.eventType, 'api_call'),
        gte(usageDaily.day, day(monthStart)),
        lt(usageDaily.day, day(monthEnd)),
      ),
    )
    .where(eq(tenants.id, tenantId))
    .groupBy(tenants.apiQuotaMonthly);
  const row = rows[0];
  return row ? { limit: row.limit, used: Number(row.used) } : null;
}
