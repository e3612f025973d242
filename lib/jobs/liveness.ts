import 'server-only';
import { sql } from 'drizzle-orm';
import { lockSession } from '@/db/client';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';
import { platformDb } from '@/lib/tenancy';

/**
 * Which jobs are really running. pg-boss marks a job 'active' when a process takes it and keeps it so until the
 * job's expiry (hours for archival and invoices): a process killed mid-job would block its singleton queue until
 * then. So while a job runs, its process holds a session advisory lock keyed by the job's id on a connection of its
 * own; when the process dies PostgreSQL drops the lock with the connection, and any process may see that an
 * 'active' job nobody holds is orphaned and hand it back to the queue (the next worker runs it again: every job
 * is idempotent). A schedule catch-up holds a lock per job the same way: the lock is its lease, gone with its process.
 */
const JOB_LOCK_NAMESPACE = 0x6a6f6273; // 'jobs'
const SCHEDULE_LOCK_NAMESPACE = 0x73636864; // 'schd'
/** pg-boss marks a job active a moment before its handler takes the lock: younger jobs are never reaped. */
const ORPHAN_GRACE_SECONDS = 30;
const REAP_INTERVAL_MS = 15_000;

interface TLiveness {
  reaper?: NodeJS.Timeout;
}

const state = processWide<TLiveness>('job-liveness', () => ({}));

const connection = () => lockSession('liveness');

export async function holdJob(jobId: string): Promise<void> {
  await connection()`select pg_advisory_lock(${JOB_LOCK_NAMESPACE}::int, hashtext(${jobId}))`;
}

export async function releaseJob(jobId: string): Promise<void> {
  await connection()`select pg_advisory_unlock(${JOB_LOCK_NAMESPACE}::int, hashtext(${jobId}))`;
}

/** Takes a schedule's lock unless another live process holds it (false). Re-entrant within this process. */
export async function tryHoldSchedule(job: string): Promise<boolean> {
  const [row] = await connection()<{ held: boolean }[]>`select pg_try_advisory_lock(${SCHEDULE_LOCK_NAMESPACE}::int, hashtext(${job})) as held`;
  return row?.held === true;
}

export async function releaseSchedule(job: string): Promise<void> {
  await connection()`select pg_advisory_unlock(${SCHEDULE_LOCK_NAMESPACE}::int, hashtext(${job}))`;
}

/** SQL that is true when a live session of this database holds the job lock of hashtext(`key`). */
const isJobHeld = (key: ReturnType<typeof sql>) => sql`exists (
  select 1 from pg_locks l
  where l.locktype = 'advisory' and l.granted and l.objsubid = 2
    and l.database = (select oid from pg_database where datname = current_database())
    and l.classid = ${JOB_LOCK_NAMESPACE}::int::oid and l.objid = hashtext(${key})::oid)`;

/**
 * Hands every orphaned job back to its queue: 'active' for longer than the grace period with nobody holding its
 * lock. It becomes 'retry', due now, so the next free worker of its queue takes it; in a singleton or stately
 * queue that already has a job waiting, that one will do the work, and the orphan is closed as failed instead
 * (those queues allow only one job waiting per state).
 */
export async function reapOrphanedJobs(): Promise<{ id: string; name: string; state: string }[]> {
  const rows = await platformDb().execute<{ id: string; name: string; state: string }>(sql`
    with orphans as (
      select j.id, j.name, j.policy from pgboss.job j
      where j.state = 'active' and j.started_on < now() - make_interval(secs => ${ORPHAN_GRACE_SECONDS})
        and not ${isJobHeld(sql`j.id::text`)}
      for update skip locked
    ), closed as (
      select o.id from orphans o
      where o.policy in ('singleton', 'stately')
        and exists (select 1 from pgboss.job w where w.name = o.name and w.state < 'active')
    )
    update pgboss.job j set
      state = case when j.id in (select id from closed) then 'failed'::pgboss.job_state else 'retry'::pgboss.job_state end,
      completed_on = case when j.id in (select id from closed) then now() end,
      output = case when j.id in (select id from closed)
        then jsonb_build_object('message', 'the process running it stopped; a job already queued does its work') end,
      start_after = now()
    from orphans o
    where j.id = o.id and j.name = o.name
    returning j.id, j.name, j.state::text as state`);
  const orphans = [...rows];
  if (orphans.length > 0) logger.warn({ jobs: orphans }, 'jobs left running by a stopped process were handed back');
  return orphans;
}

/** Reaps now and every 15 s while this process runs jobs. */
export function startOrphanReaper(): void {
  if (state.reaper) return;
  const reap = () => void reapOrphanedJobs().catch((error: unknown) => logger.warn({ err: error }, 'reaping orphaned jobs failed'));
  reap();
  state.reaper = setInterval(reap, REAP_INTERVAL_MS);
  state.reaper.unref();
}

export function stopOrphanReaper(): void {
  clearInterval(state.reaper);
  state.reaper = undefined;
}
