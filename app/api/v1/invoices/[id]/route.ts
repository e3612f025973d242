import { getInvoiceEndpoint, route } from '@/lib/api';
import { getInvoice } from '@/lib/billing';

export const GET = route(getInvoiceEndpoint, async ({ tx, caller, params }) => ({ invoice: await getInvoice(tx, caller.tenant.id, params.id) }));
