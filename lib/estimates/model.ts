/** One material line of a cost estimate. `quantity` may be decimal (e.g. 12.5 m³); `unitCostCents` is an integer. */
export interface TEstimateMaterial {
  name: string;
  category: string;
  quantity: number;
  unit: string;
  unitCostCents: number;
}

export interface TEstimateLocation {
  country: string;
  region: string;
  city: string;
}

/** A cost estimate as issue 6 describes it, without storage concerns (tenant, ids, timestamps). */
export interface TCostEstimate {
  project: string;
  name: string;
  location: TEstimateLocation;
  materials: TEstimateMaterial[];
  laborRateCents: number;
  laborHours: number;
  equipmentRateCents: number;
  equipmentHours: number;
  /** ISO 4217 code, e.g. 'EUR'. */
  currency: string;
}

// Quantities and hours are read to 6 decimals so the product is computed exactly in integers (floats would
// turn 2.675 × 100 into 267.49999…).
const MICRO = 1_000_000n;

function toMicros(value: number): bigint {
  return BigInt(Math.round(value * 1_000_000));
}

/** quantity × rateCents, rounded half up (away from zero) to whole cents. */
export function lineCostCents(quantity: number, rateCents: number): number {
  const product = toMicros(quantity) * BigInt(Math.round(rateCents));
  const isNegative = product < 0n;
  const magnitude = isNegative ? -product : product;
  const rounded = (magnitude + MICRO / 2n) / MICRO;
  return Number(isNegative ? -rounded : rounded);
}

export function materialsCostCents(estimate: Pick<TCostEstimate, 'materials'>): number {
  return estimate.materials.reduce((sum, material) => sum + lineCostCents(material.quantity, material.unitCostCents), 0);
}

export function laborCostCents(estimate: Pick<TCostEstimate, 'laborRateCents' | 'laborHours'>): number {
  return lineCostCents(estimate.laborHours, estimate.laborRateCents);
}

export function equipmentCostCents(estimate: Pick<TCostEstimate, 'equipmentRateCents' | 'equipmentHours'>): number {
  return lineCostCents(estimate.equipmentHours, estimate.equipmentRateCents);
}

/**
 * Total in integer cents: each material line (quantity × unit cost) rounded half up on its own, then summed,
 * plus labor (hours × rate) and equipment (hours × rate), each also rounded half up. Per-line rounding is what a
 * printed estimate shows, so the total always equals the sum of the printed lines.
 */
export function totalCostCents(estimate: TCostEstimate): number {
  return materialsCostCents(estimate) + laborCostCents(estimate) + equipmentCostCents(estimate);
}
