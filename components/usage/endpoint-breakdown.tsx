'use client';

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { formatNumber } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import type { TUsageBreakdown } from '@/lib/usage';
import { formatLongDay, periodLabel } from './usage-format';

const TOP_ENDPOINTS = 10;
const BAR_HEIGHT = 28;

/** API calls per endpoint: the most called as a bar chart, all of them as a table. */
export function EndpointBreakdown({ breakdown }: { breakdown: TUsageBreakdown }) {
  const range = `${formatLongDay(breakdown.from)} – ${formatLongDay(breakdown.to)}`;
  if (breakdown.endpoints.length === 0) {
    return (
      <div className="p-4 sm:p-5">
        <EmptyState
          title={`No API calls in the ${periodLabel(breakdown.period).toLowerCase()}`}
          description={`No requests to /api/v1 were made from ${range}. Calls made with an API key or from this portal appear here within a few seconds.`}
        />
      </div>
    );
  }
  const top = breakdown.endpoints.slice(0, TOP_ENDPOINTS);
  const total = breakdown.endpoints.reduce((sum, row) => sum + row.count, 0);
  return (
    <>
      <figure className="p-4 sm:p-5">
        <figcaption className="mb-2 text-sm font-medium text-slate-700">
          {top.length < breakdown.endpoints.length ? `Top ${top.length} endpoints by API calls` : 'API calls per endpoint'}
        </figcaption>
        <BarChart
          responsive
          layout="vertical"
          style={{ width: '100%', height: top.length * BAR_HEIGHT + 48 }}
          data={top}
          margin={{ top: 4, right: 16, bottom: 4, left: 8 }}
          title="API calls per endpoint"
        >
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tickFormatter={(value: number) => formatNumber(value)} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="endpoint" width={260} tick={{ fontSize: 11 }} interval={0} />
          <Tooltip formatter={(value) => formatNumber(Number(value))} />
          <Bar dataKey="count" name="API calls" fill="#1f6feb" isAnimationActive={false} />
        </BarChart>
      </figure>
      <Table caption={`API calls by endpoint, ${range}`}>
        <thead>
          <tr>
            <Th>Method</Th>
            <Th>Path</Th>
            <Th className="text-right">Calls</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {breakdown.endpoints.map((row) => (
            <tr key={row.endpoint}>
              <Td>
                <Badge tone={row.method === 'GET' ? 'blue' : row.method === 'DELETE' ? 'red' : 'green'}>{row.method}</Badge>
              </Td>
              <Td className="font-mono text-xs break-all">{row.path}</Td>
              <Td className="text-right tabular-nums">{formatNumber(row.count)}</Td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="border-t border-slate-200">
            <Th scope="row" colSpan={2} className="bg-white">
              Total
            </Th>
            <Td className="text-right font-semibold tabular-nums">{formatNumber(total)}</Td>
          </tr>
        </tfoot>
      </Table>
    </>
  );
}
