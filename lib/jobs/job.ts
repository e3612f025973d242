import 'server-only';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type PgBoss from 'pg-boss';
import { logger, type TLogger } from '@/lib/telemetry';

/** What a job handler gets: its data, the pg-boss job id and a logger that carries both. */
export interface TJobContext<T> {
  data: T;
  jobId: string;
  log: TLogger;
}

export interface TJobDefinition<T extends object = object> {
  name: string;
  /** Queue settings: the policy (singleton: one active job at a time), expiry and retries. */
  queue: Omit<PgBoss.Queue, 'name'>;
  /** Cron schedule (UTC); pg-boss sends it once per slot across all processes. */
  cron?: string;
  cronData?: T;
  run(jobs: PgBoss.Job<T>[]): Promise<void>;
}

const tracer = trace.getTracer('sitework');

/**
 * The one wrapper of every background job (the jobs twin of route()): a span per job, log lines with the
 * job id and duration, failures logged and rethrown so pg-boss records them and applies the retry policy.
 */
export function job<T extends object>(
  spec: { name: string; queue: Omit<PgBoss.Queue, 'name'>; cron?: string; cronData?: T },
  handler: (context: TJobContext<T>) => Promise<unknown>,
): TJobDefinition<T> {
  return {
    ...spec,
    async run(jobs) {
      for (const current of jobs) {
        const log = logger.child({ job: spec.name, jobId: current.id });
        const started = performance.now();
        await tracer.startActiveSpan(`job ${spec.name}`, async (span) => {
          span.setAttribute('job.id', current.id);
          try {
            const result = await handler({ data: current.data, jobId: current.id, log });
            log.info({ ms: Math.round(performance.now() - started), result }, 'job done');
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            log.error({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
            throw error;
          } finally {
            span.end();
          }
        });
      }
    },
  };
}
