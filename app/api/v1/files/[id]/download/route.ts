import { downloadFileEndpoint, route } from '@/lib/api';
import { getDownloadUrl } from '@/lib/files';

export const GET = route(downloadFileEndpoint, async ({ tx, params, query }) => {
  const { url, expiresAt } = await getDownloadUrl(tx, params.id);
  if (query.redirect) return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store' } });
  return { url, expiresAt };
});
