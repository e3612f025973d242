/**
 * `npm run worker`: a process that only runs background jobs (archival, Glacier restore tracking, usage
 * warnings and snapshots, retention, invoices) against DATABASE_URL and the configured S3. Web processes run them too;
 * start workers to take that load off the web tier. SIGTERM lets running jobs finish, then exits.
 */
import { existsSync } from 'node:fs';

if (existsSync('.env')) process.loadEnvFile('.env');
for (const [name, value] of Object.entries(process.env)) if (value === '') delete process.env[name];

async function main(): Promise<void> {
  // Imported after .env is loaded: configuration is read from the environment once.
  const { config } = await import('../lib/config');
  const { startJobs, stopJobs } = await import('../lib/jobs');
  const { logger } = await import('../lib/telemetry');
  const { flushErrors, startErrorFlusher } = await import('../lib/errors');
  const { closeDb } = await import('../db/client');

  config();
  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'worker stopping: letting running jobs finish');
    await stopJobs().catch((error) => logger.error({ err: error }, 'stopping the job queue failed'));
    // Failures of the jobs that just ran are in the error buffer: written before the pool closes.
    await flushErrors().catch((error) => logger.error({ err: error }, 'flushing captured errors failed'));
    await closeDb();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  startErrorFlusher();
  await startJobs();
  logger.info('sitework worker started');
}

main().catch((error) => {
  process.stderr.write(`[worker] start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
