// Deterministic (UTC, fixed English) so the server render and the browser agree when hydrating.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

const PERIOD_LABELS: Record<string, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
};

export const errorPeriodLabel = (period: string): string => PERIOD_LABELS[period] ?? period;

/** An hour's start as "Nov 22 14:00" (UTC). */
export function formatHour(value: string): string {
  const d = new Date(value);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${pad(d.getUTCHours())}:00`;
}

/** An instant as "Nov 22 14:03:27" (UTC). */
export function formatInstant(value: string): string {
  const d = new Date(value);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A change against the previous period: "+40 %", "−25 %", "new" (nothing before). */
export function formatChange(changePercent: number | null): string {
  if (changePercent === null) return 'new';
  if (changePercent === 0) return '±0 %';
  return `${changePercent > 0 ? '+' : '−'}${Math.abs(changePercent)} %`;
}
