import { cosineSimilarity, embedEstimate } from './embedding';
import { totalCostCents } from './model';
import type { TGeneratedEstimate } from './synthetic';

export interface TEmbeddingEvaluation {
  estimateCount: number;
  k: number;
  /** Mean over estimates of the share of its k nearest neighbours (itself excluded) with its archetype. */
  precisionAtK: number;
  /** Median over estimates of |mean of the k neighbours' totals − total| / total. */
  medianAbsolutePercentageError: number;
}

/**
 * Leave-one-out evaluation with exact cosine search: every estimate is the query once, against all the others.
 * Quadratic in the number of estimates; meant for a few thousand.
 */
export function evaluateEmbedding(generated: TGeneratedEstimate[], { k = 5, dimension }: { k?: number; dimension?: number } = {}): TEmbeddingEvaluation {
  if (generated.length <= k) throw new Error(`need more than ${k} estimates, got ${generated.length}`);
  const vectors = generated.map(({ estimate }) => embedEstimate(estimate, dimension));
  const totalsCents = generated.map(({ estimate }) => totalCostCents(estimate));
  let precisionSum = 0;
  const percentageErrors: number[] = [];
  for (let query = 0; query < generated.length; query++) {
    const neighbours = vectors
      .map((vector, index) => ({ index, score: index === query ? -Infinity : cosineSimilarity(vectors[query], vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
    precisionSum += neighbours.filter(({ index }) => generated[index].archetype === generated[query].archetype).length / k;
    const predictedCents = neighbours.reduce((sum, { index }) => sum + totalsCents[index], 0) / k;
    if (totalsCents[query] > 0) percentageErrors.push(Math.abs(predictedCents - totalsCents[query]) / totalsCents[query]);
  }
  percentageErrors.sort((a, b) => a - b);
  const middle = Math.floor(percentageErrors.length / 2);
  const median = percentageErrors.length % 2 ? percentageErrors[middle] : (percentageErrors[middle - 1] + percentageErrors[middle]) / 2;
  return { estimateCount: generated.length, k, precisionAtK: precisionSum / generated.length, medianAbsolutePercentageError: median };
}
