import { cn } from '@/components/ui/cn';
import { formatPercent } from './usage-format';

export interface TQuotaSegment {
  label: string;
  value: number;
  /** Tailwind background class of the segment and its legend dot. */
  colorClass: string;
}

export interface TQuotaCardProps {
  title: string;
  used: number;
  limit: number;
  /** used / limit in percent as the server computed it (over 100 when over the limit). */
  percentage: number;
  format: (value: number) => string;
  /** Parts of `used` shown as separate bar segments (e.g. hot and archived storage); one segment otherwise. */
  segments?: TQuotaSegment[];
}

const toneOf = (percentage: number) => (percentage >= 100 ? 'bg-red-600' : percentage >= 80 ? 'bg-amber-500' : 'bg-brand');

/** One limit of the billing period: used of limit, a bar and the percentage (the look of the files storage bar). */
export function QuotaCard({ title, used, limit, percentage, format, segments }: TQuotaCardProps) {
  const headingId = `quota-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const widthOf = (value: number) => (limit > 0 ? Math.min(100, (value / limit) * 100) : value > 0 ? 100 : 0);
  const parts = segments ?? [{ label: title, value: used, colorClass: toneOf(percentage) }];
  const isOver = percentage >= 100;
  return (
    <section aria-labelledby={headingId} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5">
      <h3 id={headingId} className="text-sm font-medium text-slate-600">
        {title}
      </h3>
      <p className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">
        {format(used)} <span className="text-sm font-normal text-slate-500">of {format(limit)}</span>
      </p>
      <div
        role="meter"
        aria-label={`${title} used`}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={`${format(used)} of ${format(limit)} (${formatPercent(percentage)})`}
        className="mt-3 flex h-2.5 overflow-hidden rounded-full bg-slate-100"
      >
        {parts.map((part, i) => {
          const before = parts.slice(0, i).reduce((sum, p) => sum + p.value, 0);
          // Widths are cumulative-then-differenced so the segments never add up to more than the full bar.
          const width = Math.max(0, widthOf(before + part.value) - widthOf(before));
          return <div key={part.label} className={part.colorClass} style={{ width: `${width}%` }} />;
        })}
      </div>
      <div className="mt-2 flex flex-wrap items-baseline justify-between gap-2 text-xs text-slate-500">
        <p className={cn(isOver && 'font-semibold text-red-700')}>
          {formatPercent(percentage)} of the limit{isOver ? ' — over the limit' : ''}
        </p>
        {segments && (
          <p>
            {segments.map((part, i) => (
              <span key={part.label} className={cn(i > 0 && 'ml-3')}>
                <span className={cn('mr-1 inline-block h-2 w-2 rounded-full', part.colorClass)} aria-hidden /> {part.label} {format(part.value)}
              </span>
            ))}
          </p>
        )}
      </div>
    </section>
  );
}
