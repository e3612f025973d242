import 'server-only';
import PgBoss from 'pg-boss';
import { config } from '@/lib/config';
import { logger } from '@/lib/telemetry';
import { JOB_DEFINITIONS } from './definitions';
import { connectVectorIndexing } from './estimates';
import { startOrphanReaper, stopOrphanReaper } from './liveness';
import { SCHEDULE_CATCH_UP_JOB } from './names';

export const JOBS_SCHEMA = 'pgboss';

// Kept on globalThis so Next's dev reloads and the instrumentation hook share one instance per process.
const globalKey = Symbol.for('sitework.jobs');
const holder = globalThis as unknown as Record<symbol, { boss?: PgBoss; starting?: Promise<PgBoss> } | undefined>;
const state = (holder[globalKey] ??= {});

async function ensureQueue(boss: PgBoss, name: string, queue: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  if (await boss.getQueue(name)) {
    await boss.updateQueue(name, { name, ...queue });
    return;
  }
  try {
    await boss.createQueue(name, { name, ...queue });
  } catch (error) {
    // Another process created it in between.
    if (!(await boss.getQueue(name))) throw error;
  }
}

/**
 * Starts pg-boss on the application database (its own schema, as the owning role), creates the queues,
 * registers the workers and the cron schedules, and queues a schedule catch-up so the periods missed while no
 * process ran are run now (`catchUpAtStart: false` leaves that to the hourly tick; tests that must not race it).
 * `work: false` (a web process beside dedicated workers, RUN_JOBS=false) only sends jobs: no workers, no cron,
 * no maintenance. Once per process; later calls return the same instance.
 */
export function startJobs(options: { catchUpAtStart?: boolean; work?: boolean } = {}): Promise<PgBoss> {
  const isWorking = options.work ?? true;
  state.starting ??= (async () => {
    const boss = new PgBoss({
      connectionString: config().DATABASE_URL,
      schema: JOBS_SCHEMA,
      max: isWorking ? 4 : 2,
      application_name: isWorking ? 'sitework-jobs' : 'sitework-jobs-send',
      ...(!isWorking && { supervise: false, schedule: false }),
    });
    boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
    await boss.start();
    for (const definition of JOB_DEFINITIONS) {
      await ensureQueue(boss, definition.name, definition.queue);
      if (!isWorking) continue;
      await boss.work(definition.name, { pollingIntervalSeconds: 2 }, (jobs) => definition.run(jobs as never));
      if (definition.cron) await boss.schedule(definition.name, definition.cron, definition.cronData ?? {}, { tz: 'UTC' });
    }
    // The singleton queue runs one catch-up at a time however many processes start together.
    if (isWorking && (options.catchUpAtStart ?? true)) await boss.send(SCHEDULE_CATCH_UP_JOB, {});
    state.boss = boss;
    if (isWorking) startOrphanReaper();
    connectVectorIndexing(boss);
    logger.info({ queues: JOB_DEFINITIONS.map((d) => d.name) }, 'job queue started');
    return boss;
  })();
  state.starting.catch(() => {
    state.starting = undefined;
  });
  return state.starting;
}

/** Lets running jobs finish (up to `timeoutMs`) and closes the queue's connections. */
export async function stopJobs(timeoutMs = 20_000): Promise<void> {
  const starting = state.starting;
  if (!starting) return;
  state.starting = undefined;
  state.boss = undefined;
  stopOrphanReaper();
  connectVectorIndexing(undefined);
  const boss = await starting.catch(() => undefined);
  await boss?.stop({ graceful: true, wait: true, timeout: timeoutMs });
}

/** The running queue of this process, if started. */
export function runningJobs(): PgBoss | undefined {
  return state.boss;
}
