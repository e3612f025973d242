import 'server-only';
import { decodeCursor, type TCursor } from '@/lib/api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cursor from the query string, or the first page when it is missing or not one we issued. */
export function cursorFrom(value: string | string[] | undefined): TCursor | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const cursor = decodeCursor(value);
    return cursor && UUID.test(cursor.id) ? cursor : undefined;
  } catch {
    return undefined;
  }
}

export function searchFrom(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 100) : undefined;
}
