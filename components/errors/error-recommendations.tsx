import { EmptyState } from '@/components/ui/empty-state';
import type { TRecommendation } from '@/lib/errors';

function ScoreBar({ label, value, colorClass }: { label: string; value: number; colorClass: string }) {
  return (
    <div className="flex items-center gap-2 text-xs">
      <span className="w-20 text-slate-500">{label}</span>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        className="h-2 w-32 overflow-hidden rounded-full bg-slate-100"
      >
        <div className={`h-full ${colorClass}`} style={{ width: `${value}%` }} />
      </div>
      <span className="w-8 text-right font-medium text-slate-700 tabular-nums">{value}</span>
    </div>
  );
}

/** The analysis' rule-based recommendations, most useful first, each with its scores and the facts behind it. */
export function ErrorRecommendations({ recommendations }: { recommendations: TRecommendation[] }) {
  if (recommendations.length === 0) {
    return <EmptyState title="No recommendations" description="No rule found a spike, a concentration, a rising trend or a regression in this period." />;
  }
  return (
    <ol className="divide-y divide-slate-100">
      {recommendations.map((recommendation) => (
        <li key={recommendation.rule} className="py-4 first:pt-0 last:pb-0">
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div className="min-w-0 flex-1">
              <h3 className="text-sm font-semibold text-slate-900">{recommendation.title}</h3>
              <p className="mt-1 text-sm text-slate-600">{recommendation.detail}</p>
            </div>
            <div className="space-y-1">
              <ScoreBar label="Impact" value={recommendation.impact} colorClass="bg-red-500" />
              <ScoreBar label="Confidence" value={recommendation.confidence} colorClass="bg-blue-500" />
            </div>
          </div>
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer text-xs font-medium text-brand">Evidence ({recommendation.rule})</summary>
            <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-slate-50 p-3 text-xs text-slate-700 ring-1 ring-slate-200 ring-inset">
              {JSON.stringify(recommendation.evidence, null, 2)}
            </pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
