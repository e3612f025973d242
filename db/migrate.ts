import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import path from 'node:path';
import postgres from 'postgres';
import { enableAppRoleLogin } from './app-role';

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

/**
 * Applies the committed migrations as the owning role. An advisory lock makes concurrent starts (several
 * app processes, a worker) wait for one another instead of racing on the same DDL.
 */
export async function migrateDatabase(databaseUrl: string, options: { appRoleSecret?: string } = {}): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(hashtext('sitework.migrate'))`;
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end({ timeout: 5 });
  }
  // The app role's login (db/app-role.ts), unless DATABASE_APP_URL gives its own credentials.
  if (options.appRoleSecret) await enableAppRoleLogin(databaseUrl, options.appRoleSecret);
}
