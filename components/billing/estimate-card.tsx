'use client';

import { useQuery } from '@tanstack/react-query';
import { Card } from '@/components/ui/card';
import { formatCents } from '@/components/ui/format';
import type { TBillingSummary } from '@/lib/billing';
import { InvoiceLines } from './invoice-lines';

const REFRESH_INTERVAL_MS = 60_000;

async function fetchSummary(): Promise<TBillingSummary> {
  const response = await fetch('/api/v1/billing/summary', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`The server answered ${response.status}`);
  return (await response.json()) as TBillingSummary;
}

/**
 * This period's invoice so far, computed by the invoice run's own arithmetic; refreshed every minute from
 * GET /api/v1/billing/summary, starting from what the server rendered.
 */
export function EstimateCard({ initial }: { initial: TBillingSummary }) {
  const { data, isFetching, error } = useQuery({
    // Keyed by plan: after a plan change the page re-renders with a new estimate, which must replace the cached one.
    queryKey: ['billing-summary', initial.plan.id],
    queryFn: fetchSummary,
    initialData: initial,
    refetchInterval: REFRESH_INTERVAL_MS,
  });
  const { estimate } = data;
  return (
    <Card
      title="Next invoice, so far"
      description={`For ${estimate.period}: the plan for the whole month plus this month's overage up to now. It is issued on the 1st.`}
      actions={
        <p className="text-right text-sm text-slate-500" aria-live="polite">
          <span className="block text-2xl font-semibold text-slate-900 tabular-nums" data-testid="estimate-total">
            {formatCents(estimate.totalCents)}
          </span>
          {isFetching ? 'Refreshing…' : error ? 'Could not refresh' : 'incl. tax'}
        </p>
      }
      isFlush
    >
      <InvoiceLines
        caption="Lines of the next invoice so far"
        lines={estimate.lines}
        subtotalCents={estimate.subtotalCents}
        taxRateBps={estimate.taxRateBps}
        taxCents={estimate.taxCents}
        totalCents={estimate.totalCents}
      />
    </Card>
  );
}
