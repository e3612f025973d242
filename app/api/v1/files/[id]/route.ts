import { deleteFileEndpoint, getFileEndpoint, route, updateFileEndpoint } from '@/lib/api';
import { deleteFile, getFile, updateFileStatus } from '@/lib/files';

export const GET = route(getFileEndpoint, async ({ tx, params }) => ({ file: await getFile(tx, params.id) }));

export const PATCH = route(updateFileEndpoint, async ({ tx, params, body }) => ({
  file: await updateFileStatus(tx, params.id, body.status),
}));

export const DELETE = route(deleteFileEndpoint, async ({ tx, params }) => {
  await deleteFile(tx, params.id);
});
