import { completeUploadEndpoint, errorResponse, route } from '@/lib/api';
import { completeUpload } from '@/lib/files';

export const POST = route(completeUploadEndpoint, async ({ tx, params, requestId }) => {
  const completion = await completeUpload(tx, params.id);
  // A refused upload is answered, not thrown: its row and object deletion must commit.
  if (!completion.ok) return errorResponse(completion.error, requestId);
  return { file: completion.file };
});
