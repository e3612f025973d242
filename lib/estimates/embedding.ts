import { equipmentCostCents, laborCostCents, lineCostCents, totalCostCents, type TCostEstimate } from './model';

/*
 * What makes two estimates close under this embedding (version 1):
 * - they spend their money on the same materials: every material contributes its normalised name, the words of
 *   that name and its category, weighted by the square root of the material's share of the material cost, so a
 *   line that is 60 % of the spend dominates while minor lines, often the telling ones, still count;
 * - they are in the same country and region (a small weight: location breaks ties, it does not make a house
 *   look like a bridge);
 * - their total size, labor and equipment hours and rates and labor/equipment shares are alike on a log scale
 *   (a 2 M€ and a 2.2 M€ job are close; 20 k€ and 2 M€ are not). Each magnitude is a point on a circle, so
 *   the dot product measures how far apart the values are, not how big they are.
 * Features are hashed into `dimension` buckets with FNV-1a and a hash-derived sign (signed feature hashing, so
 * collisions cancel on average instead of piling up), and the vector is L2-normalised: cosine similarity is then
 * a dot product.
 *
 * Limits: there is no meaning beyond shared tokens. "rebar" and "reinforcing steel" are unrelated, as are
 * "plasterboard" and "drywall", and a misspelling is a different word; singularisation is a crude suffix rule.
 * Quantities matter only through cost shares and the total, not through units. Amounts are compared in cents
 * of whatever currency the estimate has (no conversion): a PLN estimate looks ~4× bigger than the same job in
 * EUR, and only the location features pull it towards estimates of its own country. Changing anything here changes
 * the vectors: bump EMBEDDING_VERSION so stored vectors are rebuilt.
 */

export const EMBEDDING_VERSION = 1;
export const DEFAULT_EMBEDDING_DIMENSION = 256;

/** Something that turns an estimate into a vector; the default is local, an external endpoint can replace it. */
export interface TEmbedder {
  /** Stored with each vector; vectors of different versions must not be compared. */
  version: string;
  dimension: number;
  embed(estimate: TCostEstimate): Promise<number[]>;
}

// Block weights were tuned on generateEstimates (800 estimates, seeds 1, 2, 42): precision@5 stays 1.0 up to a
// numeric weight of ~1.2 and the cost predicted from neighbours improves as size weighs more; above ~1.6 size
// starts pulling in other kinds of project of the same size.
const MATERIAL_BLOCK_WEIGHT = 1;
const LOCATION_BLOCK_WEIGHT = 0.25;
const NUMERIC_BLOCK_WEIGHT = 1.2;
const TOTAL_RADIANS_PER_DECADE = 3;
const HOURS_RADIANS_PER_DECADE = 0.6;
const RATE_RADIANS_PER_DECADE = 1;

// Within a material: the full name says the most, the category the least (many archetypes share categories).
const NAME_WEIGHT = 1;
const WORD_WEIGHT = 0.6;
const CATEGORY_WEIGHT = 0.4;

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function singularise(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Lower-case words, punctuation stripped, each made singular-ish: "Steel Beams (S355)" → ["steel", "beam", "s355"]. */
export function normaliseWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((word) => word.length > 0)
    .map(singularise);
}

function addHashed(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a32(feature);
  const index = hash % vector.length;
  // The top bit is independent enough of `hash % dimension` for power-of-two and other small dimensions.
  const sign = hash & 0x80000000 ? -1 : 1;
  vector[index] += sign * weight;
}

function normaliseBlock(block: Float64Array): Float64Array {
  let norm = 0;
  for (const value of block) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < block.length; i++) block[i] /= norm;
  return block;
}

// A magnitude as a point on a circle: two buckets hold cos and sin of its log10 times `radiansPerDecade`, so the
// dot product of two encodings is cos(radiansPerDecade × decades apart) — 1 for equal values, falling smoothly as
// they drift apart (unlike a single scaled value, whose product rewards large values rather than equal ones).
function addMagnitude(block: Float64Array, feature: string, value: number, radiansPerDecade: number, weight: number): void {
  const angle = Math.log10(Math.max(value, 0) + 1) * radiansPerDecade;
  addHashed(block, `${feature}:cos`, Math.cos(angle) * weight);
  addHashed(block, `${feature}:sin`, Math.sin(angle) * weight);
}

function materialBlock(estimate: TCostEstimate, dimension: number): Float64Array {
  const block = new Float64Array(dimension);
  const lineCosts = estimate.materials.map((material) => Math.max(lineCostCents(material.quantity, material.unitCostCents), 0));
  const materialsCents = lineCosts.reduce((sum, cents) => sum + cents, 0);
  estimate.materials.forEach((material, i) => {
    // Without costs every line counts the same rather than the block being empty.
    const share = materialsCents > 0 ? lineCosts[i] / materialsCents : 1 / estimate.materials.length;
    // sqrt keeps minor materials visible: they are often what tells two kinds of project apart.
    const weight = Math.sqrt(share);
    const words = normaliseWords(material.name);
    if (words.length > 0) addHashed(block, `m:${words.join(' ')}`, weight * NAME_WEIGHT);
    for (const word of words) addHashed(block, `w:${word}`, (weight * WORD_WEIGHT) / Math.sqrt(words.length));
    const category = normaliseWords(material.category).join(' ');
    if (category) addHashed(block, `c:${category}`, weight * CATEGORY_WEIGHT);
  });
  return normaliseBlock(block);
}

function locationBlock(estimate: TCostEstimate, dimension: number): Float64Array {
  const block = new Float64Array(dimension);
  const country = normaliseWords(estimate.location.country).join(' ');
  const region = normaliseWords(estimate.location.region).join(' ');
  if (country) addHashed(block, `country:${country}`, 1);
  if (region) addHashed(block, `region:${country}/${region}`, 0.7);
  return normaliseBlock(block);
}

function numericBlock(estimate: TCostEstimate, dimension: number): Float64Array {
  const block = new Float64Array(dimension);
  const totalCents = totalCostCents(estimate);
  const laborShare = totalCents > 0 ? laborCostCents(estimate) / totalCents : 0;
  const equipmentShare = totalCents > 0 ? equipmentCostCents(estimate) / totalCents : 0;
  // Size matters most (it drives the cost predicted from neighbours), then hours, then rates, which vary little.
  // Two turns rates for the total: the fast one separates 1 M from 1.5 M, the slow one keeps 1 M and 1 G apart
  // (the fast one alone would bring values π/2 decades apart round to the same point).
  addMagnitude(block, 'n:total', totalCents, TOTAL_RADIANS_PER_DECADE, 1);
  addMagnitude(block, 'n:total_coarse', totalCents, TOTAL_RADIANS_PER_DECADE / 4, 0.6);
  addMagnitude(block, 'n:labor_hours', estimate.laborHours, HOURS_RADIANS_PER_DECADE, 0.5);
  addMagnitude(block, 'n:equipment_hours', estimate.equipmentHours, HOURS_RADIANS_PER_DECADE, 0.5);
  addMagnitude(block, 'n:labor_rate', estimate.laborRateCents, RATE_RADIANS_PER_DECADE, 0.3);
  addMagnitude(block, 'n:equipment_rate', estimate.equipmentRateCents, RATE_RADIANS_PER_DECADE, 0.3);
  // Shares are in [0, 1]; a quarter turn across the range.
  addMagnitude(block, 'n:labor_share', laborShare * 9, 1, 0.4);
  addMagnitude(block, 'n:equipment_share', equipmentShare * 9, 1, 0.4);
  return normaliseBlock(block);
}

/**
 * The version-1 embedding of an estimate: a unit-length vector of `dimension` numbers (a zero vector only for an
 * estimate with no materials, no location and zero numbers everywhere, which cannot happen in practice).
 */
export function embedEstimate(estimate: TCostEstimate, dimension: number = DEFAULT_EMBEDDING_DIMENSION): number[] {
  if (!Number.isInteger(dimension) || dimension < 16) throw new Error(`embedding dimension must be an integer ≥ 16, got ${dimension}`);
  const blocks: Array<[Float64Array, number]> = [
    [materialBlock(estimate, dimension), MATERIAL_BLOCK_WEIGHT],
    [locationBlock(estimate, dimension), LOCATION_BLOCK_WEIGHT],
    [numericBlock(estimate, dimension), NUMERIC_BLOCK_WEIGHT],
  ];
  const vector = new Float64Array(dimension);
  for (const [block, weight] of blocks) for (let i = 0; i < dimension; i++) vector[i] += block[i] * weight;
  return Array.from(normaliseBlock(vector));
}

/** Cosine of the angle between two vectors of the same length; 0 when either is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cannot compare vectors of length ${a.length} and ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** The default embedder: local, deterministic, no model download. */
export function createLocalEmbedder(dimension: number = DEFAULT_EMBEDDING_DIMENSION): TEmbedder {
  return {
    version: `local-v${EMBEDDING_VERSION}-d${dimension}`,
    dimension,
    embed: async (estimate) => embedEstimate(estimate, dimension),
  };
}
