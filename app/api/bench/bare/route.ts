/**
 * Benchmark baseline (`npm run bench`), inert unless SITEWORK_BENCH_ROUTES=1: answers 404 otherwise.
 *
 * The least a route handler of this build can do: a small JSON answer, no wrapper, no database. The bench measures
 * the request wrapper's routes against it as a ratio, on the same server in the same run.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  if (process.env.SITEWORK_BENCH_ROUTES !== '1') return new Response('Not found', { status: 404 });
  return Response.json({ ok: true });
}
