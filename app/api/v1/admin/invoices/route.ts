import { adminListInvoicesEndpoint, route } from '@/lib/api';
import { listAllInvoices } from '@/lib/billing';

export const GET = route(adminListInvoicesEndpoint, async ({ tx, query }) => ({ invoices: await listAllInvoices(tx, query) }));
