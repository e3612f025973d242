'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { formatBytes, formatNumber } from '@/components/ui/format';
import { Select } from '@/components/ui/select';
import type { TCurrentUsage } from '@/lib/billing';
import type { TUsageBreakdown, TUsagePeriod, TUsageStats } from '@/lib/usage';
import { DailyUsageCharts } from './daily-usage-charts';
import { EndpointBreakdown } from './endpoint-breakdown';
import { QuotaCard } from './quota-card';
import { formatBillingPeriod, formatClock, formatLongDay, periodLabel } from './usage-format';

const REFRESH_INTERVAL_MS = 30_000;

export interface TUsageDashboardProps {
  periods: TUsagePeriod[];
  /** What the server read from PostgreSQL for the first paint; the queries start from it. */
  initial: { current: TCurrentUsage; stats: TUsageStats; breakdown: TUsageBreakdown };
  /** When the server read `initial` (ms since the epoch). */
  renderedAt: number;
}

/** Reads one of the /api/v1/usage endpoints with the portal's session cookie. */
async function fetchUsage<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `The server answered ${response.status}`);
  }
  return (await response.json()) as T;
}

/** The usage page's live part: current-period limits, the daily charts and the endpoint breakdown. */
export function UsageDashboard({ periods, initial, renderedAt }: TUsageDashboardProps) {
  const [period, setPeriod] = useState<TUsagePeriod>(initial.stats.period);
  // Seed only the period the server rendered; another period's cache entry must not start from these numbers.
  const isServerPeriod = period === initial.stats.period;

  const current = useQuery({
    queryKey: ['usage', 'current'],
    queryFn: () => fetchUsage<TCurrentUsage>('/api/v1/usage/current'),
    initialData: initial.current,
    initialDataUpdatedAt: renderedAt,
    refetchInterval: REFRESH_INTERVAL_MS,
  });
  const stats = useQuery({
    queryKey: ['usage', 'stats', period],
    queryFn: () => fetchUsage<TUsageStats>(`/api/v1/usage/stats?period=${period}`),
    initialData: isServerPeriod ? initial.stats : undefined,
    initialDataUpdatedAt: renderedAt,
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_INTERVAL_MS,
  });
  const breakdown = useQuery({
    queryKey: ['usage', 'breakdown', period],
    queryFn: () => fetchUsage<TUsageBreakdown>(`/api/v1/usage/breakdown?period=${period}`),
    initialData: isServerPeriod ? initial.breakdown : undefined,
    initialDataUpdatedAt: renderedAt,
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_INTERVAL_MS,
  });

  const choosePeriod = (next: TUsagePeriod) => {
    setPeriod(next);
    // Keep the choice in the URL so a reload or a shared link renders the same period on the server.
    const url = new URL(window.location.href);
    url.searchParams.set('period', next);
    window.history.replaceState(null, '', url);
  };

  const usage = current.data;
  const statsData = stats.data ?? initial.stats;
  const breakdownData = breakdown.data ?? initial.breakdown;
  const isSwitching = stats.isPlaceholderData || breakdown.isPlaceholderData;
  const failed = [current, stats, breakdown].find((query) => query.isError);
  const updatedAt = Math.min(current.dataUpdatedAt, stats.dataUpdatedAt || renderedAt, breakdown.dataUpdatedAt || renderedAt);

  return (
    <div className="space-y-8">
      {failed && (
        <Alert tone="warning" title="Could not refresh the usage figures">
          {failed.error?.message.replace(/\.$/, '')}. Showing the figures from {formatClock(updatedAt)}; the page retries every {REFRESH_INTERVAL_MS / 1000} seconds.
        </Alert>
      )}

      <section aria-labelledby="billing-period-heading">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="billing-period-heading" className="text-lg font-semibold text-slate-900">
            Current billing period
          </h2>
          <p className="text-sm text-slate-500">
            {formatBillingPeriod(usage.periodStart, usage.periodEnd)} · {usage.plan.name} plan
          </p>
        </div>
        <div className="grid gap-4 md:grid-cols-3">
          <QuotaCard title="Files uploaded" {...usage.files} format={formatNumber} />
          <QuotaCard title="API calls" {...usage.apiCalls} format={formatNumber} />
          <QuotaCard
            title="Storage"
            {...usage.storage}
            format={formatBytes}
            segments={[
              { label: 'hot', value: usage.storage.hotBytes, colorClass: 'bg-brand' },
              { label: 'archived', value: usage.storage.archivedBytes, colorClass: 'bg-slate-400' },
            ]}
          />
        </div>
      </section>

      <section aria-labelledby="history-heading" aria-busy={isSwitching || stats.isFetching || breakdown.isFetching}>
        <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
          <div>
            <h2 id="history-heading" className="text-lg font-semibold text-slate-900">
              History
            </h2>
            <p className="text-sm text-slate-500">
              {formatLongDay(statsData.from)} – {formatLongDay(statsData.to)} (UTC days, today included)
              {isSwitching && <span role="status"> · loading {periodLabel(period).toLowerCase()}…</span>}
            </p>
          </div>
          <div className="flex items-center gap-2">
            <label htmlFor="usage-period" className="text-sm font-medium text-slate-700">
              Period
            </label>
            <Select id="usage-period" value={period} onChange={(event) => choosePeriod(event.target.value as TUsagePeriod)} className="w-44 py-1.5">
              {periods.map((p) => (
                <option key={p} value={p}>
                  {periodLabel(p)}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <div className="space-y-6">
          <Card title="Daily activity" description="API calls and file uploads are counts per day; storage is the bytes stored, on its own axis.">
            <DailyUsageCharts stats={statsData} />
          </Card>
          <Card title="API calls by endpoint" description="Every admitted /api/v1 request, by method and route, most called first." isFlush>
            <EndpointBreakdown breakdown={breakdownData} />
          </Card>
        </div>
      </section>
      <p className="text-xs text-slate-500">
        Figures refresh every {REFRESH_INTERVAL_MS / 1000} seconds; last updated {formatClock(updatedAt)}. API calls are counted within a few seconds of the request.
      </p>
    </div>
  );
}
