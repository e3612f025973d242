import pino from 'pino';
import { trace } from '@opentelemetry/api';

/**
 * JSON-lines logger. Every line carries the active trace and span ids, so a log line leads to its trace;
 * callers add requestId and tenantId through child loggers.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: process.env.OTEL_SERVICE_NAME ?? 'sitework' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { traceId, spanId };
    },
  },
  // Written off the request path: lines queue while a write is under way and leave together, and what is queued is
  // written synchronously when the process exits (pino registers that), so a crash does not lose them.
  pino.destination({ dest: 1, sync: false }),
);

export type TLogger = typeof logger;
