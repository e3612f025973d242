import { decodeCursor, encodeCursor, listFilesEndpoint, route, uploadFileEndpoint } from '@/lib/api';
import { listFiles, readUploadBody, uploadFile } from '@/lib/files';

export const GET = route(listFilesEndpoint, async ({ tx, query }) => {
  const { items, hasMore } = await listFiles(tx, {
    limit: query.limit,
    cursor: decodeCursor(query.cursor),
    status: query.status,
    type: query.type,
    isArchived: query.archived,
    q: query.q,
  });
  return { files: items, nextCursor: hasMore ? encodeCursor(items[items.length - 1]) : null };
});

// No zod body: the file is streamed from request.body, never parsed or buffered by the wrapper.
export const POST = route(uploadFileEndpoint, async ({ inTenant, caller, query, request }) => {
  const body = await readUploadBody(request);
  const meta = { filename: body.filename, contentType: body.contentType, project: query.project, isTemporary: query.isTemporary };
  return { file: await uploadFile(inTenant, caller, meta, body.stream, body.declaredSizeBytes) };
});
