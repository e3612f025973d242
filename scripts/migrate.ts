/**
 * `npm run db:migrate` (and the packaged build's migrate.mjs): applies the committed migrations to DATABASE_URL,
 * lets the app role log in with the password derived from NEXTAUTH_SECRET unless DATABASE_APP_URL is set
 * (db/app-role.ts), and creates the S3 buckets that do not exist yet, as `npm start` does. Run it once per
 * deployment, before the web and worker processes start; a second run changes nothing.
 */
import { migrateDatabase } from '../db/migrate';
import { parseConfig } from '../lib/config';

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: point it at the PostgreSQL database to migrate (npm start migrates its embedded one itself)');
  const config = parseConfig(process.env);
  await migrateDatabase(config.DATABASE_URL, { appRoleSecret: process.env.DATABASE_APP_URL ? undefined : config.NEXTAUTH_SECRET });
  process.stdout.write('[sitework] migrations applied\n');
  // Imported once the configuration is known to be valid: lib/storage reads it when loaded.
  const { ensureBuckets } = await import('../lib/storage');
  await ensureBuckets();
  process.stdout.write(`[sitework] S3 buckets ${config.S3_BUCKET} and ${config.S3_ARCHIVE_BUCKET} ready\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[sitework] migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
