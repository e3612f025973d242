import 'server-only';
import { createQueuedArchivalRun, failQueuedArchivalRun, runArchival, type TArchivalRun, type TArchivalTrigger } from '@/lib/archival';
import { runningJobs } from './boss';
import { type TArchivalRunJobData } from './definitions';
import { ARCHIVAL_RUN_JOB } from './names';

/**
 * The operator's "run archival now": a queued run row (its id answers at once) handed to the job queue.
 * A process without a queue (tests, one-off scripts) runs it inline and returns it finished.
 */
export async function requestArchivalRun(trigger: TArchivalTrigger = 'manual'): Promise<TArchivalRun> {
  const run = await createQueuedArchivalRun(trigger);
  const boss = runningJobs();
  if (!boss) return runArchival({ trigger, runId: run.id });
  try {
    const data: TArchivalRunJobData = { trigger, runId: run.id };
    await boss.send(ARCHIVAL_RUN_JOB, data);
  } catch (error) {
    await failQueuedArchivalRun(run.id, `Could not queue the run: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return run;
}
