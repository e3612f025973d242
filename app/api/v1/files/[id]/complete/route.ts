import { completeUploadEndpoint, route } from '@/lib/api';
import { completeUpload } from '@/lib/files';

export const POST = route(completeUploadEndpoint, async ({ inTenant, params }) => {
  // A refused completion has already discarded the upload (committed); thrown, so it is answered and audited as one.
  const completion = await completeUpload(inTenant, params.id);
  if (!completion.ok) throw completion.error;
  return { file: completion.file };
});
