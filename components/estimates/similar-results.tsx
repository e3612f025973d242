import Link from 'next/link';
import { formatCents } from '@/components/ui/format';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, Td, Th } from '@/components/ui/table';
import type { TSimilarView } from './similar-view';

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
// Close neighbours differ in the decimals (99.6 % vs 98.1 %); whole percent would show both as alike.
const scorePercent = (score: number) => `${(score * 100).toFixed(1)}%`;

export const placeOf = (city: string, country: string) => [city, country].filter(Boolean).join(', ') || '—';

/** Similar estimates best first, and what they say about the cost. Renders on the server and in the browser. */
export function SimilarResults({ view, caption }: { view: TSimilarView; caption: string }) {
  const { results, summary } = view;
  if (results.length === 0) {
    return <EmptyState title="No similar estimates found" description="No estimate of this organisation is alike enough. New estimates appear here a few seconds after they are saved." />;
  }
  const currency = summary.currency ?? results[0].currency;
  const dominant = summary.dominantMaterial;
  return (
    <div className="space-y-4">
      <dl className="grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <div>
          <dt className="text-slate-500">Average cost</dt>
          <dd className="font-semibold text-slate-900 tabular-nums">{summary.averageCostCents === null ? '—' : formatCents(summary.averageCostCents, currency)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Cost range</dt>
          <dd className="text-slate-900 tabular-nums">
            {summary.costRange ? `${formatCents(summary.costRange.minCents, currency)} – ${formatCents(summary.costRange.maxCents, currency)}` : '—'}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{dominant ? (dominant.unit === 'each' ? `Cost per ${dominant.name} (each)` : `Cost per ${dominant.unit} of ${dominant.name}`) : 'Cost per unit of the main material'}</dt>
          <dd className="text-slate-900 tabular-nums">
            {dominant ? (
              <>
                {formatCents(dominant.totalCostPerUnitCents, currency)} total
                <span className="block text-xs text-slate-500">
                  {formatCents(dominant.averageUnitCostCents, currency)} material alone, from {dominant.estimates} estimate{dominant.estimates === 1 ? '' : 's'}
                </span>
              </>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Confidence</dt>
          <dd className="flex items-center gap-2 text-slate-900 tabular-nums">
            <meter aria-label="Confidence" min={0} max={1} value={summary.confidence} className="h-2 w-24" />
            {percent(summary.confidence)}
          </dd>
        </div>
      </dl>
      <Table caption={caption}>
        <thead>
          <tr>
            <Th>Estimate</Th>
            <Th>Location</Th>
            <Th className="text-right">Similarity</Th>
            <Th className="text-right">Total</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {results.map((result) => (
            <tr key={result.id}>
              <Td>
                <Link href={`/estimates/${result.id}`} className="font-medium text-brand hover:underline">
                  {result.name}
                </Link>
                <span className="block text-xs text-slate-500">{result.project}</span>
              </Td>
              <Td className="whitespace-nowrap">{placeOf(result.city, result.country)}</Td>
              <Td className="text-right tabular-nums">{scorePercent(result.score)}</Td>
              <Td className="text-right whitespace-nowrap tabular-nums">{formatCents(result.totalCostCents, result.currency)}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
