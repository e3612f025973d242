import 'server-only';
import { connectSharedRedis, startChangeListener } from '@/lib/cluster';
import { flushRepeatedFailures, startRepeatedFailureFlusher } from '@/lib/audit';
import { config } from '@/lib/config';
import { flushErrors, startErrorFlusher } from '@/lib/errors';
import { startStorageDeletionSweep } from '@/lib/files';
import { startJobs, stopJobsOnSignals } from '@/lib/jobs';
import { startMailDelivery } from '@/lib/mail';
import { logger } from '@/lib/telemetry';
import { assertAppRoleIsRestricted } from '@/lib/tenancy';
import { flushUsage, startUsageFlusher } from '@/lib/usage';

/**
 * API calls, captured errors and the counts of repeated failures are buffered in memory and flushed in the
 * background; a stop signal flushes what is left, once.
 */
function startBufferedWriter(name: string, start: () => void, flush: () => Promise<object>): void {
  start();
  let isStopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (isStopping) return;
      isStopping = true;
      void flush().then((result) => logger.info({ signal, ...result }, `${name} flushed on shutdown`));
    });
  }
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
  stopJobsOnSignals();
  startStorageDeletionSweep();
  startBufferedWriter('usage', startUsageFlusher, flushUsage);
  startBufferedWriter('errors', startErrorFlusher, flushErrors);
  startBufferedWriter('repeated failures', startRepeatedFailureFlusher, () => flushRepeatedFailures({ all: true }));
  logger.info({ appUrl: config().APP_URL }, 'sitework server ready');
}
