import { AUDIT_PERIODS, ZAuditFilters, type TAuditEntry, type TAuditFilters, type TAuditPeriod } from '@/lib/audit';
import type { TAuditEventRow } from './types';

export const AUDIT_PAGE_SIZE = 100;
export const DEFAULT_AUDIT_PERIOD: TAuditPeriod = '7d';

/** The filter form's fields, as the URL carries them. */
export const AUDIT_FORM_FIELDS = ['action', 'type', 'actor', 'outcome', 'from', 'to', 'q'] as const;
export type TAuditFormField = (typeof AUDIT_FORM_FIELDS)[number];
export type TAuditFormValues = Partial<Record<TAuditFormField, string>>;

export interface TAuditPageQuery {
  /** For listAuditEvents and the export: from/to as UTC instants, `to` exclusive. */
  filters: TAuditFilters;
  /** The accepted values as typed, to fill the form and build links; rejected ones are left out. */
  values: TAuditFormValues;
  beforeSeq: number | undefined;
  period: TAuditPeriod;
}

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD day as its first instant (UTC), or undefined when it is not a real day. */
function startOfDay(value: string): Date | undefined {
  if (!DAY_PATTERN.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

/**
 * The Audit page's URL: filters, cursor and summary period. A value that does not parse is ignored (the page
 * shows everything for that field) rather than failing the page. The dates are whole UTC days, both included.
 */
export function parseAuditQuery(raw: Record<string, string | string[] | undefined>): TAuditPageQuery {
  const pick = (name: string) => {
    const value = raw[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const filters: TAuditFilters = {};
  const values: TAuditFormValues = {};
  const shape = ZAuditFilters.shape;
  for (const field of ['action', 'type', 'actor', 'outcome', 'q'] as const) {
    const value = pick(field);
    const parsed = value === undefined ? undefined : shape[field].safeParse(value);
    if (parsed?.success && parsed.data !== undefined) {
      Object.assign(filters, { [field]: parsed.data });
      values[field] = value;
    }
  }
  const from = startOfDay(pick('from') ?? '');
  const toDay = startOfDay(pick('to') ?? '');
  if (from) {
    filters.from = from;
    values.from = pick('from');
  }
  // A range that ends before it starts is a typo: its end is ignored (the export would refuse it).
  if (toDay && !(from && toDay < from)) {
    filters.to = new Date(toDay.getTime() + DAY_MS);
    values.to = pick('to');
  }

  const before = pick('before');
  const beforeSeq = before && /^\d{1,15}$/.test(before) && Number(before) > 0 ? Number(before) : undefined;
  const period = pick('period');
  return {
    filters,
    values,
    beforeSeq,
    period: period && Object.hasOwn(AUDIT_PERIODS, period) ? (period as TAuditPeriod) : DEFAULT_AUDIT_PERIOD,
  };
}

/** The page's own URL with these filters (and the extras: period, cursor), for links and the form. */
export function auditPageHref(values: TAuditFormValues, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...values, ...extra })) if (value !== undefined) params.set(name, value);
  const query = params.toString();
  return query ? `?${query}` : '?';
}

/** The export endpoint's URL for these filters (from/to as instants, like the list). */
export function auditExportHref(format: 'csv' | 'jsonl', filters: TAuditFilters): string {
  const params = new URLSearchParams({ format });
  for (const [name, value] of Object.entries(filters)) {
    if (value instanceof Date) params.set(name, value.toISOString());
    else if (value !== undefined) params.set(name, String(value));
  }
  return `/api/v1/audit/export?${params.toString()}`;
}

/** An event as the table receives it (timestamps as ISO strings, metadata already formatted). */
export const toAuditEventRow = (entry: TAuditEntry): TAuditEventRow => ({
  id: entry.id,
  seq: entry.seq,
  occurredAt: entry.occurredAt.toISOString(),
  type: entry.type,
  action: entry.action,
  outcome: entry.outcome,
  actor: entry.actor,
  target: entry.target,
  ip: entry.ip,
  userAgent: entry.userAgent,
  requestId: entry.requestId,
  hash: entry.hash,
  metadataJson: JSON.stringify(entry.metadata, null, 2),
});
