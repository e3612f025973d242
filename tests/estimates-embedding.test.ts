import { describe, expect, it } from 'vitest';
import {
  ARCHETYPES,
  EMBEDDING_VERSION,
  cosineSimilarity,
  createLocalEmbedder,
  embedEstimate,
  evaluateEmbedding,
  generateEstimates,
  normaliseWords,
  totalCostCents,
  type TCostEstimate,
} from '@/lib/estimates';

function estimateWith(overrides: Partial<TCostEstimate> = {}): TCostEstimate {
  return {
    project: 'Riverside',
    name: 'Block A',
    location: { country: 'DE', region: 'Bavaria', city: 'Munich' },
    materials: [
      { name: 'Ready-mix concrete C30/37', category: 'concrete', quantity: 120, unit: 'm³', unitCostCents: 13_500 },
      { name: 'Reinforcing steel bars', category: 'steel', quantity: 9.5, unit: 't', unitCostCents: 95_000 },
    ],
    laborRateCents: 5_600,
    laborHours: 2_000,
    equipmentRateCents: 18_000,
    equipmentHours: 150,
    currency: 'EUR',
    ...overrides,
  };
}

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe('totalCostCents', () => {
  it('adds material lines, labor and equipment in whole cents', () => {
    // 120 × 13,500 + 9.5 × 95,000 + 2,000 × 5,600 + 150 × 18,000
    expect(totalCostCents(estimateWith())).toBe(1_620_000 + 902_500 + 11_200_000 + 2_700_000);
  });

  it('rounds each decimal line half up on its own, without float drift', () => {
    const estimate = estimateWith({
      materials: [
        // 2.675 × 100 is 267.49999… in floating point; the line is 267.5 → 268 cents.
        { name: 'Sand', category: 'aggregates', quantity: 2.675, unit: 't', unitCostCents: 100 },
        // 0.5 × 1 = 0.5 → 1 cent; twice, so per-line rounding gives 2 where rounding the sum would give 1.
        { name: 'Washer', category: 'fixings', quantity: 0.5, unit: 'each', unitCostCents: 1 },
        { name: 'Washer', category: 'fixings', quantity: 0.5, unit: 'each', unitCostCents: 1 },
        // 0.1 + 0.2 style: 0.3 × 3 = 0.9 → 1 cent.
        { name: 'Primer', category: 'finishes', quantity: 0.3, unit: 'l', unitCostCents: 3 },
      ],
      laborRateCents: 4_999,
      laborHours: 1.25,
      equipmentRateCents: 0,
      equipmentHours: 0,
    });
    // 268 + 1 + 1 + 1 + round(6,248.75) = 6,249
    expect(totalCostCents(estimate)).toBe(268 + 1 + 1 + 1 + 6_249);
  });
});

describe('embedEstimate', () => {
  it('is deterministic, 256-dimensional by default and of unit length', () => {
    const first = embedEstimate(estimateWith());
    const second = embedEstimate(structuredClone(estimateWith()));
    expect(first).toHaveLength(256);
    expect(second).toEqual(first);
    expect(norm(first)).toBeCloseTo(1, 10);
    expect(embedEstimate(estimateWith(), 64)).toHaveLength(64);
  });

  it('is offered through the pluggable embedder interface with its version', async () => {
    const embedder = createLocalEmbedder();
    expect(embedder.version).toBe(`local-v${EMBEDDING_VERSION}-d256`);
    expect(embedder.dimension).toBe(256);
    expect(await embedder.embed(estimateWith())).toEqual(embedEstimate(estimateWith()));
  });

  it('ignores case, punctuation and plurals in material names but not the names themselves', () => {
    expect(normaliseWords('Reinforcing Steel-Bars (B500)')).toEqual(['reinforcing', 'steel', 'bar', 'b500']);
    const spelledDifferently = estimateWith({
      materials: [
        { name: 'ready mix concrete c30 37', category: 'Concrete', quantity: 120, unit: 'm³', unitCostCents: 13_500 },
        { name: 'REINFORCING STEEL BAR', category: 'steel.', quantity: 9.5, unit: 't', unitCostCents: 95_000 },
      ],
    });
    expect(embedEstimate(spelledDifferently)).toEqual(embedEstimate(estimateWith()));
    const otherMaterials = estimateWith({
      materials: [
        { name: 'Photovoltaic modules', category: 'solar', quantity: 120, unit: 'each', unitCostCents: 13_500 },
        { name: 'String inverters', category: 'electrical', quantity: 9.5, unit: 'each', unitCostCents: 95_000 },
      ],
    });
    expect(cosineSimilarity(embedEstimate(otherMaterials), embedEstimate(estimateWith()))).toBeLessThan(0.8);
  });

  it('places an estimate closer to one of similar size than to one a hundred times bigger', () => {
    const base = embedEstimate(estimateWith());
    const slightlyBigger = embedEstimate(estimateWith({ laborHours: 2_200, equipmentHours: 170 }));
    const muchBigger = embedEstimate(
      estimateWith({
        materials: estimateWith().materials.map((material) => ({ ...material, quantity: material.quantity * 100 })),
        laborHours: 200_000,
        equipmentHours: 15_000,
      }),
    );
    expect(cosineSimilarity(base, slightlyBigger)).toBeGreaterThan(cosineSimilarity(base, muchBigger));
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, 0 for orthogonal vectors and refuses different lengths', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 5])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow();
  });
});

describe('generateEstimates', () => {
  it('is reproducible for a seed, covers the eight archetypes evenly and produces positive totals', () => {
    const generated = generateEstimates({ count: 80, seed: 7 });
    expect(generateEstimates({ count: 80, seed: 7 })).toEqual(generated);
    expect(generateEstimates({ count: 80, seed: 8 })).not.toEqual(generated);
    for (const archetype of ARCHETYPES) expect(generated.filter((item) => item.archetype === archetype)).toHaveLength(10);
    for (const { estimate } of generated) {
      expect(estimate.materials.length).toBeGreaterThan(3);
      expect(totalCostCents(estimate)).toBeGreaterThan(0);
      expect(JSON.stringify(estimate)).not.toMatch(/archetype/);
    }
  });
});

describe('similarity of generated estimates', () => {
  const generated = generateEstimates({ count: 800, seed: 1 });

  it('finds estimates of the same archetype more similar on average than those of other archetypes', () => {
    const sample = generated.slice(0, 160);
    const vectors = sample.map(({ estimate }) => embedEstimate(estimate));
    let same = 0;
    let sameCount = 0;
    let cross = 0;
    let crossCount = 0;
    for (let i = 0; i < sample.length; i++) {
      for (let j = i + 1; j < sample.length; j++) {
        const score = cosineSimilarity(vectors[i], vectors[j]);
        if (sample[i].archetype === sample[j].archetype) {
          same += score;
          sameCount++;
        } else {
          cross += score;
          crossCount++;
        }
      }
    }
    expect(same / sameCount).toBeGreaterThan(cross / crossCount + 0.3);
  });

  it('has precision@5 of at least 0.95 with exact cosine search over 800 estimates (100 per archetype)', () => {
    const evaluation = evaluateEmbedding(generated, { k: 5 });
    console.info(
      `estimates embedding v${EMBEDDING_VERSION}: precision@5 ${evaluation.precisionAtK.toFixed(4)}, ` +
        `MdAPE of the total predicted from 5 neighbours ${(evaluation.medianAbsolutePercentageError * 100).toFixed(1)} % ` +
        `(${evaluation.estimateCount} estimates)`,
    );
    expect(evaluation.precisionAtK).toBeGreaterThanOrEqual(0.95);
    expect(evaluation.medianAbsolutePercentageError).toBeGreaterThan(0);
  });
});
