import { billingSummaryEndpoint, route } from '@/lib/api';
import { getBillingSummary } from '@/lib/billing';

export const GET = route(billingSummaryEndpoint, async ({ tx, caller }) => getBillingSummary(tx, caller.tenant.id));
