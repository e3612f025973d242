/**
 * Invoice-run benchmark: the monthly run over the tenants the usage generator made (scripts/generate-usage.ts,
 * slugs `<prefix>-…`), against the configured database. Those tenants are moved back to a year ago (created_at
 * and their first plan-history row) so that last month is a whole month of theirs, then `runInvoices` — the
 * function the pg-boss job calls — bills last month for them, and runs again (the idempotent re-run: nothing
 * to create, every tenant checked). Reports seconds and invoices per second of each.
 */
import { inArray, like } from 'drizzle-orm';
import { invoices } from '@/db/schema/billing';
import { tenantPlanChanges, tenants } from '@/db/schema/tenancy';
import { previousPeriod, runInvoices } from '@/lib/billing';
import { withPlatform } from '@/lib/tenancy';

export interface TInvoiceBenchResult {
  period: string;
  tenants: number;
  created: number;
  failed: number;
  seconds: number;
  invoicesPerSecond: number;
  /** The same run again: every tenant already has its invoice. */
  rerunSeconds: number;
  rerunCreated: number;
  /** Sum of the invoices' totals, in cents (a check that they are real invoices, not empty rows). */
  totalCents: number;
}

const YEAR_MS = 365 * 86_400_000;

export async function benchInvoiceRun(slugPrefix: string, now: Date = new Date()): Promise<TInvoiceBenchResult> {
  const period = previousPeriod(now);
  const since = new Date(now.getTime() - YEAR_MS);
  const ids = await withPlatform(async (tx) => {
    const rows = await tx.select({ id: tenants.id }).from(tenants).where(like(tenants.slug, `${slugPrefix}-%`));
    const tenantIds = rows.map((row) => row.id);
    if (tenantIds.length === 0) throw new Error(`No tenants with slugs ${slugPrefix}-…: run the generator first`);
    await tx.update(tenants).set({ createdAt: since }).where(inArray(tenants.id, tenantIds));
    await tx.update(tenantPlanChanges).set({ effectiveAt: since }).where(inArray(tenantPlanChanges.tenantId, tenantIds));
    return tenantIds;
  });

  const started = performance.now();
  const first = await runInvoices({ period, now, tenantIds: ids });
  const seconds = (performance.now() - started) / 1000;
  const again = performance.now();
  const second = await runInvoices({ period, now, tenantIds: ids });
  const rerunSeconds = (performance.now() - again) / 1000;

  const rows = await withPlatform((tx) => tx.select({ totalCents: invoices.totalCents }).from(invoices).where(inArray(invoices.tenantId, ids)));
  return {
    period,
    tenants: ids.length,
    created: first.created,
    failed: first.failed.length + second.failed.length,
    seconds,
    invoicesPerSecond: first.created / seconds,
    rerunSeconds,
    rerunCreated: second.created,
    totalCents: rows.reduce((sum, row) => sum + row.totalCents, 0),
  };
}
