import { createUploadEndpoint, route } from '@/lib/api';
import { createPresignedUpload } from '@/lib/files';

export const POST = route(createUploadEndpoint, async ({ tx, caller, body }) =>
  createPresignedUpload(tx, caller, {
    name: body.name,
    sizeBytes: body.size,
    sha256: body.sha256,
    contentType: body.contentType,
    project: body.project,
    isTemporary: body.isTemporary,
  }),
);
