import 'server-only';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js/session';
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

/**
 * Statements with at most this many parameters run as prepared statements. postgres.js sends a statement with
 * parameters that its connection has not prepared in two round trips (it asks PostgreSQL for the parameter types
 * first), and drizzle asks for every statement unprepared: so every query with a parameter cost two round trips.
 * Prepared, a statement pays that once per connection. Statements with more parameters (multi-row inserts, long
 * IN lists) vary in shape from call to call and would pile up prepared statements on the server: they stay unprepared.
 */
const PREPARED_MAX_PARAMETERS = 32;

/** `sql` with drizzle's statements prepared (see PREPARED_MAX_PARAMETERS); everything else as postgres.js has it. */
function preparing<S extends postgres.Sql>(sql: S): S {
  const unsafe: postgres.Sql['unsafe'] = (query, parameters, options) =>
    sql.unsafe(query, parameters, { ...options, prepare: (parameters?.length ?? 0) <= PREPARED_MAX_PARAMETERS });
  return new Proxy(sql, { get: (target, name) => (name === 'unsafe' ? unsafe : Reflect.get(target, name)) });
}

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
    owner: drizzle(preparing(ownerSql), { schema }),
    app: drizzle(preparing(appSql), { schema }),
  };
}

function db(): TConnections {
  pools.connections ??= connect();
  return pools.connections;
}

/** Connection for request code: runs as sitework_app, sees only the tenant set by withTenant. */
export const appDb = (): TDb => db().app;

/**
 * One transaction whose opening costs no round trip of its own: BEGIN, the `prelude` statements (e.g. setting the
 * tenant) and the first statement of `fn` leave in one write to PostgreSQL, and only COMMIT (or ROLLBACK) follows
 * on its own. drizzle's `transaction` (postgres.js `begin`) waits for BEGIN's answer before anything else, and each
 * prelude statement for its own: two round trips more, each a write and a wake-up of both sides. `pool` is 'app'
 * (request code, sitework_app) or 'owner' (platform work).
 *
 * postgres.js queues a reserved connection's statements in order and sends what was queued within one turn of the
 * event loop together; PostgreSQL runs them in order, so the prelude has run before `fn`'s first statement. A
 * failed prelude is the error reported (the statements after it fail only because the transaction is aborted).
 */
export async function pipelinedTransaction<T>(
  pool: 'app' | 'owner',
  prelude: (sql: postgres.Sql) => postgres.PendingQuery<postgres.Row[]>[],
  fn: (tx: TTx) => Promise<T>,
): Promise<T> {
  const connections = db();
  const reserved = await (pool === 'app' ? connections.appSql : connections.ownerSql).reserve();
  let isOpen = false;
  try {
    // execute() queues each statement now, in this order; awaiting alone would queue them a microtask later,
    // after a statement fn starts at once.
    const opening = Promise.all([reserved`begin`, ...prelude(reserved)].map((statement) => statement.execute()));
    isOpen = true;
    // A real promise, so that the two waits below run fn's statement once (a drizzle query runs on each then()).
    const work = (async () => fn(transactionOn(reserved, connections[pool])))();
    // Rejected together when the prelude failed: the prelude's error is the one thrown, and the work's must not go unhandled.
    work.catch(() => {});
    await opening;
    const result = await work;
    await reserved`commit`;
    isOpen = false;
    return result;
  } catch (error) {
    if (isOpen) await reserved`rollback`.catch(() => {});
    throw error;
  } finally {
    reserved.release();
  }
}

/** drizzle's transaction object over a reserved connection with BEGIN already sent; nested transactions are savepoints. */
function transactionOn(reserved: postgres.ReservedSql, db: TDb): TTx {
  type TSessionParts = ConstructorParameters<typeof PostgresJsSession>;
  const { dialect, schema: tables, options } = (db as unknown as { session: { dialect: TSessionParts[1]; schema: TSessionParts[2]; options: TSessionParts[3] } }).session;
  let savepoints = 0;
  const client = Object.assign(preparing(reserved), {
    // What drizzle's tx.transaction() calls: the same connection, inside a savepoint.
    savepoint: async <R>(inner: (sql: postgres.Sql) => Promise<R>): Promise<R> => {
      const name = `sp_${++savepoints}`;
      await reserved.unsafe(`savepoint ${name}`);
      try {
        const result = await inner(client);
        await reserved.unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await reserved.unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  });
  const session = new PostgresJsSession(client as unknown as TSessionParts[0], dialect, tables, options);
  // Without the schema: drizzle would build a relational query builder per table for every transaction, which
  // request code rarely uses. tx.query builds them on first use.
  const tx = new PostgresJsTransaction(dialect, session as never, undefined);
  let query: unknown;
  Object.defineProperty(tx, 'query', { get: () => (query ??= new PostgresJsTransaction(dialect, session as never, tables).query) });
  return tx as unknown as TTx;
}

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
