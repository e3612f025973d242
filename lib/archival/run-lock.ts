import 'server-only';
import { lockSession } from '@/db/client';

/**
 * Liveness of archival runs. A run holds a session advisory lock keyed by its id on this process's own
 * connection for as long as it works; if the process dies, PostgreSQL drops the lock with the connection.
 * A 'running' row whose lock nobody holds is therefore a crashed run, and its files may be taken over.
 */
const LOCK_NAMESPACE = 0x61726368; // 'arch'

const connection = () => lockSession('archival');

export async function lockRun(runId: string): Promise<void> {
  await connection()`select pg_advisory_lock(${LOCK_NAMESPACE}::int, hashtext(${runId}))`;
}

export async function unlockRun(runId: string): Promise<void> {
  await connection()`select pg_advisory_unlock(${LOCK_NAMESPACE}::int, hashtext(${runId}))`;
}

/** First key of every run lock (the second is hashtext(run id)), for the query that finds crashed runs. */
export const RUN_LOCK_NAMESPACE = LOCK_NAMESPACE;
