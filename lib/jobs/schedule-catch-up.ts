import 'server-only';
import { sql } from 'drizzle-orm';
import { runArchival } from '@/lib/archival';
import { runAuditRetention } from '@/lib/audit';
import { recordAllStorageSnapshots, runBilling } from '@/lib/billing';
import { config } from '@/lib/config';
import { logger } from '@/lib/telemetry';
import { processWide } from '@/lib/runtime';
import { platformDb } from '@/lib/tenancy';
import { pruneUsageEvents } from '@/lib/usage';
import { releaseSchedule, tryHoldSchedule } from './liveness';
import { ARCHIVAL_RUN_JOB, AUDIT_RETENTION_JOB, INVOICE_RUN_JOB, STORAGE_SNAPSHOTS_JOB, USAGE_RETENTION_JOB } from './names';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** How a job's periods are named and counted: days (YYYY-MM-DD) or months (YYYY-MM). */
interface TPeriodCalendar {
  of(date: Date): string;
  next(period: string): string;
  back(period: string, count: number): string;
}

const days: TPeriodCalendar = {
  of: (date) => date.toISOString().slice(0, 10),
  next: (day) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10),
  back: (day, count) => new Date(Date.parse(`${day}T00:00:00Z`) - count * DAY_MS).toISOString().slice(0, 10),
};

const monthShift = (month: string, by: number) => {
  const [year, index] = month.split('-').map(Number);
  return new Date(Date.UTC(year, index - 1 + by, 1)).toISOString().slice(0, 7);
};

const months: TPeriodCalendar = {
  of: (date) => date.toISOString().slice(0, 7),
  next: (month) => monthShift(month, 1),
  back: (month, count) => monthShift(month, -count),
};

interface TSchedule {
  job: string;
  calendar: TPeriodCalendar;
  /** The last period whose run was due at `now` (the cron's time has passed). */
  latestDue(now: Date): string;
  /**
   * 'each': every missed period runs, oldest first (an invoice per month, a snapshot per day), at most
   * `maxMissed` of them. 'latest': only the last one, since one run does what the missed ones would have.
   */
  catchUp: { kind: 'each'; maxMissed: number } | { kind: 'latest' };
  /** How long a run may take: shown in schedule_runs.running_until while it runs (the lease itself is a lock). */
  leaseSeconds: number;
  run(period: string, now: Date): Promise<unknown>;
}

/** Daily jobs: the run for a day is due at the cron's time on that day. */
const dueDaily = (atMinutes: number) => (now: Date) => days.of(new Date(now.getTime() - atMinutes * MINUTE_MS));

/**
 * The jobs that run per calendar period, in the order a catch-up runs them: the storage snapshots before the
 * invoices that read them, archival last because it may take hours. The frequent jobs (usage warnings every 5
 * minutes, hourly retention, restore tracking, the index outbox) are not here: their next slot is near, and
 * each run covers whatever earlier ones would have done.
 */
export const SCHEDULES: readonly TSchedule[] = [
  {
    job: STORAGE_SNAPSHOTS_JOB,
    calendar: days,
    latestDue: dueDaily(10),
    catchUp: { kind: 'each', maxMissed: 35 },
    leaseSeconds: 6 * 60 * 60,
    run: (day, now) => recordAllStorageSnapshots(now, day),
  },
  {
    job: INVOICE_RUN_JOB,
    calendar: months,
    // A month is invoiced at 01:00 UTC on the 1st of the next.
    latestDue: (now) => months.back(months.of(new Date(now.getTime() - 60 * MINUTE_MS)), 1),
    catchUp: { kind: 'each', maxMissed: 12 },
    leaseSeconds: 6 * 60 * 60,
    run: async (period, now) => {
      const result = await runBilling({ period, now });
      // The period stays uncompleted, so the next catch-up retries it (billed tenants are skipped).
      if (result.failed.length > 0) throw new Error(`${result.failed.length} tenant(s) could not be billed for ${period}: ${result.failed[0].message}`);
      return { ...result, invoiceIds: result.invoiceIds.length };
    },
  },
  {
    job: USAGE_RETENTION_JOB,
    calendar: days,
    latestDue: dueDaily(3 * 60 + 30),
    catchUp: { kind: 'latest' },
    leaseSeconds: 23 * 60 * 60,
    run: (_day, now) => pruneUsageEvents({ olderThanDays: config().USAGE_RAW_RETENTION_DAYS, now }),
  },
  {
    job: AUDIT_RETENTION_JOB,
    calendar: days,
    latestDue: dueDaily(4 * 60),
    catchUp: { kind: 'latest' },
    leaseSeconds: 23 * 60 * 60,
    run: (_day, now) => runAuditRetention(now),
  },
  {
    job: ARCHIVAL_RUN_JOB,
    calendar: days,
    latestDue: dueDaily(2 * 60),
    catchUp: { kind: 'latest' },
    leaseSeconds: 23 * 60 * 60,
    run: async () => {
      const run = await runArchival({ trigger: 'cron' });
      return { runId: run.id, status: run.status, archived: run.filesArchived, failed: run.filesFailed };
    },
  },
];

export interface TScheduleCatchUp {
  job: string;
  /** ran: the periods listed were run; current: nothing was due; busy: another process holds the job. */
  outcome: 'ran' | 'current' | 'busy';
  periods: string[];
}

// Schedules this process is catching up now: its liveness lock is re-entrant, so it cannot tell them apart.
const catchingUp = processWide('schedules-catching-up', () => new Set<string>());

/**
 * Takes the job's lease unless a live process holds it: a lock on the process's liveness session, gone with the
 * process if it dies (schedule_runs.running_until only shows how long a run may take). Returns the last completed
 * period, or undefined when busy; `releaseSchedule` gives it back.
 */
async function claimSchedule(schedule: TSchedule): Promise<{ lastCompleted: string | null } | undefined> {
  if (catchingUp.has(schedule.job)) return undefined;
  catchingUp.add(schedule.job);
  try {
    if (!(await tryHoldSchedule(schedule.job))) {
      catchingUp.delete(schedule.job);
      return undefined;
    }
    const [row] = await platformDb().execute<{ last: string | null }>(sql`
      insert into schedule_runs (job, running_until) values (${schedule.job}, now() + make_interval(secs => ${schedule.leaseSeconds}))
      on conflict (job) do update set running_until = excluded.running_until, updated_at = now()
      returning last_completed_period as last`);
    return { lastCompleted: row?.last ?? null };
  } catch (error) {
    await unclaimSchedule(schedule.job);
    throw error;
  }
}

async function unclaimSchedule(job: string): Promise<void> {
  try {
    await releaseSchedule(job);
  } catch (error) {
    logger.warn({ err: error, job }, 'could not release the schedule\'s liveness lock');
  } finally {
    catchingUp.delete(job);
  }
}

/** Where a job with no record starts: the month or day of the earliest tenant's creation (none: only the latest). */
async function firstPeriodOf(schedule: TSchedule, latest: string): Promise<string> {
  const [row] = await platformDb().execute<{ earliest: Date | string | null }>(sql`select min(created_at) as earliest from tenants where is_active`);
  return row?.earliest ? schedule.calendar.of(new Date(row.earliest)) : latest;
}

async function periodsToRun(schedule: TSchedule, lastCompleted: string | null, latest: string): Promise<string[]> {
  if (lastCompleted !== null && lastCompleted >= latest) return [];
  if (schedule.catchUp.kind === 'latest') return [latest];
  const oldestAllowed = schedule.calendar.back(latest, schedule.catchUp.maxMissed - 1);
  const start = lastCompleted !== null ? schedule.calendar.next(lastCompleted) : await firstPeriodOf(schedule, latest);
  const periods: string[] = [];
  for (let period = start < oldestAllowed ? oldestAllowed : start; period <= latest; period = schedule.calendar.next(period)) {
    periods.push(period);
  }
  return periods;
}

/**
 * Runs every period of one job that is due and not completed (see SCHEDULES), records each as it completes and
 * stops at the first failure, which is rethrown (the period stays due: the next catch-up retries it). Every
 * period's work is idempotent, so a crash between the work and the record only repeats work that changes nothing.
 */
export async function catchUpSchedule(job: string, now: Date = new Date()): Promise<TScheduleCatchUp> {
  const schedule = SCHEDULES.find((candidate) => candidate.job === job);
  if (!schedule) throw new Error(`No catch-up schedule for the job ${job}`);
  const claim = await claimSchedule(schedule);
  if (!claim) return { job, outcome: 'busy', periods: [] };
  const ran: string[] = [];
  try {
    for (const period of await periodsToRun(schedule, claim.lastCompleted, schedule.latestDue(now))) {
      const result = await schedule.run(period, now);
      await platformDb().execute(
        sql`update schedule_runs set last_completed_period = ${period}, updated_at = now() where job = ${job}`,
      );
      ran.push(period);
      logger.info({ job, period, result }, 'scheduled period completed');
    }
  } finally {
    try {
      await platformDb().execute(sql`update schedule_runs set running_until = null, updated_at = now() where job = ${job}`);
    } finally {
      await unclaimSchedule(job);
    }
  }
  return { job, outcome: ran.length > 0 ? 'ran' : 'current', periods: ran };
}

/**
 * Catches every periodic job up (at start and on the hourly tick). One job failing is logged and does not stop
 * the others; its missed periods stay due.
 */
export async function catchUpSchedules(now: Date = new Date()): Promise<(TScheduleCatchUp | { job: string; outcome: 'failed'; error: string })[]> {
  const results: (TScheduleCatchUp | { job: string; outcome: 'failed'; error: string })[] = [];
  for (const schedule of SCHEDULES) {
    try {
      results.push(await catchUpSchedule(schedule.job, now));
    } catch (error) {
      logger.error({ err: error, job: schedule.job }, 'schedule catch-up failed');
      results.push({ job: schedule.job, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
