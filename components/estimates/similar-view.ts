import type { TSimilarResponse, TSimilarSummary } from '@/lib/estimates';

/** One similar estimate as the panel shows it (no materials or authors sent to the browser). */
export interface TSimilarItem {
  id: string;
  name: string;
  project: string;
  city: string;
  country: string;
  totalCostCents: number;
  currency: string;
  /** Cosine similarity, 1 = alike. */
  score: number;
}

export interface TSimilarView {
  results: TSimilarItem[];
  summary: TSimilarSummary;
}

export function toSimilarView(response: TSimilarResponse): TSimilarView {
  return {
    results: response.results.map(({ estimate, score }) => ({
      id: estimate.id,
      name: estimate.name,
      project: estimate.project,
      city: estimate.location.city,
      country: estimate.location.country,
      totalCostCents: estimate.totalCostCents,
      currency: estimate.currency,
      score,
    })),
    summary: response.summary,
  };
}
