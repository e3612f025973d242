import { cn } from '@/components/ui/cn';
import { formatNumber } from '@/components/ui/format';
import type { TErrorStats } from '@/lib/errors';
import { formatChange } from './error-format';

function Tile({ label, value, note, tone }: { label: string; value: string; note?: string; tone?: 'red' }) {
  return (
    <div className="rounded-md bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={cn('mt-1 text-2xl font-semibold tabular-nums', tone === 'red' ? 'text-red-700' : 'text-slate-900')}>{value}</dd>
      {note && <dd className="text-xs text-slate-500">{note}</dd>}
    </div>
  );
}

/** The period's totals at a glance. */
export function ErrorStatTiles({ stats, changePercent }: { stats: TErrorStats; changePercent: number | null }) {
  const { totals, errorRate } = stats;
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-5">
      <Tile
        label="Errors"
        value={formatNumber(totals.events)}
        note={changePercent === null ? 'none in the previous period' : `${formatChange(changePercent)} vs previous period`}
      />
      <Tile label="Groups" value={formatNumber(totals.groups)} note={`${formatNumber(totals.newGroups)} new`} />
      <Tile label="Users affected" value={formatNumber(totals.usersAffected)} note="users and API keys" />
      <Tile label="Regressions" value={formatNumber(totals.regressions)} note="resolved, then seen again" tone={totals.regressions > 0 ? 'red' : undefined} />
      <Tile
        label="API error rate"
        value={errorRate.ratePercent === null ? '—' : `${errorRate.ratePercent.toFixed(2)} %`}
        note={`${formatNumber(errorRate.apiErrors)} of ${formatNumber(errorRate.apiRequests)} API-key calls`}
      />
    </dl>
  );
}
