import { defineEndpoint, testRoute } from '@/lib/api';

/**
 * A tenant endpoint that always throws, for the e2e suite (an unexpected error must answer 500 with a request id and
 * nothing internal, and land in the tenant's error groups). Inert unless SITEWORK_TEST_ROUTES=1: answers 404 otherwise.
 */
export const dynamic = 'force-dynamic';

const failEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/test/fail',
  summary: 'Throws an unexpected error (tests only)',
  tag: 'Tests',
  access: 'tenant',
  audit: false,
});

export const GET = testRoute(failEndpoint, async () => {
  throw new Error('Test failure for order 12345');
});
