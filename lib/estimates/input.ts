import { z } from 'zod';
import { lineCostCents, totalCostCents } from './model';

/**
 * Units an estimate line may be measured in, with the spellings accepted for each (input is matched
 * case-insensitively and stored in the canonical form on the left). A closed list: a typo such as "m4" is refused
 * rather than stored as a unit no one can compare.
 */
export const ESTIMATE_UNITS: Record<string, readonly string[]> = {
  each: ['ea', 'pc', 'pcs', 'piece', 'pieces', 'no', 'nr', 'unit', 'units'],
  m: ['lm', 'meter', 'metre', 'meters', 'metres'],
  'm²': ['m2', 'sqm', 'sq m', 'square meter', 'square metre'],
  'm³': ['m3', 'cbm', 'cu m', 'cubic meter', 'cubic metre'],
  kg: ['kilogram', 'kilograms'],
  t: ['tonne', 'tonnes', 'ton', 'tons'],
  l: ['litre', 'liter', 'litres', 'liters'],
  h: ['hr', 'hrs', 'hour', 'hours'],
  day: ['days', 'd'],
  week: ['weeks', 'wk'],
  set: ['sets'],
  lot: ['ls', 'lump sum'],
  kWp: ['kwp'],
  kW: ['kw'],
};

const UNIT_BY_SPELLING = new Map<string, string>(
  Object.entries(ESTIMATE_UNITS).flatMap(([canonical, spellings]) => [canonical, ...spellings].map((spelling) => [spelling.toLowerCase(), canonical])),
);

/** The canonical unit for a spelling, or undefined when it is not a unit we know. */
export function canonicalUnit(spelling: string): string | undefined {
  return UNIT_BY_SPELLING.get(spelling.trim().toLowerCase().replace(/\s+/g, ' '));
}

export const MAX_MATERIALS_PER_ESTIMATE = 500;
// Large enough for any real job (10 billion of a currency), small enough that every sum stays an exact integer.
const MAX_CENTS = 1_000_000_000_000;
const MAX_QUANTITY = 1_000_000_000;

const ZText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const ZCents = z
  .number({ error: 'must be a number of cents' })
  .int('must be a whole number of cents')
  .min(0, 'must not be negative')
  .max(MAX_CENTS, `must be at most ${MAX_CENTS} cents`);

// Quantities and hours keep 6 decimals: the database stores numeric(…, 6) and recomputes the totals from them.
const ZAmount = z
  .number({ error: 'must be a number' })
  .min(0, 'must not be negative')
  .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`)
  .transform((value) => Math.round(value * 1_000_000) / 1_000_000);

const ZCurrency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

const ZUnit = z
  .string({ error: 'must be a unit such as m², m³, kg, t or each' })
  .transform((value, ctx) => {
    const unit = canonicalUnit(value);
    if (!unit) {
      ctx.addIssue({ code: 'custom', message: `unknown unit "${value}" (known: ${Object.keys(ESTIMATE_UNITS).join(', ')})` });
      return z.NEVER;
    }
    return unit;
  });

export const ZEstimateMaterial = z
  .object({
    name: ZText(200),
    category: ZText(100),
    quantity: ZAmount,
    unit: ZUnit,
    unitCostCents: ZCents,
    /** Optional: the caller's quantity × unit cost, checked against ours. */
    lineCostCents: z.number().int().optional(),
  })
  .strict();

export const ZEstimateLocation = z
  .object({
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 two-letter country code such as DE'),
    region: z.string().trim().max(100).default(''),
    city: z.string().trim().max(100).default(''),
  })
  .strict();

/** The body of POST/PUT /api/v1/estimates, one imported row, and the portal's form. */
export const ZEstimateInput = z
  .object({
    project: ZText(200),
    name: ZText(200),
    location: ZEstimateLocation,
    materials: z.array(ZEstimateMaterial).max(MAX_MATERIALS_PER_ESTIMATE, `at most ${MAX_MATERIALS_PER_ESTIMATE} material rows`),
    laborRateCents: ZCents.default(0),
    laborHours: ZAmount.default(0),
    equipmentRateCents: ZCents.default(0),
    equipmentHours: ZAmount.default(0),
    currency: ZCurrency,
    sourceFileId: z.uuid('must be a file id').nullable().optional(),
    /** Optional: the caller's total, checked against ours. */
    totalCostCents: z.number().int().optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    // Totals a caller sends must add up; a mismatch names the row, so a spreadsheet error can be found.
    input.materials.forEach((material, index) => {
      if (material.lineCostCents === undefined) return;
      const expected = lineCostCents(material.quantity, material.unitCostCents);
      if (material.lineCostCents !== expected) {
        ctx.addIssue({
          code: 'custom',
          path: ['materials', index, 'lineCostCents'],
          message: `row ${index + 1} (${material.name}): ${material.quantity} ${material.unit} × ${material.unitCostCents} cents = ${expected} cents, not ${material.lineCostCents}`,
        });
      }
    });
    if (input.totalCostCents !== undefined) {
      const expected = totalCostCents(input);
      if (input.totalCostCents !== expected) {
        ctx.addIssue({
          code: 'custom',
          path: ['totalCostCents'],
          message: `the lines add up to ${expected} cents, not ${input.totalCostCents}`,
        });
      }
    }
    if (totalCostCents(input) > MAX_CENTS) {
      ctx.addIssue({ code: 'custom', path: ['totalCostCents'], message: `the total is above ${MAX_CENTS} cents` });
    }
  });

export type TEstimateInput = z.infer<typeof ZEstimateInput>;

export const ESTIMATE_SORTS = ['newest', 'oldest', 'total_desc', 'total_asc', 'name'] as const;
export type TEstimateSort = (typeof ESTIMATE_SORTS)[number];

export const ZListEstimatesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(300).optional(),
    sort: z.enum(ESTIMATE_SORTS).default('newest'),
    q: z.string().trim().min(1).max(200).optional(),
    project: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export type TListEstimatesQuery = z.infer<typeof ZListEstimatesQuery>;

export const MAX_SIMILAR_LIMIT = 50;
const ZLimit = z.coerce.number().int().min(1).max(MAX_SIMILAR_LIMIT, `must be at most ${MAX_SIMILAR_LIMIT}`).default(10);
const ZScoreThreshold = z.coerce.number().min(-1).max(1, 'must be a cosine similarity between -1 and 1');

// The issue's and seeds' spelling (score_threshold) is accepted next to the API's camelCase.
const renameSnakeThreshold = (value: unknown) => {
  if (!value || typeof value !== 'object' || !('score_threshold' in value)) return value;
  const { score_threshold: threshold, ...rest } = value as Record<string, unknown>;
  return { scoreThreshold: threshold, ...rest };
};

/** POST /api/v1/estimates/search-similar: an estimate described by what drives its cost. */
export const ZSimilarSearch = z.preprocess(
  renameSnakeThreshold,
  z
    .object({
      materials: z.array(ZEstimateMaterial).min(1, 'at least one material row').max(MAX_MATERIALS_PER_ESTIMATE),
      location: ZEstimateLocation.optional(),
      laborRateCents: ZCents.default(0),
      laborHours: ZAmount.default(0),
      equipmentRateCents: ZCents.default(0),
      equipmentHours: ZAmount.default(0),
      currency: ZCurrency.optional(),
      limit: ZLimit,
      scoreThreshold: ZScoreThreshold.optional(),
    })
    .strict(),
);
export type TSimilarSearch = z.infer<typeof ZSimilarSearch>;

export const ZSimilarQuery = z.preprocess(renameSnakeThreshold, z.object({ limit: ZLimit, scoreThreshold: ZScoreThreshold.optional() }).strict());

export const IMPORT_MODES = ['all_or_nothing', 'skip_invalid'] as const;
export type TImportMode = (typeof IMPORT_MODES)[number];

export const ZImportQuery = z
  .object({
    mode: z.enum(IMPORT_MODES).default('all_or_nothing'),
    /** Overrides the Content-Type: csv, json (an array) or jsonl (one estimate per line). */
    format: z.enum(['csv', 'json', 'jsonl']).optional(),
  })
  .strict();

export const ZReindexRequest = z.object({ tenantId: z.uuid('must be a tenant id').optional() }).strict();
