import { downloadFileEndpoint, route } from '@/lib/api';
import { originOf } from '@/lib/audit';
import { getDownloadUrl } from '@/lib/files';

export const GET = route(downloadFileEndpoint, async ({ inTenant, params, query, request, requestId }) => {
  const { url, expiresAt } = await getDownloadUrl(inTenant, params.id, originOf(request.headers, requestId));
  if (query.redirect) return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store' } });
  return { url, expiresAt };
});
