/**
 * Formatting that gives the same text on the server and in the browser (no locale or time-zone
 * dependence), so server-rendered tables hydrate without mismatches.
 */
const pad = (n: number) => String(n).padStart(2, '0');

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return `${formatDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatNumber(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Integer cents as money (integer arithmetic, no float rounding, no locale: server and browser print the same):
 * dollars by default, 99900 → $999.00 (the platform's billing currency); with an ISO code, (123456, 'EUR') →
 * EUR 1,234.56.
 */
export function formatCents(cents: number, currency?: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const amount = `${formatNumber(Math.floor(abs / 100))}.${pad(abs % 100)}`;
  return currency ? `${currency} ${sign}${amount}` : `${sign}$${amount}`;
}
