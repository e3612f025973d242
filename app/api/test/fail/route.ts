import { defineEndpoint, route } from '@/lib/api';

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

const fail = route(failEndpoint, async () => {
  throw new Error('Test failure for order 12345');
});

export async function GET(request: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
  if (process.env.SITEWORK_TEST_ROUTES !== '1') return new Response('Not found', { status: 404 });
  return fail(request, context);
}
