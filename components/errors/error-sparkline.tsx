'use client';

import { Line, LineChart, YAxis } from 'recharts';

const WIDTH = 120;
const HEIGHT = 32;

/** A group's events over the period in equal buckets, oldest first: the shape, not the numbers. */
export function ErrorSparkline({ series, label }: { series: number[]; label: string }) {
  const points = series.map((count, i) => ({ i, count }));
  return (
    <div role="img" aria-label={label} className="inline-block">
      <LineChart width={WIDTH} height={HEIGHT} data={points} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
        <YAxis hide domain={[0, 'dataMax']} />
        <Line type="monotone" dataKey="count" stroke="#dc2626" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </div>
  );
}
