/**
 * `npm run worker`: a process that only runs background jobs (archival, Glacier restore tracking, usage
 * warnings and snapshots, retention, invoices) against DATABASE_URL and the configured S3. Web processes run them too;
 * start workers to take that load off the web tier. SIGTERM lets running jobs finish, then exits.
 */
import { existsSync } from 'node:fs';

if (existsSync('.env')) process.loadEnvFile('.env');
for (const [name, value] of Object.entries(process.env)) if (value === '') delete process.env[name];

/** A start-up problem the message says all about (a missing or bad setting): printed without a stack trace. */
class StartRefusal extends Error {}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new StartRefusal('DATABASE_URL is not set: point it at the PostgreSQL database whose jobs this worker runs');
  // Imported after .env is loaded: configuration is read from the environment once.
  const { config, ConfigError } = await import('../lib/config');
  try {
    config();
  } catch (error) {
    throw error instanceof ConfigError ? new StartRefusal(error.message) : error;
  }
  const { startJobs, stopJobs } = await import('../lib/jobs');
  const { logger } = await import('../lib/telemetry');
  const { flushErrors, startErrorFlusher } = await import('../lib/errors');
  const { closeDb } = await import('../db/client');

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
  const description = error instanceof StartRefusal ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[worker] start failed: ${description}\n`);
  process.exit(1);
});
