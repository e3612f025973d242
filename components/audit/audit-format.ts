// Deterministic (UTC, fixed English) so the server render and the browser agree when hydrating.
const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO timestamp as "2026-11-22 14:03:27 UTC" (audit events need the seconds). */
export function formatAuditTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** A UTC day (YYYY-MM-DD) as "Nov 22". */
export function formatAuditDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

const PERIOD_LABELS: Record<string, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
};

export const auditPeriodLabel = (period: string): string => PERIOD_LABELS[period] ?? period;

export const ACTOR_TYPE_LABELS = { user: 'user', api_key: 'API key', system: 'system' } as const;

/** The first characters of a SHA-256 hex digest, enough to compare by eye. */
export const hashPrefix = (hash: string, length = 12): string => `${hash.slice(0, length)}…`;
