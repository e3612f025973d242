import 'server-only';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { config } from '@/lib/config';
import { processWide } from '@/lib/runtime';
import * as schema from './schema';

export type TDb = PostgresJsDatabase<typeof schema>;
export type TTx = Parameters<Parameters<TDb['transaction']>[0]>[0];


interface TConnections {
  ownerSql: postgres.Sql;
  appSql: postgres.Sql;
  owner: TDb;
  app: TDb;
}

// One pair of pools per process, shared by every route bundle (lib/runtime).
const pools = processWide<{ connections?: TConnections }>('db-pools', () => ({}));

function connect(): TConnections {
  const { DATABASE_URL, DATABASE_APP_URL, DATABASE_POOL_MAX, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS } = config();
  const common = { onnotice: () => {}, max: DATABASE_POOL_MAX, idle_timeout: 60 } as const;
  // PostgreSQL cancels a statement running longer than the pool's statement_timeout (the transaction then rolls
  // back). No idle_in_transaction_session_timeout: when it ends a session, postgres.js 3.4 reconnects and runs the
  // rest of the dead transaction's statements outside any transaction. Transactions stay short by construction
  // instead: no network call inside one (claim → call → record), and every outbound client has a timeout.
  const ownerSql = postgres(DATABASE_URL, {
    ...common,
    max: Math.max(2, Math.ceil(DATABASE_POOL_MAX / 2)),
    connection: { statement_timeout: DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS },
  });
  // Logged in as sitework_app itself (db/app-role.ts): no RESET ROLE leads back to a privileged role.
  const appSql = postgres(DATABASE_APP_URL, { ...common, connection: { statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS } });
  return {
    ownerSql,
    appSql,
    owner: drizzle(ownerSql, { schema }),
    app: drizzle(appSql, { schema }),
  };
}

function db(): TConnections {
  pools.connections ??= connect();
  return pools.connections;
}

/** Connection for request code: runs as sitework_app, sees only the tenant set by withTenant. */
export const appDb = (): TDb => db().app;

/**
 * Connection for platform-wide work (tenant resolution, sign-in, jobs, the operator console).
 * Runs as the owning role, which row-level security lets through. Only lib/tenancy hands it out.
 */
export const ownerDb = (): TDb => db().owner;

// Other pools on the same database (the archival run lock's dedicated connection) close with ours.
const extraPools = processWide('db-extra-pools', () => new Set<() => Promise<void>>());
export function closeWithDb(end: () => Promise<void>): void {
  extraPools.add(end);
}

// Long-lived sessions by name, one per process (lib/runtime), closed with the pools.
const lockSessions = processWide('db-lock-sessions', () => new Map<string, postgres.Sql>());

/**
 * A session of the owner role (DATABASE_URL) that lives as long as the process, for session-level advisory locks
 * that say "this process is alive and holds X": no idle timeout or maximum lifetime, which would silently drop them.
 * Its application_name is `sitework-{name}:{pid}`, so an operator can tell which process holds what.
 */
export function lockSession(name: string): postgres.Sql {
  const existing = lockSessions.get(name);
  if (existing) return existing;
  const session = postgres(config().DATABASE_URL, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: 0,
    onnotice: () => {},
    connection: { application_name: `sitework-${name}:${process.pid}` },
  });
  lockSessions.set(name, session);
  closeWithDb(async () => {
    if (lockSessions.get(name) === session) lockSessions.delete(name);
    await session.end({ timeout: 5 });
  });
  return session;
}

export async function closeDb(): Promise<void> {
  const ends = [...extraPools];
  extraPools.clear();
  await Promise.all(ends.map((end) => end().catch(() => {})));
  if (!pools.connections) return;
  const { ownerSql, appSql } = pools.connections;
  pools.connections = undefined;
  await Promise.all([ownerSql.end({ timeout: 5 }), appSql.end({ timeout: 5 })]);
}

export { schema };
