import 'server-only';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type PgBoss from 'pg-boss';
import { captureError } from '@/lib/errors';
import { recordAudit, SYSTEM_ACTOR } from '@/lib/audit';
import { logger, type TLogger } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';
import { holdJob, releaseJob } from './liveness';

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

/** A run of an audited job in the platform's chain; a failure to record it is logged, never fails the job. */
async function auditRun(
  spec: { name: string; audited?: { title: string } },
  current: PgBoss.Job<unknown>,
  outcome: 'success' | 'failure',
  metadata: Record<string, unknown>,
  log: TLogger,
): Promise<void> {
  if (!spec.audited) return;
  await withPlatform((tx) =>
    recordAudit(tx, {
      tenantId: null,
      type: 'workflow_execution',
      action: `job.${spec.name}`,
      outcome,
      actor: SYSTEM_ACTOR(spec.audited!.title),
      target: { type: 'job', id: current.id, name: spec.name },
      metadata: { ...metadata, data: current.data },
    }),
  ).catch((error: unknown) => log.error({ err: error }, 'could not record the job run in the audit log'));
}

/**
 * The one wrapper of every background job (the jobs twin of route()): a span per job, log lines with the
 * job id and duration, failures logged and rethrown so pg-boss records them and applies the retry policy.
 */
export function job<T extends object>(
  spec: {
    name: string;
    queue: Omit<PgBoss.Queue, 'name'>;
    cron?: string;
    cronData?: T;
    /** Record each run (success or failure, with its result) as a workflow_execution in the platform's audit log. */
    audited?: { title: string };
  },
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
            // Held while the handler runs: if this process dies, others see the job orphaned (liveness.ts).
            await holdJob(current.id);
            const result = await handler({ data: current.data, jobId: current.id, log });
            log.info({ ms: Math.round(performance.now() - started), result }, 'job done');
            await auditRun(spec, current, 'success', { result, ms: Math.round(performance.now() - started) }, log);
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            log.error({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
            await auditRun(spec, current, 'failure', { error: error instanceof Error ? error.message : String(error) }, log);
            // Error analytics (lib/errors): the job's tenant when its data names one, else the platform's.
            const tenantId = (current.data as { tenantId?: unknown } | null)?.tenantId;
            captureError({
              source: 'job',
              error,
              tenantId: typeof tenantId === 'string' ? tenantId : null,
              route: spec.name,
              metadata: { jobId: current.id },
            });
            throw error;
          } finally {
            await releaseJob(current.id).catch((error: unknown) => log.warn({ err: error }, 'could not release the job\'s liveness lock'));
            span.end();
          }
        });
      }
    },
  };
}
