import { consumeRequest, reportClientErrorEndpoint, route } from '@/lib/api';
import { assertClientReportSize, clientAddress, CLIENT_REPORTS_PER_MINUTE, reportClientError } from '@/lib/errors';

export const POST = route(reportClientErrorEndpoint, async ({ request }) => {
  // Cheapest refusals first: a declared oversize body (413), then the per-address rate (429), then the bounded read.
  assertClientReportSize(request);
  await consumeRequest(`client-errors:${clientAddress(request)}`, CLIENT_REPORTS_PER_MINUTE);
  await reportClientError(request);
  return { accepted: true };
});
