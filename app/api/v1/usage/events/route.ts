import { reportUsageEventsEndpoint, route } from '@/lib/api';
import { recordReportedUsageEvents } from '@/lib/usage';

// One statement in the request's transaction: the whole batch is stored or none of it.
export const POST = route(reportUsageEventsEndpoint, async ({ tx, caller, body }) => {
  const { accepted } = await recordReportedUsageEvents(tx, caller.tenant.id, body.events);
  return { accepted, duplicates: body.events.length - accepted };
});
