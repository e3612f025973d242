'use client';

import { useQuery } from '@tanstack/react-query';
import { Alert } from '@/components/ui/alert';
import { AuditSummaryCharts } from './audit-summary-charts';
import type { TAuditSummaryView } from './types';

async function fetchSummary(period: string): Promise<TAuditSummaryView> {
  const response = await fetch(`/api/v1/audit/summary?period=${encodeURIComponent(period)}`, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`The server answered ${response.status}`);
  return (await response.json()) as TAuditSummaryView;
}

/**
 * The summary charts, loaded after the page: counting a period's events (hundreds of thousands of rows on a busy
 * log) must not hold up the events table, which is what the page is for.
 */
export function AuditSummaryLoader({ period, actionHrefBase }: { period: string; actionHrefBase: string }) {
  const { data, error, isPending } = useQuery({ queryKey: ['audit-summary', period], queryFn: () => fetchSummary(period) });
  if (isPending) return <p className="text-sm text-slate-500">Counting this period’s events…</p>;
  if (error) return <Alert tone="warning">Could not load the summary: {error.message}</Alert>;
  return <AuditSummaryCharts summary={data} actionHrefBase={actionHrefBase} />;
}
