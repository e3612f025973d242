import { decodeCursor, encodeCursor, listInvoicesEndpoint, route } from '@/lib/api';
import { listInvoices } from '@/lib/billing';

export const GET = route(listInvoicesEndpoint, async ({ tx, caller, query }) => {
  // The cursor carries (period start, id): invoices are listed by period.
  const cursor = decodeCursor(query.cursor);
  const rows = await listInvoices(tx, caller.tenant.id, {
    limit: query.limit,
    status: query.status,
    after: cursor ? { periodStart: cursor.createdAt.toISOString().slice(0, 10), id: cursor.id } : undefined,
  });
  const invoices = rows.slice(0, query.limit);
  const last = invoices.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeCursor({ createdAt: new Date(`${last.periodStart}T00:00:00Z`), id: last.id }) : null;
  return { invoices, nextCursor };
});
