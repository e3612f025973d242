import 'server-only';
import { runArchival, trackRestores, type TArchivalTrigger } from '@/lib/archival';
import { checkAllUsageWarnings, runBilling } from '@/lib/billing';
import { prunePasswordAttempts } from '@/lib/auth';
import { pruneIdempotencyKeys } from '@/lib/api';
import { drainIndexOutbox, runReindex } from '@/lib/estimates';
import { job } from './job';
import {
  ARCHIVAL_RUN_JOB,
  RESTORE_TRACKING_JOB,
  USAGE_WARNINGS_JOB,
  STORAGE_SNAPSHOTS_JOB,
  USAGE_RETENTION_JOB,
  INVOICE_RUN_JOB,
  AUDIT_RETENTION_JOB,
  VECTOR_INDEX_JOB,
  IDEMPOTENCY_RETENTION_JOB,
  VECTOR_REINDEX_JOB,
  PASSWORD_ATTEMPTS_RETENTION_JOB,
  SCHEDULE_CATCH_UP_JOB,
} from './names';
import { catchUpSchedule, catchUpSchedules } from './schedule-catch-up';

export interface TVectorReindexJobData {
  runId: string;
}

export interface TInvoiceRunJobData {
  /** YYYY-MM; absent (the monthly schedule): every month that ended and was not invoiced. */
  period?: string;
}

export interface TArchivalRunJobData {
  trigger: TArchivalTrigger;
  /** The queued run the operator's trigger created; absent for the nightly schedule. */
  runId?: string;
}

/**
 * Nightly at 02:00 UTC (through the schedule catch-up, so a night the tick already ran is not run twice), and on
 * demand; the singleton policy lets one run be active at a time.
 */
export const archivalRunJob = job<TArchivalRunJobData>(
  {
    name: ARCHIVAL_RUN_JOB,
    audited: { title: 'Archival' },
    // A run may take hours; no retry: the next run picks up whatever this one left.
    queue: { policy: 'singleton', expireInSeconds: 23 * 60 * 60, retryLimit: 0 },
    cron: '0 2 * * *',
    cronData: { trigger: 'cron' },
  },
  async ({ data }) => {
    if ((data.trigger ?? 'cron') === 'cron' && !data.runId) return catchUpSchedule(ARCHIVAL_RUN_JOB);
    const run = await runArchival({ trigger: data.trigger, runId: data.runId });
    return { runId: run.id, status: run.status, archived: run.filesArchived, failed: run.filesFailed };
  },
);

/** Every 15 minutes: copies Glacier restores that became readable back to the hot bucket, and finishes copies whose request died. */
export const restoreTrackingJob = job<Record<string, never>>(
  {
    name: RESTORE_TRACKING_JOB,
    queue: { policy: 'singleton', expireInSeconds: 14 * 60, retryLimit: 0 },
    cron: '*/15 * * * *',
    cronData: {},
  },
  () => trackRestores(),
);

/** Every 5 minutes: records the 80/90/100 % quota warnings each active tenant crossed this period. */
export const usageWarningsJob = job<Record<string, never>>(
  {
    name: USAGE_WARNINGS_JOB,
    queue: { policy: 'singleton', expireInSeconds: 4 * 60, retryLimit: 0 },
    cron: '*/5 * * * *',
    cronData: {},
  },
  () => checkAllUsageWarnings(),
);

/** Daily at 00:10 UTC: each active tenant's storage_bytes point for the new day (the invoices' storage figure). */
export const storageSnapshotsJob = job<Record<string, never>>(
  {
    name: STORAGE_SNAPSHOTS_JOB,
    audited: { title: 'Storage snapshots' },
    // A retry is safe (one event id per tenant and day) and keeps a brief outage from leaving a day without a point.
    queue: { policy: 'singleton', expireInSeconds: 6 * 60 * 60, retryLimit: 3, retryDelay: 10 * 60 },
    cron: '10 0 * * *',
    cronData: {},
  },
  () => catchUpSchedule(STORAGE_SNAPSHOTS_JOB),
);

/** Nightly at 03:30 UTC: deletes raw usage events older than USAGE_RAW_RETENTION_DAYS; the rollups stay. */
export const usageRetentionJob = job<Record<string, never>>(
  {
    name: USAGE_RETENTION_JOB,
    audited: { title: 'Usage retention' },
    // No retry: the next night deletes whatever this run left.
    queue: { policy: 'singleton', expireInSeconds: 23 * 60 * 60, retryLimit: 0 },
    cron: '30 3 * * *',
    cronData: {},
  },
  () => catchUpSchedule(USAGE_RETENTION_JOB),
);

/**
 * On the 1st at 01:00 UTC (after the 00:10 storage snapshot of the last day was taken), and on demand: invoices
 * the month for every active tenant. Idempotent per tenant and period, so a retry only finishes what is left.
 */
export const invoiceRunJob = job<TInvoiceRunJobData>(
  {
    name: INVOICE_RUN_JOB,
    audited: { title: 'Invoice run' },
    queue: { policy: 'singleton', expireInSeconds: 6 * 60 * 60, retryLimit: 3, retryDelay: 15 * 60 },
    cron: '0 1 1 * *',
    cronData: {},
  },
  async ({ data }) => {
    // The schedule: every month that ended and was not invoiced, oldest first.
    if (!data.period) return catchUpSchedule(INVOICE_RUN_JOB);
    const result = await runBilling({ period: data.period });
    // A tenant that failed makes the job fail, so pg-boss retries it (billed tenants are skipped on retry).
    if (result.failed.length > 0) throw new Error(`${result.failed.length} tenant(s) could not be billed: ${result.failed[0].message}`);
    return { ...result, invoiceIds: result.invoiceIds.length };
  },
);

/**
 * Nightly at 04:00 UTC: each tenant's audit events older than its plan's retention are archived (gzipped JSON
 * lines, STANDARD_IA) and then purged; each purge is an event in the tenant's chain, each run one in the platform's.
 */
export const auditRetentionJob = job<Record<string, never>>(
  {
    name: AUDIT_RETENTION_JOB,
    audited: { title: 'Audit retention' },
    // No retry: the next night finishes what this one left (same ranges, same object keys).
    queue: { policy: 'singleton', expireInSeconds: 23 * 60 * 60, retryLimit: 0 },
    cron: '0 4 * * *',
    cronData: {},
  },
  () => catchUpSchedule(AUDIT_RETENTION_JOB),
);

/**
 * Applies the estimate index outbox to the vector store: sent right after estimate writes commit, and every
 * minute to retry what a store outage left. 'stately' keeps at most one queued and one running: a burst of
 * writes asks once, and the run drains them all.
 */
export const vectorIndexJob = job<Record<string, never>>(
  {
    name: VECTOR_INDEX_JOB,
    queue: { policy: 'stately', expireInSeconds: 15 * 60, retryLimit: 0 },
    cron: '* * * * *',
    cronData: {},
  },
  async () => {
    const result = await drainIndexOutbox();
    // Failed rows stay in the outbox with backoff; the job reports them without failing (the store is down).
    return result;
  },
);

/** An operator's rebuild of one tenant's (or every) vector, with progress in vector_reindex_runs. */
export const vectorReindexJob = job<TVectorReindexJobData>(
  {
    name: VECTOR_REINDEX_JOB,
    audited: { title: 'Vector reindex' },
    // The run records its own failure; the operator starts another.
    queue: { policy: 'singleton', expireInSeconds: 6 * 60 * 60, retryLimit: 0 },
  },
  async ({ data }) => {
    const run = await runReindex(data.runId);
    return { runId: run.id, indexed: run.indexedEstimates };
  },
);

/** Hourly: forgets Idempotency-Keys older than 24 hours (a retry after that creates anew). */
export const idempotencyRetentionJob = job<Record<string, never>>(
  {
    name: IDEMPOTENCY_RETENTION_JOB,
    queue: { policy: 'singleton', expireInSeconds: 30 * 60, retryLimit: 0 },
    cron: '17 * * * *',
    cronData: {},
  },
  () => pruneIdempotencyKeys(),
);

/** Hourly: deletes password-attempt counters whose time is over (lib/auth/password-attempts). */
export const passwordAttemptsRetentionJob = job<Record<string, never>>(
  {
    name: PASSWORD_ATTEMPTS_RETENTION_JOB,
    queue: { policy: 'singleton', expireInSeconds: 30 * 60, retryLimit: 0 },
    cron: '47 * * * *',
    cronData: {},
  },
  () => prunePasswordAttempts(),
);

/**
 * Hourly, and once when a process starts the queue: runs every daily or monthly period that no process ran
 * (the app was down at its cron time), see schedule-catch-up.ts.
 */
export const scheduleCatchUpJob = job<Record<string, never>>(
  {
    name: SCHEDULE_CATCH_UP_JOB,
    // Each job's own lease keeps two runs of it apart; a failed period is retried by the next tick.
    queue: { policy: 'singleton', expireInSeconds: 23 * 60 * 60, retryLimit: 0 },
    cron: '5 * * * *',
    cronData: {},
  },
  () => catchUpSchedules(),
);

export const JOB_DEFINITIONS = [
  scheduleCatchUpJob,
  archivalRunJob,
  restoreTrackingJob,
  usageWarningsJob,
  storageSnapshotsJob,
  usageRetentionJob,
  invoiceRunJob,
  auditRetentionJob,
  vectorIndexJob,
  vectorReindexJob,
  idempotencyRetentionJob,
  passwordAttemptsRetentionJob,
];
