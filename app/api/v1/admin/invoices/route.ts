import { adminListInvoicesEndpoint, route } from '@/lib/api';
import { listAllInvoices } from '@/lib/billing';

export const GET = route(adminListInvoicesEndpoint, async ({ tx, query }) => {
  const { items, nextCursor } = await listAllInvoices(tx, query);
  return { invoices: items, nextCursor };
});
