import 'server-only';
import type PgBoss from 'pg-boss';
import { createReindexRun, failReindexRun, requestVectorIndexing, runReindex, setVectorIndexingSender, type TReindexRun } from '@/lib/estimates';
import { runningJobs } from './boss';
import { type TVectorReindexJobData } from './definitions';
import { VECTOR_INDEX_JOB, VECTOR_REINDEX_JOB } from './names';

/**
 * Lets estimate writes ask for the vector-index job right after they commit (lib/estimates/index-kick.ts), and
 * asks once at start for what was queued while no process ran (the demo seed, a crash) instead of waiting for
 * the minute's cron.
 */
export function connectVectorIndexing(boss: PgBoss | undefined): void {
  setVectorIndexingSender(boss ? () => boss.send(VECTOR_INDEX_JOB, {}) : undefined);
  if (boss) requestVectorIndexing();
}

/**
 * The operator's "rebuild vectors": a queued run row (its id answers at once) handed to the job queue. A
 * process without a queue (tests, scripts) runs it inline and returns it finished.
 */
export async function requestVectorReindex(request: { tenantId?: string; requestedBy: string | null }): Promise<TReindexRun> {
  const run = await createReindexRun(request);
  const boss = runningJobs();
  if (!boss) return runReindex(run.id);
  try {
    const data: TVectorReindexJobData = { runId: run.id };
    await boss.send(VECTOR_REINDEX_JOB, data);
  } catch (error) {
    await failReindexRun(run.id, `Could not queue the run: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return run;
}
