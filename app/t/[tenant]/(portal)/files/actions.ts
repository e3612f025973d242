'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { requestFileRestore } from '@/lib/archival';
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
    input: z.object({ fileId: ZFileId, days: z.number().int().min(1, 'at least 1 day').max(365, 'at most 365 days') }),
  },
  async ({ data, tx }) => {
    const status = await requestFileRestore(tx, data.fileId, data.days);
    return { fileId: status.fileId, storageTier: status.storageTier };
  },
);
