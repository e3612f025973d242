import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { seedDemoData } from '@/db/seed';
import { ARCHIVAL_RUN_JOB, RESTORE_TRACKING_JOB, requestArchivalRun, startJobs, stopJobs } from '@/lib/jobs';
import { bucketNames, ensureBuckets } from '@/lib/storage';
import { createAgedFile, fileRecord, objectHead, runRecord } from './support/archival';
import { demoUsers } from './support/http';

/** The production path: the operator's trigger goes through pg-boss on the same database. */
let acmeId: string;

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  acmeId = (await demoUsers()).acme.id;
  await startJobs({ catchUpAtStart: false });
});

afterAll(async () => {
  await stopJobs();
});

async function waitForRun(runId: string, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await runRecord(runId);
    if (run && run.status !== 'queued' && run.status !== 'running') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('archival through the job queue', () => {
  it('queues the run, answers with its id at once, and a pg-boss worker completes it', async () => {
    const file = await createAgedFile(acmeId, { ageDays: 400, status: 'completed' });

    const queued = await requestArchivalRun('manual');
    expect(queued.status).toBe('queued');

    const run = await waitForRun(queued.id);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', filesArchived: 1 });
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');
    expect(await objectHead(bucketNames().files, file.storageKey)).toBeNull();
    const [job] = await ownerDb().execute<{ state: string }>(
      sql`select state from pgboss.job where name = ${ARCHIVAL_RUN_JOB} and data->>'runId' = ${queued.id}`,
    );
    expect(job?.state).toBe('completed');
  });

  it('registers the nightly 02:00 UTC schedule and the 15-minute restore tracker', async () => {
    const schedules = await ownerDb().execute<{ name: string; cron: string; timezone: string }>(
      sql`select name, cron, timezone from pgboss.schedule order by name`,
    );
    expect(schedules).toEqual(
      expect.arrayContaining([
        { name: ARCHIVAL_RUN_JOB, cron: '0 2 * * *', timezone: 'UTC' },
        { name: RESTORE_TRACKING_JOB, cron: '*/15 * * * *', timezone: 'UTC' },
      ]),
    );
    const queues = await ownerDb().execute<{ name: string; policy: string }>(
      sql`select name, policy from pgboss.queue where name in (${ARCHIVAL_RUN_JOB}, ${RESTORE_TRACKING_JOB}) order by name`,
    );
    expect(queues).toEqual(
      expect.arrayContaining([
        { name: ARCHIVAL_RUN_JOB, policy: 'singleton' },
        { name: RESTORE_TRACKING_JOB, policy: 'singleton' },
      ]),
    );
    expect(queues).toHaveLength(2);
  });
});
