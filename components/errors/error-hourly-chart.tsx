'use client';

import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '@/components/ui/format';
import { formatHour } from './error-format';

const ERRORS_COLOR = '#dc2626';
const RATE_COLOR = '#1f6feb';
const CHART_HEIGHT = 240;
/** Beyond a week of hours, bars get thinner than a pixel: draw the counts as an area. */
const MAX_BARS = 168;

export interface TErrorHourPoint {
  hourStart: string;
  errors: number;
  /** Server errors of API-key calls over those calls in the hour, in percent; null without calls. */
  apiErrorRatePercent?: number | null;
}

const tooltipHour = (label: unknown) => (typeof label === 'string' ? `${formatHour(label)} UTC` : String(label));

/** Errors per UTC hour, and the API error rate on its own axis when there were API calls. */
export function ErrorHourlyChart({ points, title }: { points: TErrorHourPoint[]; title: string }) {
  const hasRate = points.some((point) => point.apiErrorRatePercent !== undefined && point.apiErrorRatePercent !== null);
  const isBars = points.length <= MAX_BARS;
  return (
    <ComposedChart
      responsive
      style={{ width: '100%', height: CHART_HEIGHT }}
      data={points}
      margin={{ top: 8, right: hasRate ? 8 : 16, bottom: 0, left: 0 }}
      title={title}
    >
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
      <XAxis dataKey="hourStart" tickFormatter={formatHour} minTickGap={48} tick={{ fontSize: 12 }} />
      <YAxis yAxisId="errors" allowDecimals={false} tickFormatter={(value: number) => formatNumber(value)} tick={{ fontSize: 12 }} width={48} />
      {hasRate && (
        <YAxis yAxisId="rate" orientation="right" domain={[0, 'auto']} tickFormatter={(value: number) => `${value} %`} tick={{ fontSize: 12 }} width={56} />
      )}
      <Tooltip
        labelFormatter={tooltipHour}
        formatter={(value, name) => (name === 'API error rate' ? `${Number(value).toFixed(2)} %` : formatNumber(Number(value)))}
      />
      {hasRate && <Legend />}
      {isBars ? (
        <Bar yAxisId="errors" dataKey="errors" name="Errors" fill={ERRORS_COLOR} isAnimationActive={false} />
      ) : (
        <Area yAxisId="errors" type="stepAfter" dataKey="errors" name="Errors" stroke={ERRORS_COLOR} fill={ERRORS_COLOR} fillOpacity={0.2} isAnimationActive={false} />
      )}
      {hasRate && (
        <Line yAxisId="rate" type="monotone" dataKey="apiErrorRatePercent" name="API error rate" stroke={RATE_COLOR} dot={false} connectNulls isAnimationActive={false} />
      )}
    </ComposedChart>
  );
}
