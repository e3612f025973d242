import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, ownerDb } from '@/db/client';
import { ARCHIVAL_RUN_JOB, catchUpSchedule, startJobs, stopJobs, USAGE_RETENTION_JOB } from '@/lib/jobs';
import { holdJob, reapOrphanedJobs, releaseJob } from '@/lib/jobs/liveness';

/**
 * A process killed mid-job leaves pg-boss's row 'active' until the job's expiry (hours). The liveness lock tells
 * a live holder from a dead one, so the job goes back to its queue at once, and a schedule's lease frees itself.
 */
let boss: Awaited<ReturnType<typeof startJobs>>;

beforeAll(async () => {
  // Queues only: nothing in this process takes the jobs the tests send.
  boss = await startJobs({ work: false });
});

afterAll(async () => {
  await stopJobs();
  await closeDb();
});

async function activeJob(startedSecondsAgo: number): Promise<string> {
  const id = await boss.send(ARCHIVAL_RUN_JOB, { trigger: 'manual', runId: randomUUID() });
  await ownerDb().execute(sql`update pgboss.job set state = 'active', started_on = now() - make_interval(secs => ${startedSecondsAgo})
    where id = ${id}::uuid`);
  return id!;
}

async function stateOf(id: string): Promise<string> {
  const [row] = await ownerDb().execute<{ state: string }>(sql`select state::text from pgboss.job where id = ${id}::uuid`);
  return row.state;
}

async function clearQueue(): Promise<void> {
  await ownerDb().execute(sql`delete from pgboss.job where name = ${ARCHIVAL_RUN_JOB}`);
}

describe('jobs of a process that died', () => {
  it('hands an active job nobody holds back to its queue as due now', async () => {
    await clearQueue();
    const orphan = await activeJob(60);

    const reaped = await reapOrphanedJobs();

    expect(reaped).toEqual([{ id: orphan, name: ARCHIVAL_RUN_JOB, state: 'retry' }]);
    expect(await stateOf(orphan)).toBe('retry');
  });

  it('leaves a job alone while a live process holds it, and one that has only just started', async () => {
    await clearQueue();
    const held = await activeJob(60);
    await holdJob(held);
    try {
      expect(await reapOrphanedJobs()).toEqual([]);
      expect(await stateOf(held)).toBe('active');
    } finally {
      await releaseJob(held);
    }
    await clearQueue();
    const young = await activeJob(2);
    expect(await reapOrphanedJobs()).toEqual([]);
    expect(await stateOf(young)).toBe('active');
  });

  it('closes an orphan of a singleton queue as failed when another job of that queue already waits', async () => {
    await clearQueue();
    const orphan = await activeJob(60);
    const waiting = await boss.send(ARCHIVAL_RUN_JOB, { trigger: 'manual', runId: randomUUID() });

    await reapOrphanedJobs();

    expect(await stateOf(orphan)).toBe('failed');
    expect(await stateOf(waiting!)).toBe('created');
  });
});

describe('schedule leases', () => {
  it('is busy while another live process holds the lease, and free the moment that process is gone', async () => {
    const other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await other`select pg_advisory_lock(${0x73636864}::int, hashtext(${USAGE_RETENTION_JOB}))`;
    expect((await catchUpSchedule(USAGE_RETENTION_JOB)).outcome).toBe('busy');

    // The other process dies: its session ends without releasing anything. (PostgreSQL takes a moment to end the
    // backend after the connection closes.)
    const [{ pid }] = await other<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await other.end({ timeout: 0 });
    for (let waitedMs = 0; waitedMs < 5_000; waitedMs += 20) {
      const [row] = await ownerDb().execute<{ alive: boolean }>(sql`select exists (select 1 from pg_stat_activity where pid = ${pid}) as alive`);
      if (!row.alive) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await catchUpSchedule(USAGE_RETENTION_JOB)).outcome).not.toBe('busy');
  });
});
