import { listAuditLogsEndpoint, route } from '@/lib/api';
import { AppError } from '@/lib/app-error';
import { listAuditEvents } from '@/lib/audit';

// The cursor is the last row's sequence number (unique per tenant chain), opaque to callers.
const encodeCursor = (seq: number): string => Buffer.from(JSON.stringify({ seq })).toString('base64url');

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { seq?: unknown };
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0) return seq;
  } catch {
    // Not base64url JSON: refused below like any other cursor this API did not issue.
  }
  throw new AppError('validation_failed', 'Invalid cursor: pass back the nextCursor of the previous page', {
    fields: [{ field: 'cursor', message: 'is not a cursor this API issued' }],
  });
}

export const GET = route(listAuditLogsEndpoint, async ({ tx, caller, query }) => {
  const { limit, cursor, ...filters } = query;
  const rows = await listAuditEvents(tx, caller.tenant.id, { ...filters, limit, beforeSeq: decodeCursor(cursor) });
  const events = rows.slice(0, limit);
  return { events, nextCursor: rows.length > limit ? encodeCursor(events[events.length - 1].seq) : null };
});
