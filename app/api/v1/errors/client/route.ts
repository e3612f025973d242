import { consumeRequest, reportClientErrorEndpoint, route } from '@/lib/api';
import {
  assertClientReportSize,
  clientReportLimitKeys,
  CLIENT_REPORTS_PER_MINUTE,
  CLIENT_REPORTS_PER_TENANT_PER_MINUTE,
  reportClientError,
} from '@/lib/errors';

export const POST = route(reportClientErrorEndpoint, async ({ request }) => {
  // Cheapest refusals first: a declared oversize body (413), then the per-client and per-tenant rates (429), then
  // the bounded read.
  assertClientReportSize(request);
  const keys = clientReportLimitKeys(request);
  await consumeRequest(keys.client, CLIENT_REPORTS_PER_MINUTE);
  await consumeRequest(keys.tenant, CLIENT_REPORTS_PER_TENANT_PER_MINUTE);
  await reportClientError(request);
  return { accepted: true };
});
