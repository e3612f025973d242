export const ERROR_PERIODS = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 } as const;
export type TErrorPeriod = keyof typeof ERROR_PERIODS;

const HOUR_MS = 3_600_000;

export interface TErrorWindow {
  period: TErrorPeriod;
  hours: number;
  /** First UTC hour of the window (inclusive). */
  from: Date;
  /** End of the current hour (exclusive): the window is the period's hours up to and including this one. */
  to: Date;
  /** The window just before, of the same length, for trends. */
  previousFrom: Date;
}

/** The period as whole UTC hours ending with the current one, and the one before it. */
export function errorWindow(period: TErrorPeriod, now: Date = new Date()): TErrorWindow {
  const hours = ERROR_PERIODS[period];
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const to = new Date(currentHour + HOUR_MS);
  const from = new Date(to.getTime() - hours * HOUR_MS);
  return { period, hours, from, to, previousFrom: new Date(from.getTime() - hours * HOUR_MS) };
}

/** The start of each hour of the window, oldest first. */
export function windowHours(window: TErrorWindow): Date[] {
  return Array.from({ length: window.hours }, (_, i) => new Date(window.from.getTime() + i * HOUR_MS));
}

/** Change from previous to current in percent, rounded; null when there was nothing before (new). */
export function changePercent(current: number, previous: number): number | null {
  if (previous === 0) return current === 0 ? 0 : null;
  return Math.round(((current - previous) / previous) * 100);
}
