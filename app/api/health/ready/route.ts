import { readinessEndpoint, route } from '@/lib/api';
import { checkReadiness } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

export const GET = route(readinessEndpoint, async () => {
  const readiness = await checkReadiness();
  return Response.json(readiness, { status: readiness.status === 'ok' ? 200 : 503 });
});
