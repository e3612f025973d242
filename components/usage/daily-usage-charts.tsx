'use client';

import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { EmptyState } from '@/components/ui/empty-state';
import { formatBytes, formatNumber } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import type { TUsageStats } from '@/lib/usage';
import { formatLongDay, formatShortDay, periodLabel } from './usage-format';

const API_CALLS_COLOR = '#1f6feb';
const UPLOADS_COLOR = '#16a34a';
const STORAGE_COLOR = '#7c3aed';
const SEARCHES_COLOR = '#ea580c';
const CHART_HEIGHT = 260;

interface TDailyPoint {
  day: string;
  apiCalls: number;
  fileUploads: number;
  estimateSearches: number;
  /** null on days without a storage snapshot, so the gauge line is not pulled down to zero. */
  storageBytes: number | null;
}

const toPoints = (stats: TUsageStats): TDailyPoint[] =>
  stats.daily.map((entry) => ({
    day: entry.day,
    apiCalls: entry.api_call.count,
    fileUploads: entry.file_upload.count,
    estimateSearches: entry.cost_estimate.count,
    storageBytes: entry.storage_bytes.count > 0 ? entry.storage_bytes.quantity : null,
  }));

const tooltipDay = (label: unknown) => (typeof label === 'string' ? formatLongDay(label) : String(label));

/**
 * Daily API calls, file uploads and similar-estimate searches (counts, one chart) and stored bytes (a gauge, its own chart and axis), with
 * the active days as a table for screen readers and anyone who wants the numbers.
 */
export function DailyUsageCharts({ stats }: { stats: TUsageStats }) {
  const points = toPoints(stats);
  const hasActivity = stats.totals.api_call.count + stats.totals.file_upload.count + stats.totals.cost_estimate.count > 0;
  const hasStorage = points.some((point) => point.storageBytes !== null);
  const activeDays = points.filter((point) => point.apiCalls > 0 || point.fileUploads > 0 || point.estimateSearches > 0 || point.storageBytes !== null);
  const range = `${formatLongDay(stats.from)} – ${formatLongDay(stats.to)}`;

  if (!hasActivity && !hasStorage) {
    return (
      <EmptyState
        title={`No usage in the ${periodLabel(stats.period).toLowerCase()}`}
        description={`Nothing was recorded from ${range}: no API calls, uploads, estimate searches or storage snapshots. Choose a longer period or come back after some activity.`}
      />
    );
  }

  return (
    <div className="space-y-6">
      <figure>
        <figcaption className="mb-2 text-sm font-medium text-slate-700">API calls and file uploads per day</figcaption>
        {hasActivity ? (
          <AreaChart
            responsive
            style={{ width: '100%', height: CHART_HEIGHT }}
            data={points}
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
            title="API calls and file uploads per day"
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="day" tickFormatter={formatShortDay} minTickGap={24} tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tickFormatter={(value: number) => formatNumber(value)} tick={{ fontSize: 12 }} width={56} />
            <Tooltip labelFormatter={tooltipDay} formatter={(value) => formatNumber(Number(value))} />
            <Legend />
            <Area type="monotone" dataKey="apiCalls" name="API calls" stroke={API_CALLS_COLOR} fill={API_CALLS_COLOR} fillOpacity={0.15} isAnimationActive={false} />
            <Area type="monotone" dataKey="fileUploads" name="File uploads" stroke={UPLOADS_COLOR} fill={UPLOADS_COLOR} fillOpacity={0.15} isAnimationActive={false} />
            <Area
              type="monotone"
              dataKey="estimateSearches"
              name="Estimate searches"
              stroke={SEARCHES_COLOR}
              fill={SEARCHES_COLOR}
              fillOpacity={0.15}
              isAnimationActive={false}
            />
          </AreaChart>
        ) : (
          <EmptyState title="No API calls or uploads in this period" description={`None from ${range}.`} />
        )}
      </figure>

      <figure>
        <figcaption className="mb-2 text-sm font-medium text-slate-700">Storage per day (daily snapshot)</figcaption>
        {hasStorage ? (
          <AreaChart
            responsive
            style={{ width: '100%', height: CHART_HEIGHT }}
            data={points}
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
            title="Storage per day"
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="day" tickFormatter={formatShortDay} minTickGap={24} tick={{ fontSize: 12 }} />
            <YAxis tickFormatter={(value: number) => formatBytes(value)} tick={{ fontSize: 12 }} width={72} />
            <Tooltip labelFormatter={tooltipDay} formatter={(value) => formatBytes(Number(value))} />
            <Area
              type="stepAfter"
              dataKey="storageBytes"
              name="Storage"
              stroke={STORAGE_COLOR}
              fill={STORAGE_COLOR}
              fillOpacity={0.15}
              connectNulls
              isAnimationActive={false}
            />
          </AreaChart>
        ) : (
          <EmptyState title="No storage snapshots in this period" description="Stored bytes are sampled once a day; the current total is in the Storage card above." />
        )}
      </figure>

      <details className="text-sm">
        <summary className="cursor-pointer font-medium text-brand">Show the days with activity as a table ({activeDays.length})</summary>
        <div className="mt-3">
          <Table caption={`Daily usage, ${range}`}>
            <thead>
              <tr>
                <Th>Day</Th>
                <Th className="text-right">API calls</Th>
                <Th className="text-right">File uploads</Th>
                <Th className="text-right">Estimate searches</Th>
                <Th className="text-right">Storage</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {activeDays.map((point) => (
                <tr key={point.day}>
                  <Td>{formatLongDay(point.day)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(point.apiCalls)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(point.fileUploads)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(point.estimateSearches)}</Td>
                  <Td className="text-right tabular-nums">{point.storageBytes === null ? '—' : formatBytes(point.storageBytes)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      </details>
    </div>
  );
}
