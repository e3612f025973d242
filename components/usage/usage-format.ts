// Deterministic (UTC, fixed English) so the server render and the browser agree when hydrating.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const PERIOD_LABELS: Record<string, string> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  '1y': 'Last 12 months',
};

export const periodLabel = (period: string): string => PERIOD_LABELS[period] ?? period;

/** A UTC day (YYYY-MM-DD or an ISO timestamp) as "Nov 22". */
export function formatShortDay(value: string): string {
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** A UTC day as "Nov 22, 2026". */
export function formatLongDay(value: string): string {
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return `${formatShortDay(value)}, ${d.getUTCFullYear()}`;
}

/** The billing period [start, end) as its first and last day, e.g. "Nov 1 – Nov 30, 2026". */
export function formatBillingPeriod(periodStart: string, periodEnd: string): string {
  const lastDay = new Date(new Date(periodEnd).getTime() - 86_400_000).toISOString();
  return `${formatShortDay(periodStart)} – ${formatLongDay(lastDay)}`;
}

/** A timestamp in ms as "14:03:27 UTC". */
export const formatClock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

export const formatPercent = (percentage: number): string => `${percentage.toFixed(1)} %`;
