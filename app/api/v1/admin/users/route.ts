import { adminListUsersEndpoint, decodeCursor, page, route } from '@/lib/api';
import { listAllUsers } from '@/lib/auth';

export const GET = route(adminListUsersEndpoint, async ({ tx, query }) => {
  const rows = await listAllUsers(tx, { search: query.search, limit: query.limit + 1, cursor: decodeCursor(query.cursor) });
  const { items, nextCursor } = page(rows, query.limit);
  return { users: items, nextCursor };
});
