import 'server-only';
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { USAGE_EVENT_TYPES, usageDaily, type TUsageEventType } from '@/db/schema/usage';

export const USAGE_PERIODS = { '7d': 7, '30d': 30, '90d': 90, '1y': 365 } as const;
export type TUsagePeriod = keyof typeof USAGE_PERIODS;

export interface TUsageAmount {
  count: number;
  /** Sum of quantities; for storage_bytes (a gauge) the largest snapshot, see totals. */
  quantity: number;
}

export type TUsageByType = Record<TUsageEventType, TUsageAmount>;

export interface TUsageStats {
  period: TUsagePeriod;
  /** First and last UTC day of the window, inclusive (the last is today). */
  from: string;
  to: string;
  /** Per event type over the window; storage_bytes.quantity is the latest day's snapshot, not a sum. */
  totals: TUsageByType;
  /** One entry per UTC day, oldest first, zeros where nothing happened. */
  daily: ({ day: string } & TUsageByType)[];
}

export interface TUsageBreakdown {
  period: TUsagePeriod;
  from: string;
  to: string;
  /** API calls per endpoint (`METHOD /path` template), most called first. */
  endpoints: { endpoint: string; method: string; path: string; count: number }[];
}

const DAY_MS = 86_400_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The period's UTC days, today last. */
export function periodDays(period: TUsagePeriod, now: Date = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = USAGE_PERIODS[period];
  return Array.from({ length: days }, (_, i) => isoDay(new Date(today - (days - 1 - i) * DAY_MS)));
}

const zeros = (): TUsageByType =>
  Object.fromEntries(USAGE_EVENT_TYPES.map((type) => [type, { count: 0, quantity: 0 }])) as TUsageByType;

/** Totals and a daily series, read from the daily rollup only (never the raw events). */
export async function getUsageStats(tx: TTx, tenantId: string, period: TUsagePeriod, now?: Date): Promise<TUsageStats> {
  const days = periodDays(period, now);
  const from = days[0];
  const to = days[days.length - 1];
  const rows = await tx
    .select({
      day: usageDaily.day,
      eventType: usageDaily.eventType,
      count: sql<number>`sum(${usageDaily.count})::bigint`.mapWith(Number),
      // Routes split api_call only; storage_bytes has one row a day, so max is its snapshot.
      quantity: sql<number>`case when ${usageDaily.eventType} = 'storage_bytes' then max(${usageDaily.quantitySum})
        else sum(${usageDaily.quantitySum}) end::bigint`.mapWith(Number),
    })
    .from(usageDaily)
    .where(and(eq(usageDaily.tenantId, tenantId), gte(usageDaily.day, from), lte(usageDaily.day, to)))
    .groupBy(usageDaily.day, usageDaily.eventType);

  const byDay = new Map(days.map((day) => [day, zeros()]));
  const totals = zeros();
  let latestStorageDay = '';
  for (const row of rows) {
    const entry = byDay.get(row.day);
    if (!entry) continue;
    entry[row.eventType] = { count: row.count, quantity: row.quantity };
    totals[row.eventType].count += row.count;
    if (row.eventType !== 'storage_bytes') totals[row.eventType].quantity += row.quantity;
    else if (row.day > latestStorageDay) {
      latestStorageDay = row.day;
      totals.storage_bytes.quantity = row.quantity;
    }
  }
  return { period, from, to, totals, daily: days.map((day) => ({ day, ...byDay.get(day)! })) };
}

/** API calls per endpoint over the period, from the daily rollup. */
export async function getUsageBreakdown(tx: TTx, tenantId: string, period: TUsagePeriod, now?: Date): Promise<TUsageBreakdown> {
  const days = periodDays(period, now);
  const from = days[0];
  const to = days[days.length - 1];
  const rows = await tx
    .select({ endpoint: usageDaily.route, count: sql<number>`sum(${usageDaily.count})::bigint`.mapWith(Number) })
    .from(usageDaily)
    .where(
      and(eq(usageDaily.tenantId, tenantId), eq(usageDaily.eventType, 'api_call'), gte(usageDaily.day, from), lte(usageDaily.day, to)),
    )
    .groupBy(usageDaily.route)
    .orderBy(sql`2 desc`, usageDaily.route);
  return {
    period,
    from,
    to,
    endpoints: rows.map((row) => {
      const [method, ...rest] = row.endpoint.split(' ');
      return { endpoint: row.endpoint, method, path: rest.join(' '), count: row.count };
    }),
  };
}
