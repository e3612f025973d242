import type { TCostEstimate, TEstimateMaterial } from './model';

/*
 * Synthetic but plausible cost estimates for evaluating the embedding. Each archetype has a material mix with
 * typical unit costs (EUR cents, western-European baseline) and quantities per unit of project size; a sample
 * draws a size, drops some optional lines, jitters every quantity and price, and applies a regional price factor
 * to materials, labor and equipment. Archetypes deliberately share materials (concrete, rebar, asphalt, cable…)
 * so neighbours are not trivially separable.
 */

export const ARCHETYPES = [
  'timber-frame-housing',
  'concrete-office',
  'steel-warehouse',
  'road-resurfacing',
  'bridge-deck-repair',
  'hospital-fit-out',
  'school-extension',
  'solar-farm',
] as const;

export type TArchetype = (typeof ARCHETYPES)[number];

export interface TGeneratedEstimate {
  archetype: TArchetype;
  estimate: TCostEstimate;
}

interface TMaterialTemplate {
  name: string;
  /** Other ways estimators write the same line; a sample uses the name or one of these. */
  variants?: string[];
  category: string;
  unit: string;
  unitCostCents: number;
  /** Quantity per unit of project size. */
  quantityPerSize: number;
  /** Probability the line is present (1 = always). */
  presence?: number;
}

interface TArchetypeTemplate {
  project: string;
  /** Project size range (the unit is the archetype's own: m² floor, m² road, kWp…) and its name. */
  sizeMin: number;
  sizeMax: number;
  sizeUnit: string;
  laborHoursPerSize: number;
  laborRateCents: number;
  equipmentHoursPerSize: number;
  equipmentRateCents: number;
  materials: TMaterialTemplate[];
}

const TEMPLATES: Record<TArchetype, TArchetypeTemplate> = {
  'timber-frame-housing': {
    project: 'Timber-frame houses',
    sizeMin: 120, sizeMax: 2_400, sizeUnit: 'm²',
    laborHoursPerSize: 9, laborRateCents: 4_800,
    equipmentHoursPerSize: 0.4, equipmentRateCents: 9_000,
    materials: [
      { name: 'C24 structural timber studs', variants: ['C24 timber studs', 'Structural softwood studs 45x145'], category: 'timber', unit: 'm³', unitCostCents: 52_000, quantityPerSize: 0.12 },
      { name: 'OSB sheathing boards', variants: ['OSB/3 boards 18 mm', 'Oriented strand board sheathing'], category: 'timber', unit: 'm²', unitCostCents: 1_400, quantityPerSize: 2.4 },
      { name: 'Mineral wool insulation', variants: ['Glass mineral wool batts', 'Mineral wool insulation 200 mm'], category: 'insulation', unit: 'm²', unitCostCents: 1_100, quantityPerSize: 3.1 },
      { name: 'Plasterboard sheets', variants: ['Gypsum plasterboard 12.5 mm', 'Plasterboard, standard'], category: 'finishes', unit: 'm²', unitCostCents: 650, quantityPerSize: 3.5 },
      { name: 'Roof tiles', category: 'roofing', unit: 'm²', unitCostCents: 3_200, quantityPerSize: 0.7 },
      { name: 'Breather membrane', category: 'membranes', unit: 'm²', unitCostCents: 180, quantityPerSize: 2.2, presence: 0.8 },
      { name: 'Concrete strip foundation', category: 'concrete', unit: 'm³', unitCostCents: 14_000, quantityPerSize: 0.08 },
      { name: 'Timber windows', category: 'openings', unit: 'each', unitCostCents: 65_000, quantityPerSize: 0.09, presence: 0.9 },
      { name: 'Nails and screws', category: 'fixings', unit: 'kg', unitCostCents: 450, quantityPerSize: 0.9, presence: 0.7 },
    ],
  },
  'concrete-office': {
    project: 'Concrete-frame office building',
    sizeMin: 1_500, sizeMax: 25_000, sizeUnit: 'm²',
    laborHoursPerSize: 7, laborRateCents: 5_600,
    equipmentHoursPerSize: 0.9, equipmentRateCents: 18_000,
    materials: [
      { name: 'Ready-mix concrete C30/37', variants: ['Concrete C30/37', 'Structural concrete C32/40'], category: 'concrete', unit: 'm³', unitCostCents: 13_500, quantityPerSize: 0.55 },
      { name: 'Reinforcing steel bars', variants: ['Rebar B500B', 'Reinforcement bars B500'], category: 'steel', unit: 't', unitCostCents: 95_000, quantityPerSize: 0.06 },
      { name: 'Formwork panels', category: 'formwork', unit: 'm²', unitCostCents: 2_800, quantityPerSize: 1.6 },
      { name: 'Curtain wall glazing', variants: ['Unitised curtain walling', 'Curtain wall, double glazed'], category: 'facade', unit: 'm²', unitCostCents: 62_000, quantityPerSize: 0.35 },
      { name: 'Raised access floor', category: 'finishes', unit: 'm²', unitCostCents: 5_500, quantityPerSize: 0.8, presence: 0.8 },
      { name: 'Suspended ceiling tiles', category: 'finishes', unit: 'm²', unitCostCents: 3_000, quantityPerSize: 0.85 },
      { name: 'HVAC ductwork', category: 'mechanical', unit: 'm', unitCostCents: 9_500, quantityPerSize: 0.5 },
      { name: 'Passenger lifts', category: 'mechanical', unit: 'each', unitCostCents: 8_500_000, quantityPerSize: 0.0004, presence: 0.9 },
      { name: 'Precast concrete stairs', category: 'concrete', unit: 'each', unitCostCents: 420_000, quantityPerSize: 0.002, presence: 0.6 },
    ],
  },
  'steel-warehouse': {
    project: 'Steel portal-frame warehouse',
    sizeMin: 2_000, sizeMax: 40_000, sizeUnit: 'm²',
    laborHoursPerSize: 2.2, laborRateCents: 5_000,
    equipmentHoursPerSize: 0.35, equipmentRateCents: 16_000,
    materials: [
      { name: 'Structural steel sections S355', variants: ['Steel beams and columns S355', 'Hot-rolled steel sections'], category: 'steel', unit: 't', unitCostCents: 210_000, quantityPerSize: 0.035 },
      { name: 'Insulated sandwich panels', variants: ['Composite roof and wall panels', 'Sandwich panels 100 mm PIR'], category: 'cladding', unit: 'm²', unitCostCents: 4_800, quantityPerSize: 1.3 },
      { name: 'Steel roof purlins', category: 'steel', unit: 'm', unitCostCents: 2_100, quantityPerSize: 0.9 },
      { name: 'Power-floated concrete slab', variants: ['Ground-bearing concrete slab', 'Concrete floor slab C32/40'], category: 'concrete', unit: 'm³', unitCostCents: 12_500, quantityPerSize: 0.2 },
      { name: 'Steel mesh reinforcement', category: 'steel', unit: 'm²', unitCostCents: 650, quantityPerSize: 1.05 },
      { name: 'Sectional loading doors', category: 'openings', unit: 'each', unitCostCents: 780_000, quantityPerSize: 0.0012 },
      { name: 'Rooflights', category: 'roofing', unit: 'm²', unitCostCents: 9_000, quantityPerSize: 0.08, presence: 0.7 },
      { name: 'Anchor bolts', category: 'fixings', unit: 'each', unitCostCents: 1_800, quantityPerSize: 0.06, presence: 0.8 },
    ],
  },
  'road-resurfacing': {
    project: 'Road resurfacing',
    sizeMin: 3_000, sizeMax: 120_000, sizeUnit: 'm²',
    laborHoursPerSize: 0.12, laborRateCents: 4_500,
    equipmentHoursPerSize: 0.06, equipmentRateCents: 24_000,
    materials: [
      { name: 'Asphalt wearing course AC 11', variants: ['Asphalt surface course', 'AC 11 surf wearing course'], category: 'asphalt', unit: 't', unitCostCents: 9_500, quantityPerSize: 0.1 },
      { name: 'Asphalt binder course AC 22', category: 'asphalt', unit: 't', unitCostCents: 8_200, quantityPerSize: 0.12, presence: 0.7 },
      { name: 'Bitumen tack coat emulsion', category: 'bitumen', unit: 'l', unitCostCents: 120, quantityPerSize: 0.3 },
      { name: 'Road milling', variants: ['Cold planing of asphalt', 'Milling existing surface 50 mm'], category: 'earthworks', unit: 'm²', unitCostCents: 350, quantityPerSize: 1 },
      { name: 'Thermoplastic road markings', category: 'markings', unit: 'm', unitCostCents: 280, quantityPerSize: 0.25 },
      { name: 'Kerb stones', category: 'precast', unit: 'm', unitCostCents: 3_500, quantityPerSize: 0.05, presence: 0.5 },
      { name: 'Crushed stone aggregate', category: 'aggregates', unit: 't', unitCostCents: 2_200, quantityPerSize: 0.05, presence: 0.6 },
    ],
  },
  'bridge-deck-repair': {
    project: 'Bridge deck repair',
    sizeMin: 200, sizeMax: 6_000, sizeUnit: 'm²',
    laborHoursPerSize: 3.5, laborRateCents: 6_000,
    equipmentHoursPerSize: 0.8, equipmentRateCents: 21_000,
    materials: [
      { name: 'Hydrodemolition of concrete', category: 'demolition', unit: 'm²', unitCostCents: 9_000, quantityPerSize: 1 },
      { name: 'Repair mortar', variants: ['Polymer-modified repair mortar', 'Concrete repair mortar R4'], category: 'concrete repair', unit: 'kg', unitCostCents: 180, quantityPerSize: 40 },
      { name: 'Epoxy-coated rebar', category: 'steel', unit: 't', unitCostCents: 140_000, quantityPerSize: 0.008 },
      { name: 'Waterproofing membrane', variants: ['Sprayed waterproofing membrane', 'Deck waterproofing'], category: 'membranes', unit: 'm²', unitCostCents: 4_200, quantityPerSize: 1.05 },
      { name: 'Bridge expansion joints', category: 'bridge components', unit: 'm', unitCostCents: 180_000, quantityPerSize: 0.015 },
      { name: 'Asphalt surfacing', category: 'asphalt', unit: 't', unitCostCents: 11_000, quantityPerSize: 0.12 },
      { name: 'Cathodic protection anodes', category: 'corrosion protection', unit: 'each', unitCostCents: 9_500, quantityPerSize: 0.2, presence: 0.5 },
      { name: 'Temporary traffic management', category: 'temporary works', unit: 'day', unitCostCents: 120_000, quantityPerSize: 0.01, presence: 0.8 },
    ],
  },
  'hospital-fit-out': {
    project: 'Hospital ward fit-out',
    sizeMin: 400, sizeMax: 8_000, sizeUnit: 'm²',
    laborHoursPerSize: 11, laborRateCents: 6_200,
    equipmentHoursPerSize: 0.1, equipmentRateCents: 8_000,
    materials: [
      { name: 'Medical gas pipework', variants: ['Medical gas copper pipes', 'MGPS pipework'], category: 'mechanical', unit: 'm', unitCostCents: 8_500, quantityPerSize: 0.6 },
      { name: 'Antibacterial vinyl flooring', variants: ['Safety vinyl flooring', 'Homogeneous vinyl sheet flooring'], category: 'finishes', unit: 'm²', unitCostCents: 6_500, quantityPerSize: 1.05 },
      { name: 'Hygienic wall cladding', category: 'finishes', unit: 'm²', unitCostCents: 5_200, quantityPerSize: 1.4 },
      { name: 'Plasterboard partitions', category: 'finishes', unit: 'm²', unitCostCents: 4_500, quantityPerSize: 1.8 },
      { name: 'Nurse call system', category: 'electrical', unit: 'each', unitCostCents: 95_000, quantityPerSize: 0.05 },
      { name: 'Ceiling patient hoists', category: 'medical equipment', unit: 'each', unitCostCents: 750_000, quantityPerSize: 0.012, presence: 0.7 },
      { name: 'Fire doors', category: 'openings', unit: 'each', unitCostCents: 120_000, quantityPerSize: 0.04 },
      { name: 'LED cleanroom luminaires', category: 'electrical', unit: 'each', unitCostCents: 38_000, quantityPerSize: 0.12 },
      { name: 'HVAC ductwork', category: 'mechanical', unit: 'm', unitCostCents: 11_000, quantityPerSize: 0.5, presence: 0.8 },
    ],
  },
  'school-extension': {
    project: 'School extension',
    sizeMin: 300, sizeMax: 4_000, sizeUnit: 'm²',
    laborHoursPerSize: 8, laborRateCents: 5_200,
    equipmentHoursPerSize: 0.5, equipmentRateCents: 12_000,
    materials: [
      { name: 'Facing bricks', variants: ['Clay facing bricks', 'Brickwork, facing'], category: 'masonry', unit: 'each', unitCostCents: 90, quantityPerSize: 120 },
      { name: 'Concrete blocks', category: 'masonry', unit: 'each', unitCostCents: 250, quantityPerSize: 20 },
      { name: 'Ready-mix concrete C25/30', category: 'concrete', unit: 'm³', unitCostCents: 12_800, quantityPerSize: 0.3 },
      { name: 'Glulam roof beams', category: 'timber', unit: 'm³', unitCostCents: 110_000, quantityPerSize: 0.03, presence: 0.6 },
      { name: 'Aluminium windows', category: 'openings', unit: 'm²', unitCostCents: 45_000, quantityPerSize: 0.2 },
      { name: 'Acoustic ceiling panels', variants: ['Acoustic suspended ceiling', 'Mineral fibre ceiling tiles'], category: 'finishes', unit: 'm²', unitCostCents: 3_800, quantityPerSize: 0.95 },
      { name: 'Linoleum flooring', category: 'finishes', unit: 'm²', unitCostCents: 3_900, quantityPerSize: 1 },
      { name: 'Flat roof membrane', category: 'roofing', unit: 'm²', unitCostCents: 4_500, quantityPerSize: 0.6 },
      { name: 'Interactive whiteboards', category: 'furniture and equipment', unit: 'each', unitCostCents: 250_000, quantityPerSize: 0.012, presence: 0.7 },
    ],
  },
  'solar-farm': {
    project: 'Ground-mounted solar farm',
    sizeMin: 500, sizeMax: 50_000, sizeUnit: 'kWp',
    laborHoursPerSize: 0.9, laborRateCents: 4_600,
    equipmentHoursPerSize: 0.08, equipmentRateCents: 14_000,
    materials: [
      { name: 'Photovoltaic modules 450 W', variants: ['PV modules 550 Wp', 'Monocrystalline solar panels'], category: 'solar', unit: 'each', unitCostCents: 9_500, quantityPerSize: 2.25 },
      { name: 'String inverters', category: 'electrical', unit: 'each', unitCostCents: 350_000, quantityPerSize: 0.01 },
      { name: 'Galvanised steel mounting structures', category: 'steel', unit: 't', unitCostCents: 180_000, quantityPerSize: 0.02 },
      { name: 'Driven steel piles', category: 'foundations', unit: 'each', unitCostCents: 6_500, quantityPerSize: 0.5 },
      { name: 'DC solar cable', variants: ['Solar DC cabling 6 mm²', 'PV string cable'], category: 'electrical', unit: 'm', unitCostCents: 120, quantityPerSize: 12 },
      { name: 'Medium-voltage transformer station', category: 'electrical', unit: 'each', unitCostCents: 12_000_000, quantityPerSize: 0.0003 },
      { name: 'Perimeter security fencing', category: 'site works', unit: 'm', unitCostCents: 4_500, quantityPerSize: 0.35, presence: 0.9 },
      { name: 'Crushed stone aggregate', category: 'aggregates', unit: 't', unitCostCents: 2_200, quantityPerSize: 0.15, presence: 0.6 },
    ],
  },
};

interface TRegion {
  country: string;
  region: string;
  cities: string[];
  currency: string;
  /** Price level against the baseline, applied to materials, labor and equipment (in the local currency's cents). */
  priceFactor: number;
  /** Labor is more local than materials. */
  laborFactor: number;
}

const REGIONS: TRegion[] = [
  { country: 'DE', region: 'Bavaria', cities: ['Munich', 'Nuremberg', 'Augsburg'], currency: 'EUR', priceFactor: 1.05, laborFactor: 1.1 },
  { country: 'DE', region: 'Saxony', cities: ['Leipzig', 'Dresden'], currency: 'EUR', priceFactor: 0.97, laborFactor: 0.9 },
  { country: 'FR', region: 'Île-de-France', cities: ['Paris', 'Versailles'], currency: 'EUR', priceFactor: 1.1, laborFactor: 1.15 },
  { country: 'FR', region: 'Occitanie', cities: ['Toulouse', 'Montpellier'], currency: 'EUR', priceFactor: 0.95, laborFactor: 0.9 },
  { country: 'NL', region: 'North Holland', cities: ['Amsterdam', 'Haarlem'], currency: 'EUR', priceFactor: 1.08, laborFactor: 1.1 },
  { country: 'ES', region: 'Andalusia', cities: ['Seville', 'Málaga'], currency: 'EUR', priceFactor: 0.85, laborFactor: 0.7 },
  { country: 'PL', region: 'Masovia', cities: ['Warsaw', 'Radom'], currency: 'PLN', priceFactor: 3.4, laborFactor: 2.2 },
  { country: 'GB', region: 'Greater Manchester', cities: ['Manchester', 'Salford'], currency: 'GBP', priceFactor: 0.9, laborFactor: 0.95 },
];

/** mulberry32: a small, fast, seedable 32-bit PRNG; good enough for test data, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** A factor around 1, uniform on a log scale within ±spread (0.2 → 0.83…1.2). */
function jitter(random: () => number, spread: number): number {
  return Math.exp((random() * 2 - 1) * Math.log(1 + spread));
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * How hard the data is on the embedding. 'standard': each archetype's own lines with jittered quantities and
 * prices. 'hard', closer to real spreadsheets: more lines dropped, wider jitter, names written in other ways
 * (lower case, a trailing specification) and one to three stray lines of other archetypes (a skip, some
 * fencing, a few kerbs…) carrying up to a fifth of the material cost.
 */
export type TSyntheticDifficulty = 'standard' | 'hard';

const HARD_SUFFIXES = [', supply and fix', ' incl. fixings', ' (as specified)', ' - phase 2', ', to drawings'];
const STRAY_SHARE_MAX = 0.2;

function writtenName(random: () => number, names: string[], difficulty: TSyntheticDifficulty): string {
  const name = pick(random, names);
  if (difficulty === 'standard') return name;
  const cased = random() < 0.3 ? name.toLowerCase() : name;
  return random() < 0.4 ? `${cased}${pick(random, HARD_SUFFIXES)}` : cased;
}

function generateOne(random: () => number, archetype: TArchetype, index: number, difficulty: TSyntheticDifficulty): TCostEstimate {
  const template = TEMPLATES[archetype];
  const isHard = difficulty === 'hard';
  const region = pick(random, REGIONS);
  // Log-uniform size: small and large projects are equally likely per decade.
  const size = Math.exp(Math.log(template.sizeMin) + random() * (Math.log(template.sizeMax) - Math.log(template.sizeMin)));
  const materials: TEstimateMaterial[] = [];
  const line = (material: TMaterialTemplate, quantity: number): TEstimateMaterial => ({
    name: writtenName(random, [material.name, ...(material.variants ?? [])], difficulty),
    category: material.category,
    // Countable units are whole; measured ones keep two decimals.
    quantity: material.unit === 'each' || material.unit === 'day' ? Math.max(1, Math.round(quantity)) : Math.max(0.01, roundTo(quantity, 2)),
    unit: material.unit,
    unitCostCents: Math.round(material.unitCostCents * region.priceFactor * jitter(random, isHard ? 0.3 : 0.15)),
  });
  template.materials.forEach((material, position) => {
    // The two leading lines (the structure of the job) are always there; in hard mode others drop out more.
    const presence = (material.presence ?? 1) * (isHard && position >= 2 ? 0.75 : 1);
    if (random() >= presence) return;
    materials.push(line(material, material.quantityPerSize * size * jitter(random, isHard ? 0.6 : 0.35)));
  });
  if (isHard) {
    const ownCents = materials.reduce((sum, m) => sum + m.quantity * m.unitCostCents, 0);
    const strays = 1 + Math.floor(random() * 3);
    for (let i = 0; i < strays; i++) {
      const other = TEMPLATES[pick(random, ARCHETYPES.filter((a) => a !== archetype))];
      const material = pick(random, other.materials);
      const targetCents = ownCents * (STRAY_SHARE_MAX / strays) * random();
      materials.push(line(material, targetCents / Math.max(material.unitCostCents * region.priceFactor, 1)));
    }
  }
  return {
    project: `${template.project} ${index + 1}`,
    name: `${template.project}, ${Math.round(size).toLocaleString('en-US')} ${template.sizeUnit}`,
    location: { country: region.country, region: region.region, city: pick(random, region.cities) },
    materials,
    laborRateCents: Math.round(template.laborRateCents * region.laborFactor * jitter(random, 0.15)),
    laborHours: roundTo(template.laborHoursPerSize * size * jitter(random, isHard ? 0.5 : 0.3), 1),
    equipmentRateCents: Math.round(template.equipmentRateCents * region.priceFactor * jitter(random, 0.2)),
    equipmentHours: roundTo(template.equipmentHoursPerSize * size * jitter(random, isHard ? 0.6 : 0.4), 1),
    currency: region.currency,
  };
}

/**
 * `count` estimates spread evenly over the archetypes (round robin), reproducible for a given seed. The archetype
 * label travels next to the estimate, never inside it.
 */
export function generateEstimates({
  count,
  seed,
  difficulty = 'standard',
}: {
  count: number;
  seed: number;
  difficulty?: TSyntheticDifficulty;
}): TGeneratedEstimate[] {
  const random = mulberry32(seed);
  const generated: TGeneratedEstimate[] = [];
  for (let i = 0; i < count; i++) {
    const archetype = ARCHETYPES[i % ARCHETYPES.length];
    generated.push({ archetype, estimate: generateOne(random, archetype, Math.floor(i / ARCHETYPES.length), difficulty) });
  }
  return generated;
}
