/**
 * Error-ingest benchmark against the configured database: `count` errors captured through captureError (what the
 * request wrapper, the action wrapper, jobs and the client endpoint call) for `tenants` tenants and `kinds` distinct
 * bugs (each with varying ids in its message, so grouping does real work), written by flushErrors the way the
 * 1-second flusher does. Timed from the first capture until everything is written.
 */
import { randomUUID } from 'node:crypto';
import { captureError, flushErrors } from '@/lib/errors';

export interface TErrorIngestResult {
  errors: number;
  tenants: number;
  kinds: number;
  seconds: number;
  errorsPerSecond: number;
}

function failureOf(kind: number, n: number): Error {
  const error = new Error(`Order ${n} for ${randomUUID()} failed at step ${kind} (user${n % 97}@example.com)`);
  error.name = kind % 3 === 0 ? 'TypeError' : kind % 3 === 1 ? 'RangeError' : 'Error';
  // A stack with in-app frames of the kind's own call site, so each kind is one group.
  error.stack = `${error.name}: ${error.message}\n    at handler${kind} (${process.cwd()}/lib/bench/kind-${kind}.ts:${10 + (n % 5)}:7)\n    at route (${process.cwd()}/lib/api/route.ts:140:20)`;
  return error;
}

export async function benchErrorIngest(tenantIds: string[], count: number, kinds = 50): Promise<TErrorIngestResult> {
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    captureError({
      source: 'server',
      error: failureOf(n % kinds, n),
      tenantId: tenantIds[n % tenantIds.length],
      route: `/api/v1/bench/${n % kinds}`,
      method: 'GET',
      status: 500,
      requestId: randomUUID(),
    });
    // Like the server: the buffer flushes as it fills, and the caller never waits on it except here, to measure.
    if (n % 2000 === 1999) await flushErrors();
  }
  for (;;) {
    const flushed = await flushErrors();
    if (flushed.written === 0 && flushed.kept === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return { errors: count, tenants: tenantIds.length, kinds, seconds, errorsPerSecond: count / seconds };
}
