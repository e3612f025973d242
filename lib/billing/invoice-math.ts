import type { TInvoiceLineKind } from '@/db/schema/billing';
import type { TPlan } from '@/lib/tenancy';

/**
 * Invoice arithmetic, pure and exact. Every line's value is an exact fraction of cents (BigInt numerator and
 * denominator) rounded once, half up, to whole cents; the subtotal is the sum of the rounded lines; tax is
 * subtotal × rate (basis points) rounded half up; total = subtotal + tax. No floating point touches money.
 */

export const GIB_BYTES = 1024 ** 3;
const MS_PER_DAY = 86_400_000;

/** What a plan charges; the prices and allowances of the plans table at the time of the run. */
export type TPlanPricing = Pick<
  TPlan,
  'id' | 'name' | 'priceCents' | 'filesPerMonth' | 'storageBytes' | 'apiCallsPerMonth' | 'extraFileCents' | 'storageGibMonthCents' | 'per1kApiCallsCents'
>;

/** A stretch of the period on one plan: from inclusive, to exclusive. */
export interface TPlanSegment {
  plan: TPlanPricing;
  from: Date;
  to: Date;
}

export interface TInvoiceInput {
  /** The period billed: start inclusive, end exclusive, whole UTC days. */
  periodStart: Date;
  periodEnd: Date;
  /** The plans in force during the period, in order; the base price is prorated over them. */
  segments: TPlanSegment[];
  filesUploaded: number;
  apiCalls: number;
  /**
   * Daily storage snapshots (bytes, UTC day YYYY-MM-DD), any range: a day without one carries the latest earlier
   * snapshot forward (a missed snapshot job must not make storage free); days before the first snapshot are 0.
   */
  storageSnapshots: { day: string; bytes: number }[];
  taxRateBps: number;
}

export interface TComputedLine {
  kind: TInvoiceLineKind;
  description: string;
  /** Exact decimal string, 6 places (the numeric column's scale). */
  quantity: string;
  unit: string;
  unitPriceCents: number;
  amountCents: number;
  metadata: Record<string, unknown>;
}

export interface TComputedInvoice {
  lines: TComputedLine[];
  subtotalCents: number;
  taxRateBps: number;
  taxCents: number;
  totalCents: number;
}

/** round(numerator / denominator), halves up; both non-negative. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/** numerator / denominator as a decimal string with `scale` places, rounded half up. */
export function toDecimal(numerator: bigint, denominator: bigint, scale = 6): string {
  const factor = 10n ** BigInt(scale);
  const scaled = roundHalfUp(numerator * factor, denominator);
  const whole = scaled / factor;
  if (scale === 0) return whole.toString();
  return `${whole}.${(scaled % factor).toString().padStart(scale, '0')}`;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const dayLabel = (date: Date) =>
  date.toLocaleDateString('en-US', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The UTC days of [start, end) as YYYY-MM-DD. */
export function daysOf(start: Date, end: Date): string[] {
  const days: string[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += MS_PER_DAY) days.push(isoDay(new Date(t)));
  return days;
}

/** Storage for each day of the period, carrying the latest snapshot forward over days without one. */
export function storageByDay(periodStart: Date, periodEnd: Date, snapshots: { day: string; bytes: number }[]): number[] {
  const byDay = new Map(snapshots.map((s) => [s.day, s.bytes]));
  const first = isoDay(periodStart);
  let carried = 0;
  for (const s of [...snapshots].sort((a, b) => a.day.localeCompare(b.day))) {
    if (s.day < first) carried = s.bytes;
  }
  return daysOf(periodStart, periodEnd).map((day) => {
    carried = byDay.get(day) ?? carried;
    return carried;
  });
}

export function computeInvoice(input: TInvoiceInput): TComputedInvoice {
  const periodMs = BigInt(input.periodEnd.getTime() - input.periodStart.getTime());
  const lines: TComputedLine[] = [];

  for (const segment of input.segments) {
    const segmentMs = BigInt(segment.to.getTime() - segment.from.getTime());
    if (segmentMs <= 0n) continue;
    const whole = segmentMs === periodMs;
    const lastDay = new Date(segment.to.getTime() - 1);
    lines.push({
      kind: 'base',
      description: `${segment.plan.name} plan, ${dayLabel(segment.from)} – ${dayLabel(lastDay)}${whole ? '' : ' (prorated)'}`,
      quantity: toDecimal(segmentMs, periodMs),
      unit: 'month',
      unitPriceCents: segment.plan.priceCents,
      amountCents: Number(roundHalfUp(BigInt(segment.plan.priceCents) * segmentMs, periodMs)),
      metadata: { planId: segment.plan.id, from: segment.from.toISOString(), to: segment.to.toISOString() },
    });
  }

  // Allowances and overage prices are those of the plan in force at the end of the period.
  const plan = input.segments.at(-1)?.plan;
  if (plan) {
    const extraFiles = Math.max(0, input.filesUploaded - plan.filesPerMonth);
    lines.push({
      kind: 'extra_files',
      description: `Files uploaded beyond ${plan.filesPerMonth.toLocaleString('en-US')} (${input.filesUploaded.toLocaleString('en-US')} uploaded)`,
      quantity: toDecimal(BigInt(extraFiles), 1n),
      unit: 'file',
      unitPriceCents: plan.extraFileCents,
      amountCents: extraFiles * plan.extraFileCents,
      metadata: { used: input.filesUploaded, included: plan.filesPerMonth },
    });

    const daily = storageByDay(input.periodStart, input.periodEnd, input.storageSnapshots);
    const days = BigInt(daily.length);
    const included = BigInt(plan.storageBytes);
    const overByteDays = daily.reduce((sum, bytes) => sum + (BigInt(bytes) > included ? BigInt(bytes) - included : 0n), 0n);
    const byteDays = daily.reduce((sum, bytes) => sum + BigInt(bytes), 0n);
    const gibDays = days * BigInt(GIB_BYTES);
    lines.push({
      kind: 'storage',
      description: `Storage beyond ${toDecimal(included, BigInt(GIB_BYTES), 0)} GiB, as GiB-months (average ${toDecimal(byteDays, gibDays, 2)} GiB stored)`,
      quantity: toDecimal(overByteDays, gibDays),
      unit: 'GiB-month',
      unitPriceCents: plan.storageGibMonthCents,
      amountCents: Number(roundHalfUp(overByteDays * BigInt(plan.storageGibMonthCents), gibDays)),
      metadata: { includedBytes: plan.storageBytes, averageBytes: toDecimal(byteDays, days, 0), days: daily.length },
    });

    const extraCalls = Math.max(0, input.apiCalls - plan.apiCallsPerMonth);
    lines.push({
      kind: 'api_calls',
      description: `API calls beyond ${plan.apiCallsPerMonth.toLocaleString('en-US')} (${input.apiCalls.toLocaleString('en-US')} made), per 1,000`,
      quantity: toDecimal(BigInt(extraCalls), 1000n),
      unit: '1,000 calls',
      unitPriceCents: plan.per1kApiCallsCents,
      amountCents: Number(roundHalfUp(BigInt(extraCalls) * BigInt(plan.per1kApiCallsCents), 1000n)),
      metadata: { used: input.apiCalls, included: plan.apiCallsPerMonth },
    });
  }

  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const taxCents = Number(roundHalfUp(BigInt(subtotalCents) * BigInt(input.taxRateBps), 10_000n));
  return { lines, subtotalCents, taxRateBps: input.taxRateBps, taxCents, totalCents: subtotalCents + taxCents };
}
