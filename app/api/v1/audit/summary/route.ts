import { auditSummaryEndpoint, route } from '@/lib/api';
import { summarizeAudit } from '@/lib/audit';

export const GET = route(auditSummaryEndpoint, async ({ tx, caller, query }) => ({
  period: query.period,
  ...(await summarizeAudit(tx, caller.tenant.id, query.period)),
}));
