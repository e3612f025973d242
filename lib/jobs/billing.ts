import 'server-only';
import { assertBillablePeriod, previousPeriod, runBilling, type TBillingRunResult } from '@/lib/billing';
import { runningJobs } from './boss';
import { type TInvoiceRunJobData } from './definitions';
import { INVOICE_RUN_JOB } from './names';

export type TInvoiceRunRequest = { period: string; queued: true; jobId: string | null } | ({ queued: false } & TBillingRunResult);

/**
 * The operator's "run invoices now" for a period (default: last month). Checked here so a bad period is a 400
 * at once rather than a failed job; handed to the queue, or run inline in a process without one (tests).
 */
export async function requestInvoiceRun(period: string = previousPeriod(), now: Date = new Date()): Promise<TInvoiceRunRequest> {
  assertBillablePeriod(period, now);
  const boss = runningJobs();
  if (!boss) return { queued: false, ...(await runBilling({ period, now })) };
  const data: TInvoiceRunJobData = { period };
  return { period, queued: true, jobId: await boss.send(INVOICE_RUN_JOB, data) };
}
