import { AppError } from '@/lib/app-error';
import { getTenant, withTenant } from '@/lib/tenancy';

/**
 * Benchmark baseline (`npm run bench`), inert unless SITEWORK_BENCH_ROUTES=1: answers 404 otherwise.
 *
 * The same SQL and transaction as GET /api/v1/tenant — withTenant (BEGIN, set_config, the tenants ⋈
 * tenant_settings select, COMMIT as sitework_app under row-level security) — and nothing else of the
 * request wrapper: no request id, span, caller or API-key resolution, permission check, rate limit, zod
 * validation, metrics or logs. Unauthenticated by design, which is why it is switched off by default.
 */
export const dynamic = 'force-dynamic';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function GET(request: Request): Promise<Response> {
  if (process.env.SITEWORK_BENCH_ROUTES !== '1') return new Response('Not found', { status: 404 });
  const id = new URL(request.url).searchParams.get('id') ?? request.headers.get('x-bench-tenant-id') ?? '';
  // Only so that a typo answers 400 rather than a database error; one regex test, not the wrapper's zod.
  if (!UUID_PATTERN.test(id)) return Response.json({ error: 'id must be a tenant uuid' }, { status: 400 });
  try {
    return Response.json({ tenant: await withTenant(id, (tx) => getTenant(tx, id)) });
  } catch (error) {
    if (error instanceof AppError) return Response.json({ error: error.message }, { status: error.status });
    throw error;
  }
}
