'use client';

import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/components/ui/cn';
import { EmptyState } from '@/components/ui/empty-state';
import { formatNumber } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import { ACTOR_TYPE_LABELS, auditPeriodLabel, formatAuditDay, formatAuditTime } from './audit-format';
import type { TAuditSummaryView } from './types';

const SUCCESS_COLOR = '#1f6feb';
const FAILURE_COLOR = '#dc2626';
const CHART_HEIGHT = 240;
const TOP = 8;
const DAY_MS = 86_400_000;

interface TDayPoint {
  day: string;
  succeeded: number;
  failed: number;
}

/** Every UTC day of the period, including those without events, so the chart's gaps are real gaps. */
function dayPoints(summary: TAuditSummaryView): TDayPoint[] {
  const byDay = new Map(summary.daily.map((entry) => [entry.day, entry]));
  const points: TDayPoint[] = [];
  const last = summary.to.slice(0, 10);
  for (let t = Date.parse(`${summary.from.slice(0, 10)}T00:00:00Z`); ; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const entry = byDay.get(day);
    points.push({ day, succeeded: entry ? entry.count - entry.failures : 0, failed: entry?.failures ?? 0 });
    if (day >= last) break;
  }
  return points;
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: 'red' }) {
  return (
    <div className="rounded-md bg-slate-50 px-3 py-2 ring-1 ring-slate-200 ring-inset">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={cn('text-xl font-semibold tabular-nums', tone === 'red' ? 'text-red-700' : 'text-slate-900')}>{value}</dd>
    </div>
  );
}

/** A ranked list with a bar per entry, scaled to the first (largest) count. */
function RankedList({ title, items }: { title: string; items: { key: string; label: ReactNode; count: number; failures?: number }[] }) {
  const max = items[0]?.count ?? 0;
  return (
    <section aria-label={title}>
      <h3 className="mb-2 text-sm font-medium text-slate-700">{title}</h3>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">None in this period.</p>
      ) : (
        <ol className="space-y-2">
          {items.map((item) => (
            <li key={item.key} className="text-sm">
              <div className="flex items-baseline justify-between gap-3">
                <span className="min-w-0 truncate">{item.label}</span>
                <span className="shrink-0 text-xs text-slate-600 tabular-nums">
                  {formatNumber(item.count)}
                  {item.failures ? <span className="text-red-700"> · {formatNumber(item.failures)} failed</span> : null}
                </span>
              </div>
              <div className="mt-1 flex h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
                <div style={{ width: `${max > 0 ? ((item.count - (item.failures ?? 0)) / max) * 100 : 0}%`, backgroundColor: SUCCESS_COLOR }} />
                <div style={{ width: `${max > 0 ? ((item.failures ?? 0) / max) * 100 : 0}%`, backgroundColor: FAILURE_COLOR }} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * The period's totals, events per day (failures stacked on top) and the most frequent actions and actors. Each
 * action links to the table filtered by it (`actionHrefBase` is the current page query without the action).
 */
export function AuditSummaryCharts({ summary, actionHrefBase }: { summary: TAuditSummaryView; actionHrefBase: string }) {
  const range = `${formatAuditTime(summary.from)} – ${formatAuditTime(summary.to)}`;
  if (summary.total === 0) {
    return <EmptyState title={`No events in the ${auditPeriodLabel(summary.period).toLowerCase()}`} description={`Nothing was recorded from ${range}.`} />;
  }
  const points = dayPoints(summary);
  const activeDays = points.filter((point) => point.succeeded + point.failed > 0);
  const failureRate = summary.total > 0 ? (summary.failures / summary.total) * 100 : 0;
  const hrefOf = (action: string) => `?${actionHrefBase}${actionHrefBase ? '&' : ''}action=${encodeURIComponent(action)}`;

  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Stat label="Events" value={formatNumber(summary.total)} />
        <Stat label="Failures" value={formatNumber(summary.failures)} tone={summary.failures > 0 ? 'red' : undefined} />
        <Stat label="Failure rate" value={`${failureRate.toFixed(1)} %`} tone={summary.failures > 0 ? 'red' : undefined} />
        <Stat label="Distinct actions" value={summary.byAction.length >= 20 ? '20+' : String(summary.byAction.length)} />
      </dl>

      <figure>
        <figcaption className="mb-2 text-sm font-medium text-slate-700">Events per day (UTC), failures in red</figcaption>
        <BarChart
          responsive
          style={{ width: '100%', height: CHART_HEIGHT }}
          data={points}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
          title="Events per day"
        >
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="day" tickFormatter={formatAuditDay} minTickGap={16} tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} tickFormatter={(value: number) => formatNumber(value)} tick={{ fontSize: 12 }} width={48} />
          <Tooltip labelFormatter={(label) => (typeof label === 'string' ? formatAuditDay(label) : String(label))} formatter={(value) => formatNumber(Number(value))} />
          <Legend />
          <Bar dataKey="succeeded" name="Succeeded" stackId="events" fill={SUCCESS_COLOR} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="events" fill={FAILURE_COLOR} isAnimationActive={false} />
        </BarChart>
      </figure>

      <div className="grid gap-6 md:grid-cols-2">
        <RankedList
          title="Top actions"
          items={summary.byAction.slice(0, TOP).map((row) => ({
            key: row.action,
            label: (
              <a href={hrefOf(row.action)} className="font-mono text-xs text-brand hover:underline" title={`Show only ${row.action}`}>
                {row.action}
              </a>
            ),
            count: row.count,
            failures: row.failures,
          }))}
        />
        <RankedList
          title="Top actors"
          items={summary.byActor.slice(0, TOP).map((row) => ({
            key: `${row.actorType}:${row.actorId ?? row.actorName}`,
            label: (
              <span className="inline-flex items-center gap-1.5">
                <span className="truncate">{row.actorName || '—'}</span>
                <Badge>{ACTOR_TYPE_LABELS[row.actorType]}</Badge>
              </span>
            ),
            count: row.count,
          }))}
        />
      </div>

      <details className="text-sm">
        <summary className="cursor-pointer font-medium text-brand">Show the days with events as a table ({activeDays.length})</summary>
        <div className="mt-3">
          <Table caption={`Audit events per day, ${range}`}>
            <thead>
              <tr>
                <Th>Day (UTC)</Th>
                <Th className="text-right">Events</Th>
                <Th className="text-right">Failures</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {activeDays.map((point) => (
                <tr key={point.day}>
                  <Td>{point.day}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(point.succeeded + point.failed)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(point.failed)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      </details>
    </div>
  );
}
