import { completeUploadEndpoint, errorResponse, route } from '@/lib/api';
import { completeUpload } from '@/lib/files';

export const POST = route(completeUploadEndpoint, async ({ inTenant, params, requestId }) => {
  const completion = await completeUpload(inTenant, params.id);
  if (!completion.ok) return errorResponse(completion.error, requestId);
  return { file: completion.file };
});
