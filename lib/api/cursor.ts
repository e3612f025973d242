import { AppError } from '@/lib/app-error';

/** Keyset pagination cursor: the (created_at, id) of the last row seen, opaque to callers. */
export interface TCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: TCursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): TCursor | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new AppError('validation_failed', 'Invalid cursor: pass back the nextCursor of the previous page', {
      fields: [{ field: 'cursor', message: 'is not a cursor this API issued' }],
    });
  }
}

/** One page: rows beyond `limit` tell that there is a next page. */
export function page<T extends TCursor>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
}
