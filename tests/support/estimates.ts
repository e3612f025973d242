import { generateEstimates, type TCostEstimate } from '@/lib/estimates';

/** A valid POST /api/v1/estimates body: a small timber-frame house (total 7,907,000 cents). */
export function houseEstimate(overrides: Partial<TCostEstimate> = {}): TCostEstimate {
  return {
    project: 'Birch Lane',
    name: 'Timber house, 140 m²',
    location: { country: 'DE', region: 'Bavaria', city: 'Munich' },
    materials: [
      { name: 'Timber studs C24', category: 'timber', quantity: 18.5, unit: 'm³', unitCostCents: 52_000 },
      { name: 'OSB sheathing', category: 'boards', quantity: 420, unit: 'm²', unitCostCents: 1_150 },
      { name: 'Mineral wool insulation', category: 'insulation', quantity: 380, unit: 'm²', unitCostCents: 900 },
    ],
    laborRateCents: 4_800,
    laborHours: 1_200,
    equipmentRateCents: 9_000,
    equipmentHours: 40,
    currency: 'EUR',
    ...overrides,
  };
}

/** A road job: nothing in common with the house but the country. */
export function roadEstimate(overrides: Partial<TCostEstimate> = {}): TCostEstimate {
  return {
    project: 'B17 resurfacing',
    name: 'Resurfacing, 6,000 m²',
    location: { country: 'DE', region: 'Bavaria', city: 'Augsburg' },
    materials: [
      { name: 'Asphalt wearing course AC 11', category: 'asphalt', quantity: 690, unit: 't', unitCostCents: 9_500 },
      { name: 'Bitumen emulsion tack coat', category: 'bitumen', quantity: 1_800, unit: 'l', unitCostCents: 120 },
      { name: 'Road markings thermoplastic', category: 'markings', quantity: 2_400, unit: 'm', unitCostCents: 350 },
    ],
    laborRateCents: 5_200,
    laborHours: 420,
    equipmentRateCents: 18_000,
    equipmentHours: 160,
    currency: 'EUR',
    ...overrides,
  };
}

/** `count` synthetic estimates (lib/estimates/synthetic.ts), as request bodies. */
export function syntheticBodies(count: number, seed = 7): TCostEstimate[] {
  return generateEstimates({ count, seed }).map(({ estimate }) => estimate);
}
