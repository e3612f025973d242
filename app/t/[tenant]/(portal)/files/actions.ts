'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZRestoreRequest, requestFileRestore } from '@/lib/archival';
import { deleteFile } from '@/lib/files';

const ZFileId = z.uuid('must be a UUID');

export const deleteFileAction = action(
  { name: 'deleteFile', access: 'tenant', permission: 'files:write', input: z.object({ fileId: ZFileId }) },
  async ({ data, tx }) => {
    await deleteFile(tx, data.fileId);
    return { id: data.fileId };
  },
);

export const restoreFileAction = action(
  {
    name: 'restoreFile',
    access: 'tenant',
    permission: 'files:write',
    input: ZRestoreRequest.extend({ fileId: ZFileId }),
    // The copy back (or the Glacier request) is an S3 call: the restore opens short transactions around it.
    transaction: 'handler',
  },
  async ({ data, caller }) => {
    const status = await requestFileRestore(caller.tenant.id, data.fileId, data.days);
    return { fileId: status.fileId, storageTier: status.storageTier };
  },
);
