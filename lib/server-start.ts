import 'server-only';
import { config } from '@/lib/config';
import { startJobs, stopJobsOnSignals } from '@/lib/jobs';
import { startMailDelivery } from '@/lib/mail';
import { logger } from '@/lib/telemetry';
import { assertAppRoleIsRestricted } from '@/lib/tenancy';

/** Start-up of a server process: validate config, refuse an RLS-bypassing role, start the mail outbox and the job queue. */
export async function startServer(): Promise<void> {
  config();
  await assertAppRoleIsRestricted();
  startMailDelivery();
  // pg-boss: nightly archival, Glacier restore tracking, the operator's runs (stopped gracefully on SIGTERM).
  await startJobs();
  stopJobsOnSignals();
  (await import('@/lib/files')).startStorageDeletionSweep();
  logger.info({ appUrl: config().APP_URL }, 'sitework server ready');
}
