// Commas only as thousands separators ("1,250.50"): "12,50" is refused rather than read as 1,250.
const DECIMAL = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

function splitDecimal(text: string): { whole: string; fraction: string } | null {
  const match = DECIMAL.exec(text.trim().replace(/\s+/g, ''));
  if (!match || (!match[1] && !match[2])) return null;
  return { whole: (match[1] ?? '0').replaceAll(',', ''), fraction: match[2] ?? '' };
}

/**
 * An amount typed in currency units ("12.34", "1,250", ".5") as integer cents, read digit by digit so no float
 * ever rounds it; null when it is not a non-negative amount with at most two decimals.
 */
export function parseMoneyToCents(text: string): number | null {
  const parts = splitDecimal(text);
  if (!parts || parts.fraction.length > 2) return null;
  const cents = Number(parts.whole) * 100 + Number(parts.fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Cents as the text of a money input: 1234 → "12.34", 1200 → "12.00". */
export function centsToMoneyInput(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A quantity or a number of hours as typed ("12.5", "1,000"); null when it is not a non-negative number. */
export function parseAmount(text: string): number | null {
  const parts = splitDecimal(text);
  return parts ? Number(`${parts.whole}.${parts.fraction || '0'}`) : null;
}
