/**
 * `npm run db:migrate`: applies the committed migrations to DATABASE_URL and, unless DATABASE_APP_URL is set, lets
 * the app role log in with the password derived from NEXTAUTH_SECRET (db/app-role.ts). Run it once per deployment,
 * before the web and worker processes start.
 */
import { migrateDatabase } from '../db/migrate';
import { parseConfig } from '../lib/config';

if (!process.env.DATABASE_URL) {
  process.stderr.write('DATABASE_URL is not set (npm start migrates the embedded database itself)\n');
  process.exit(1);
}
const config = parseConfig(process.env);
await migrateDatabase(config.DATABASE_URL, { appRoleSecret: process.env.DATABASE_APP_URL ? undefined : config.NEXTAUTH_SECRET });
process.stdout.write('migrations applied\n');
