import { cn } from '@/components/ui/cn';
import { formatCents } from '@/components/ui/format';

interface TCostSummaryProps {
  materialsCents: number;
  laborCents: number;
  equipmentCents: number;
  totalCents: number;
  currency: string;
  /** The form's total is live: announced politely as it changes. */
  isLive?: boolean;
  className?: string;
}

/** An estimate's cost parts and total. */
export function CostSummary({ materialsCents, laborCents, equipmentCents, totalCents, currency, isLive = false, className }: TCostSummaryProps) {
  const rows: [string, number][] = [
    ['Materials', materialsCents],
    ['Labour', laborCents],
    ['Equipment', equipmentCents],
  ];
  return (
    <dl className={cn('space-y-1.5 text-sm', className)}>
      {rows.map(([label, cents]) => (
        <div key={label} className="flex justify-between gap-6">
          <dt className="text-slate-500">{label}</dt>
          <dd className="text-slate-800 tabular-nums">{formatCents(cents, currency)}</dd>
        </div>
      ))}
      <div className="flex justify-between gap-6 border-t border-slate-200 pt-1.5 font-semibold text-slate-900">
        <dt>Total</dt>
        <dd className="tabular-nums">
          {isLive ? (
            <output aria-live="polite" aria-label="Estimated total">
              {formatCents(totalCents, currency)}
            </output>
          ) : (
            formatCents(totalCents, currency)
          )}
        </dd>
      </div>
    </dl>
  );
}
