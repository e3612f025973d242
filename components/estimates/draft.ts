import type { TCostEstimate, TEstimateMaterial } from '@/lib/estimates';
import { centsToMoneyInput, parseAmount, parseMoneyToCents } from './money';

/** A material row as typed: numbers stay text until submit so "12." or "" can be on the way to a value. */
export interface TMaterialDraft {
  /** Stable React key (rows are added and removed). */
  key: string;
  name: string;
  category: string;
  quantity: string;
  unit: string;
  unitCost: string;
}

export interface TRatesDraft {
  laborRate: string;
  laborHours: string;
  equipmentRate: string;
  equipmentHours: string;
}

export interface TEstimateDraft extends TRatesDraft {
  project: string;
  name: string;
  country: string;
  region: string;
  city: string;
  currency: string;
  materials: TMaterialDraft[];
}

/** Field messages keyed by the input's path, as the server names them: "materials.2.quantity", "location.country". */
export type TFieldErrors = Record<string, string>;

// Rows added in the browser count from here; rows of a draft made on the server are keyed by index ("row-2").
let addedRows = 0;

/** A blank row; `key` defaults to a browser-side key unique within the page. */
export const emptyMaterial = (key = `added-${(addedRows += 1)}`): TMaterialDraft => ({ key, name: '', category: '', quantity: '', unit: 'each', unitCost: '' });

export const emptyRates = (): TRatesDraft => ({ laborRate: '', laborHours: '', equipmentRate: '', equipmentHours: '' });

export function emptyEstimateDraft(): TEstimateDraft {
  return { project: '', name: '', country: '', region: '', city: '', currency: 'EUR', materials: [emptyMaterial('row-0')], ...emptyRates() };
}

const amountText = (value: number) => String(value);

export function estimateToDraft(estimate: TCostEstimate): TEstimateDraft {
  return {
    project: estimate.project,
    name: estimate.name,
    country: estimate.location.country,
    region: estimate.location.region,
    city: estimate.location.city,
    currency: estimate.currency,
    materials: estimate.materials.map((m, index) => ({
      key: `row-${index}`,
      name: m.name,
      category: m.category,
      quantity: amountText(m.quantity),
      unit: m.unit,
      unitCost: centsToMoneyInput(m.unitCostCents),
    })),
    laborRate: centsToMoneyInput(estimate.laborRateCents),
    laborHours: amountText(estimate.laborHours),
    equipmentRate: centsToMoneyInput(estimate.equipmentRateCents),
    equipmentHours: amountText(estimate.equipmentHours),
  };
}

const MONEY_MESSAGE = 'must be an amount such as 12.34 (at most two decimals)';
const AMOUNT_MESSAGE = 'must be a number such as 12.5';

/**
 * Reads the typed numbers: money as exact integer cents, quantities and hours as numbers. Text that is not a
 * number is an error at the path the server would use; an empty optional number (rates, hours) is 0. The live
 * total reads unparsable values as 0.
 */
export function readMaterials(rows: TMaterialDraft[], errors: TFieldErrors): TEstimateMaterial[] {
  return rows.map((row, index) => {
    const quantity = parseAmount(row.quantity);
    const unitCostCents = parseMoneyToCents(row.unitCost);
    if (quantity === null) errors[`materials.${index}.quantity`] = AMOUNT_MESSAGE;
    if (unitCostCents === null) errors[`materials.${index}.unitCostCents`] = MONEY_MESSAGE;
    return { name: row.name, category: row.category, quantity: quantity ?? 0, unit: row.unit, unitCostCents: unitCostCents ?? 0 };
  });
}

export function readRates(draft: TRatesDraft, errors: TFieldErrors) {
  const money = (text: string, path: string) => {
    if (text.trim() === '') return 0;
    const cents = parseMoneyToCents(text);
    if (cents === null) errors[path] = MONEY_MESSAGE;
    return cents ?? 0;
  };
  const amount = (text: string, path: string) => {
    if (text.trim() === '') return 0;
    const value = parseAmount(text);
    if (value === null) errors[path] = AMOUNT_MESSAGE;
    return value ?? 0;
  };
  return {
    laborRateCents: money(draft.laborRate, 'laborRateCents'),
    laborHours: amount(draft.laborHours, 'laborHours'),
    equipmentRateCents: money(draft.equipmentRate, 'equipmentRateCents'),
    equipmentHours: amount(draft.equipmentHours, 'equipmentHours'),
  };
}

/** The draft as the estimate input the server validates, and the errors found reading its numbers. */
export function readEstimateDraft(draft: TEstimateDraft): { estimate: TCostEstimate; errors: TFieldErrors } {
  const errors: TFieldErrors = {};
  const estimate: TCostEstimate = {
    project: draft.project,
    name: draft.name,
    location: { country: draft.country, region: draft.region, city: draft.city },
    materials: readMaterials(draft.materials, errors),
    ...readRates(draft, errors),
    currency: draft.currency,
  };
  return { estimate, errors };
}

/** Server field messages by path; `prefix` is stripped (an action's input may nest the estimate). */
export function fieldErrorsByPath(fields: { field: string; message: string }[] | undefined, prefix = ''): TFieldErrors {
  const out: TFieldErrors = {};
  for (const { field, message } of fields ?? []) {
    const path = prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field;
    out[path] ??= message;
  }
  return out;
}
