import 'server-only';
import type { TTx } from '@/db/client';
import { AppError } from '@/lib/app-error';
import { logger } from '@/lib/telemetry';
import { withTenant } from '@/lib/tenancy';
import { meterUsageEvent } from '@/lib/usage';
import { vectorStore, type TVectorMatch } from '@/lib/vectors';
import { embedder } from './embedder-registry';
import { normaliseWords } from './embedding';
import { findEstimates, getEstimate, type TEstimate } from './estimates';
import type { TSimilarSearch } from './input';
import { lineCostCents, type TCostEstimate } from './model';

export interface TSimilarResult {
  estimate: TEstimate;
  /** Cosine similarity of the two embeddings, 4 decimals. */
  score: number;
}

export interface TDominantMaterial {
  name: string;
  unit: string;
  /** Mean unit price of that material across the similar estimates that have it. */
  averageUnitCostCents: number;
  /** Mean of (estimate total ÷ quantity of that material): what the whole job costs per unit of it. */
  totalCostPerUnitCents: number;
  /** How many of the similar estimates have the material in that unit. */
  estimates: number;
}

export interface TSimilarSummary {
  count: number;
  /** The currency the cost figures are in (the query's when results have it, else the most common); null with no results. */
  currency: string | null;
  averageCostCents: number | null;
  costRange: { minCents: number; maxCents: number } | null;
  dominantMaterial: TDominantMaterial | null;
  /** 0–1: how much to trust averageCostCents (see confidenceOf). */
  confidence: number;
}

export interface TSimilarResponse {
  results: TSimilarResult[];
  summary: TSimilarSummary;
}

/** Extra matches asked of the store: estimates deleted since they were indexed are dropped on hydration. */
const OVERFETCH = 10;
/** With this many similar estimates or more, the sample is considered large enough. */
const FULL_SAMPLE = 5;

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function materialKey(name: string): string {
  return normaliseWords(name).join(' ');
}

/** The query's material with the largest cost (the first line when none has a cost). */
function dominantOf(estimate: TCostEstimate): { key: string; name: string; unit: string } | null {
  let best: { key: string; name: string; unit: string; cents: number } | null = null;
  for (const material of estimate.materials) {
    const cents = lineCostCents(material.quantity, material.unitCostCents);
    if (!best || cents > best.cents) best = { key: materialKey(material.name), name: material.name, unit: material.unit, cents };
  }
  return best && { key: best.key, name: best.name, unit: best.unit };
}

function dominantMaterialOf(query: TCostEstimate, estimates: TEstimate[]): TDominantMaterial | null {
  const dominant = dominantOf(query);
  if (!dominant) return null;
  const unitCosts: number[] = [];
  const perUnit: number[] = [];
  for (const estimate of estimates) {
    const lines = estimate.materials.filter((m) => m.unit === dominant.unit && materialKey(m.name) === dominant.key);
    const quantity = lines.reduce((sum, m) => sum + m.quantity, 0);
    if (lines.length === 0 || quantity <= 0) continue;
    unitCosts.push(lines.reduce((sum, m) => sum + m.unitCostCents * m.quantity, 0) / quantity);
    perUnit.push(estimate.totalCostCents / quantity);
  }
  if (unitCosts.length === 0) return null;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    name: dominant.name,
    unit: dominant.unit,
    averageUnitCostCents: Math.round(mean(unitCosts)),
    totalCostPerUnitCents: Math.round(mean(perUnit)),
    estimates: unitCosts.length,
  };
}

/**
 * confidence = mean similarity × consistency × sample size, each in [0, 1]:
 * - mean similarity: the mean score (negative scores count as 0): neighbours that are barely alike say little;
 * - consistency: 1 / (1 + coefficient of variation of their totals): neighbours that agree on the cost make the
 *   average trustworthy; a spread as large as the mean halves it;
 * - sample size: min(1, n / 5): one or two neighbours are weak evidence however close.
 */
export function confidenceOf(scores: number[], totalsCents: number[]): number {
  const n = totalsCents.length;
  if (n === 0) return 0;
  const meanScore = scores.reduce((sum, s) => sum + Math.max(s, 0), 0) / scores.length;
  const mean = totalsCents.reduce((sum, t) => sum + t, 0) / n;
  const variance = totalsCents.reduce((sum, t) => sum + (t - mean) ** 2, 0) / n;
  const cv = mean > 0 ? Math.sqrt(variance) / mean : 0;
  return round(Math.min(1, meanScore) * (1 / (1 + cv)) * Math.min(1, n / FULL_SAMPLE), 3);
}

export function summarize(query: TCostEstimate, results: TSimilarResult[]): TSimilarSummary {
  if (results.length === 0) {
    return { count: 0, currency: null, averageCostCents: null, costRange: null, dominantMaterial: null, confidence: 0 };
  }
  // Amounts in different currencies are never averaged together.
  const byCurrency = new Map<string, TSimilarResult[]>();
  for (const result of results) byCurrency.set(result.estimate.currency, [...(byCurrency.get(result.estimate.currency) ?? []), result]);
  const currency = byCurrency.has(query.currency) ? query.currency : [...byCurrency.entries()].sort((a, b) => b[1].length - a[1].length)[0][0];
  const sample = byCurrency.get(currency)!;
  const totals = sample.map((r) => r.estimate.totalCostCents);
  return {
    count: results.length,
    currency,
    averageCostCents: Math.round(totals.reduce((sum, t) => sum + t, 0) / totals.length),
    costRange: { minCents: Math.min(...totals), maxCents: Math.max(...totals) },
    dominantMaterial: dominantMaterialOf(
      query,
      sample.map((r) => r.estimate),
    ),
    confidence: confidenceOf(
      sample.map((r) => r.score),
      totals,
    ),
  };
}

const unavailable = () => new AppError('unavailable', 'Similarity search is unavailable right now; try again in a moment');

/**
 * No transaction is held across a network call: the query is embedded first (the embedder may be a remote
 * endpoint), then a store that reads PostgreSQL (the default) searches and the matches are read back in one short
 * tenant transaction, while Qdrant is asked outside any and the matches are read back in a short one after.
 * Either way the results are read through row-level security: never an estimate deleted since it was indexed,
 * never another tenant's.
 */
async function searchLike(
  tenantId: string,
  query: TCostEstimate,
  options: { limit: number; scoreThreshold?: number; excludeIds?: string[] },
): Promise<TSimilarResponse> {
  const currentEmbedder = embedder();
  const store = vectorStore();
  const failed = (error: unknown, stage: 'embedding' | 'vector search') => {
    logger.error({ err: error, backend: store.backend }, `${stage} failed`);
    return unavailable();
  };
  let vector: number[];
  try {
    vector = await currentEmbedder.embed(query);
  } catch (error) {
    throw failed(error, 'embedding');
  }
  const search = async (tx?: TTx) => {
    try {
      return await store.search({
        tenantId,
        vector,
        version: currentEmbedder.version,
        limit: options.limit + OVERFETCH,
        scoreThreshold: options.scoreThreshold,
        excludeIds: options.excludeIds,
        tx,
      });
    } catch (error) {
      throw failed(error, 'vector search');
    }
  };
  const readBack = async (tx: TTx, matches: TVectorMatch[]) => ({ matches, found: await findEstimates(tx, matches.map((m) => m.id)) });
  const remoteMatches = store.isRemote ? await search() : undefined;
  const { matches, found } = await withTenant(tenantId, async (tx) => readBack(tx, remoteMatches ?? (await search(tx))));
  const results = matches
    .filter((match) => found.has(match.id))
    .slice(0, options.limit)
    .map((match) => ({ estimate: found.get(match.id)!, score: round(match.score, 4) }));
  meterUsageEvent({ tenantId, type: 'cost_estimate', quantity: 1, metadata: { operation: 'search', backend: store.backend } });
  return { results, summary: summarize(query, results) };
}

/**
 * Estimates of the tenant like the one described (POST /api/v1/estimates/search-similar, the search form). Opens
 * its own short transactions: callers hold none (the embedder and the store may be network calls).
 */
export function searchSimilar(tenantId: string, search: TSimilarSearch): Promise<TSimilarResponse> {
  const query: TCostEstimate = {
    project: '',
    name: '',
    location: search.location ?? { country: '', region: '', city: '' },
    materials: search.materials.map(({ lineCostCents: _checked, ...material }) => material),
    laborRateCents: search.laborRateCents,
    laborHours: search.laborHours,
    equipmentRateCents: search.equipmentRateCents,
    equipmentHours: search.equipmentHours,
    currency: search.currency ?? '',
  };
  return searchLike(tenantId, query, { limit: search.limit, scoreThreshold: search.scoreThreshold });
}

/**
 * Estimates of the tenant like this one, itself excluded (the detail page's panel, GET …/{id}/similar). Like
 * searchSimilar, it opens its own short transactions.
 */
export async function similarTo(
  tenantId: string,
  estimateId: string,
  options: { limit: number; scoreThreshold?: number },
): Promise<TSimilarResponse> {
  const estimate = await withTenant(tenantId, (tx) => getEstimate(tx, estimateId));
  return searchLike(tenantId, estimate, { ...options, excludeIds: [estimateId] });
}
