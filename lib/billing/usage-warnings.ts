import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { tenants } from '@/db/schema/tenancy';
import {
  USAGE_WARNING_THRESHOLDS,
  usageWarnings,
  type TUsageWarningMetric,
  type TUsageWarningThreshold,
} from '@/db/schema/usage';
import { recordAudit, SYSTEM_ACTOR } from '@/lib/audit';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';
import { billingPeriod, getCurrentUsage, type TQuotaUse } from './current-usage';

export interface TUsageWarning {
  metric: TUsageWarningMetric;
  thresholdPercent: TUsageWarningThreshold;
  /** First day of the billing period (YYYY-MM-DD, UTC). */
  periodStart: string;
  used: number;
  limit: number;
  createdAt: Date;
}

const warningColumns = {
  metric: usageWarnings.metric,
  thresholdPercent: usageWarnings.thresholdPercent,
  periodStart: usageWarnings.periodStart,
  used: usageWarnings.used,
  limit: usageWarnings.limit,
  createdAt: usageWarnings.createdAt,
};

/** Exact integer comparison: the rounded percentage would let 79.96 % count as 80 %. A zero limit is crossed by any use. */
const hasCrossed = ({ used, limit }: TQuotaUse, thresholdPercent: number) =>
  limit > 0 ? used * 100 >= thresholdPercent * limit : used > 0;

/**
 * Records every threshold (80, 90, 100 %) this period's use has crossed, per metric, and returns only the ones
 * that fired now: the unique key with ON CONFLICT DO NOTHING makes each fire once per period, even when two
 * checks race. Inside withTenant.
 */
export async function checkUsageWarnings(tx: TTx, tenantId: string, now?: Date): Promise<TUsageWarning[]> {
  const usage = await getCurrentUsage(tx, tenantId, now);
  const periodStart = usage.periodStart.slice(0, 10);
  const metrics: [TUsageWarningMetric, TQuotaUse][] = [
    ['files', usage.files],
    ['api_calls', usage.apiCalls],
    ['storage', usage.storage],
  ];
  const crossed = metrics.flatMap(([metric, use]) =>
    USAGE_WARNING_THRESHOLDS.filter((threshold) => hasCrossed(use, threshold)).map((thresholdPercent) => ({
      tenantId,
      metric,
      thresholdPercent,
      periodStart,
      used: use.used,
      limit: use.limit,
    })),
  );
  if (crossed.length === 0) return [];
  const fired = await tx.insert(usageWarnings).values(crossed).onConflictDoNothing().returning(warningColumns);
  // Each warning that fires is also in the tenant's audit log, in the same transaction (once per period, too).
  await recordAudit(
    tx,
    ...fired.map((warning) => ({
      tenantId,
      type: 'security_event' as const,
      action: 'usage.limit_warning',
      actor: SYSTEM_ACTOR('Usage warnings'),
      target: { type: 'quota', id: warning.metric, name: describeUsageWarning(warning) },
      metadata: { thresholdPercent: warning.thresholdPercent, used: warning.used, limit: warning.limit, periodStart: warning.periodStart },
    })),
  );
  return fired;
}

/** This period's warnings, the highest threshold per metric (files, API calls, storage order). Inside withTenant. */
export async function listActiveWarnings(tx: TTx, tenantId: string, now?: Date): Promise<TUsageWarning[]> {
  const periodStart = billingPeriod(now).start.toISOString().slice(0, 10);
  const rows = await tx
    .selectDistinctOn([usageWarnings.metric], warningColumns)
    .from(usageWarnings)
    .where(and(eq(usageWarnings.tenantId, tenantId), eq(usageWarnings.periodStart, periodStart)))
    .orderBy(usageWarnings.metric, desc(usageWarnings.thresholdPercent));
  const order: TUsageWarningMetric[] = ['files', 'api_calls', 'storage'];
  return rows.sort((a, b) => order.indexOf(a.metric) - order.indexOf(b.metric));
}

const GiB = 1024 ** 3;
const METRIC_LABELS: Record<TUsageWarningMetric, string> = { files: 'File uploads', api_calls: 'API calls', storage: 'Storage' };

/** "API calls at 90 % of 100,000 this month"; storage limits in GiB (a gauge, so no "this month"). */
export function describeUsageWarning(warning: Pick<TUsageWarning, 'metric' | 'thresholdPercent' | 'limit'>): string {
  const label = METRIC_LABELS[warning.metric];
  if (warning.metric === 'storage') {
    const gib = Math.round((warning.limit / GiB) * 10) / 10;
    return `${label} at ${warning.thresholdPercent} % of ${gib.toLocaleString('en-US')} GiB`;
  }
  return `${label} at ${warning.thresholdPercent} % of ${warning.limit.toLocaleString('en-US')} this month`;
}

export interface TUsageWarningRun {
  tenantsChecked: number;
  warningsFired: number;
  tenantsFailed: number;
}

/**
 * The scheduled check: every active tenant, each in its own withTenant transaction so one tenant's failure
 * neither rolls back nor stops the others. Each newly fired warning is logged once.
 */
export async function checkAllUsageWarnings(now?: Date): Promise<TUsageWarningRun> {
  const active = await withPlatform((tx) => tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.isActive, true)));
  const run: TUsageWarningRun = { tenantsChecked: 0, warningsFired: 0, tenantsFailed: 0 };
  for (const { id } of active) {
    try {
      const fired = await withTenant(id, (tx) => checkUsageWarnings(tx, id, now));
      run.tenantsChecked += 1;
      run.warningsFired += fired.length;
      // Issue 5 (audit log) will also record these as quota events.
      for (const warning of fired) logger.warn({ tenantId: id, ...warning }, 'usage warning: %s', describeUsageWarning(warning));
    } catch (error) {
      run.tenantsFailed += 1;
      logger.error({ err: error, tenantId: id }, 'usage warning check failed');
    }
  }
  return run;
}
