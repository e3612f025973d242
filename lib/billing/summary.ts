import 'server-only';
import { eq } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { listPlanRows, type TPlan } from '@/lib/tenancy';
import { estimateCurrentInvoice } from './invoices';
import type { TComputedInvoice } from './invoice-math';

export interface TBillingSummary {
  plan: TPlan;
  /** This period's invoice as it stands now: the invoice run's arithmetic over the usage so far. */
  estimate: TComputedInvoice & { period: string };
  /** Plans a tenant can move to (active ones), cheapest first. */
  plans: TPlan[];
}

/** What the Billing page and GET /api/v1/billing/summary show (inside withTenant). */
export async function getBillingSummary(tx: TTx, tenantId: string, now: Date = new Date()): Promise<TBillingSummary> {
  const [tenant] = await tx.select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new AppError('not_found', 'Tenant not found');
  const all = await listPlanRows(tx);
  const plan = all.find((row) => row.id === tenant.plan);
  if (!plan) throw new AppError('internal', `Plan ${tenant.plan} is missing from the plans table`);
  return {
    plan,
    estimate: await estimateCurrentInvoice(tx, tenantId, now),
    plans: all.filter((row) => row.isActive).sort((a, b) => a.priceCents - b.priceCents),
  };
}
