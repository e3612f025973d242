import { z } from 'zod';
import { defineEndpoint, testRoute } from '@/lib/api';
import { logger } from '@/lib/telemetry';

/**
 * A tenant endpoint that answers after `ms` milliseconds, for the packaged build's test (a request in flight when
 * the server is told to stop must still be answered). Holds no database connection while it waits. Inert unless
 * SITEWORK_TEST_ROUTES=1: answers 404 otherwise.
 */
export const dynamic = 'force-dynamic';

const slowEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/test/slow',
  summary: 'Answers after a delay (tests only)',
  tag: 'Tests',
  access: 'tenant',
  query: z.object({ ms: z.coerce.number().int().min(0).max(10_000) }),
  transaction: 'handler',
  audit: false,
});

export const GET = testRoute(slowEndpoint, async ({ query }) => {
  logger.info({ ms: query.ms }, 'slow test request started');
  await new Promise((resolve) => setTimeout(resolve, query.ms));
  return { waitedMs: query.ms };
});
