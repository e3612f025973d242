/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { migrateDatabase } from '../db/migrate';

if (!process.env.DATABASE_URL) {
  process.stderr.write('DATABASE_URL is not set (npm start migrates the embedded database itself)\n');
  process.exit(1);
}
await migrateDatabase(process.env.DATABASE_URL);
process.stdout.write('migrations applied\n');
