import { timingSafeEqual } from 'node:crypto';
import { metricsEndpoint, route } from '@/lib/api';
import { AppError } from '@/lib/app-error';
import { config } from '@/lib/config';
import { metrics } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const GET = route(metricsEndpoint, async ({ request }) => {
  const expected = config().METRICS_TOKEN;
  if (expected) {
    const given = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    if (!tokenMatches(given, expected)) throw new AppError('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>');
  }
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
});
