import 'server-only';
import { connectSharedRedis, startChangeListener } from '@/lib/cluster';
import { flushRepeatedFailures, startRepeatedFailureFlusher } from '@/lib/audit';
import { config } from '@/lib/config';
import { flushErrors, startErrorFlusher } from '@/lib/errors';
import { startStorageDeletionSweep } from '@/lib/files';
import { startJobs, stopJobs } from '@/lib/jobs';
import { startMailDelivery } from '@/lib/mail';
import { onProcessStop } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';
import { assertAppRoleIsRestricted } from '@/lib/tenancy';
import { flushUsage, startUsageFlusher } from '@/lib/usage';

/** Running jobs get this long to finish on a stop signal: inside the web server's 10 s before it exits regardless. */
const JOBS_STOP_TIMEOUT_MS = 8_000;

/**
 * API calls, captured errors and the counts of repeated failures are buffered in memory and flushed in the
 * background; when the process stops, what is left is written after the last request has finished.
 */
function startBufferedWriter(name: string, start: () => void, flush: () => Promise<object>): void {
  start();
  onProcessStop(name, async () => logger.info(await flush(), `${name} flushed on shutdown`));
}

/**
 * Start-up of a server process: validate config, refuse an RLS-bypassing role, then the background work:
 * the listener of other processes' changes (lib/cluster), mail outbox, job queue (nightly archival, Glacier
 * restore tracking; only sending jobs when RUN_JOBS=false), object-deletion sweep, usage, error and
 * repeated-failure flushers.
 */
export async function startServer(): Promise<void> {
  config();
  await assertAppRoleIsRestricted();
  await startChangeListener();
  await connectSharedRedis();
  startMailDelivery();
  await startJobs({ work: config().RUN_JOBS });
  onProcessStop('job queue', () => stopJobs(JOBS_STOP_TIMEOUT_MS));
  startStorageDeletionSweep();
  startBufferedWriter('usage', startUsageFlusher, flushUsage);
  startBufferedWriter('errors', startErrorFlusher, flushErrors);
  startBufferedWriter('repeated failures', startRepeatedFailureFlusher, () => flushRepeatedFailures({ all: true }));
  logger.info({ appUrl: config().APP_URL }, 'sitework server ready');
}
