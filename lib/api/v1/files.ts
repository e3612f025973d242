// Endpoint contracts of /api/v1/files (files capability).
import { z } from 'zod';
import { FILE_STATUSES } from '@/db/schema/files';
import { defineEndpoint } from '../endpoint';

export const ZFileIdParams = z.object({ id: z.uuid('must be a UUID') });

const ZBooleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const ZProject = z.string().trim().min(1).max(200);

export const ZUploadQuery = z
  .object({
    filename: z.string().max(1000).optional(),
    project: ZProject.optional(),
    isTemporary: ZBooleanFlag.optional(),
  })
  .strict();

export const ZListFilesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
    status: z.enum(FILE_STATUSES).optional(),
    type: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9]{1,10}$/, 'must be a file extension such as pdf')
      .optional(),
    archived: ZBooleanFlag.optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const ZPresignedUpload = z
  .object({
    name: z.string().min(1).max(1000),
    size: z.number().int().min(0).max(5 * 1024 ** 4),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 in hex (64 characters)')
      .transform((hex) => hex.toLowerCase())
      .optional(),
    contentType: z.string().max(200).optional(),
    project: ZProject.nullable().optional(),
    isTemporary: z.boolean().optional(),
  })
  .strict();

export const ZFileStatusPatch = z.object({ status: z.enum(['processing', 'completed', 'failed']) }).strict();

export const uploadFileEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/files',
  summary:
    'Upload a file, streamed: the raw body with ?filename=, or multipart/form-data with one file part. ' +
    "Refused before storing: type not allowed or content not of that type (415), over the tenant's size " +
    'limit (413), empty or badly named (422), storage quota exceeded (429 quota_exceeded)',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  query: ZUploadQuery,
  successStatus: 201,
  responds: '{ file }',
  // Bytes may flow for minutes: the handler takes short transactions before and after, not one around it.
  transaction: 'handler',
  audit: { type: 'file_upload', action: 'file.upload', target: { type: 'file', from: 'file' } },
});

export const listFilesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/files',
  summary: 'List files, newest first, with filters (status, type = extension, archived, q = filename contains)',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:read',
  query: ZListFilesQuery,
  responds: '{ files: File[], nextCursor }',
});

export const fileUsageEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/files/usage',
  summary: 'Stored bytes (hot and archived) and the storage quota',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:read',
  responds: '{ usage: { hotBytes, archivedBytes, totalBytes, quotaBytes } }',
});

export const getFileEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/files/{id}',
  summary: 'One file',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:read',
  params: ZFileIdParams,
  responds: '{ file }',
});

export const downloadFileEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/files/{id}/download',
  summary:
    'A presigned download URL valid for 5 minutes (?redirect=1 answers 302 to it); archived files answer 409 ' +
    'with how to restore them. The stored object is checked first: one whose size or ETag changed since it was ' +
    'stored fails the file (409)',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:read',
  params: ZFileIdParams,
  query: z.object({ redirect: ZBooleanFlag.optional() }).strict(),
  responds: '{ url, expiresAt }',
  // S3 is asked about the object between two short transactions, none held meanwhile.
  transaction: 'handler',
  audit: { type: 'file_download', action: 'file.download', target: { type: 'file' } },
});

export const updateFileEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/files/{id}',
  summary: 'Move a file through processing: uploaded → processing → completed | failed (failed → processing retries)',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  params: ZFileIdParams,
  body: ZFileStatusPatch,
  responds: '{ file }',
  audit: { type: 'data_modify', action: 'file.status_change', target: { type: 'file', from: 'file' } },
});

export const deleteFileEndpoint = defineEndpoint({
  method: 'DELETE',
  path: '/api/v1/files/{id}',
  summary: 'Delete a file and its stored objects (hot and archived)',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  params: ZFileIdParams,
  audit: { type: 'file_delete', action: 'file.delete', target: { type: 'file' } },
});

export const createUploadEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/files/uploads',
  summary:
    'Start a presigned upload: checks type, size (at most 5 GiB, one PUT) and quota, reserves the bytes and ' +
    'returns a PUT URL valid for S3_UPLOAD_URL_TTL_SECONDS (default 5 minutes) and the headers the PUT must send: ' +
    'Content-Length (the declared size) and, when sha256 is given, x-amz-checksum-sha256; then call ' +
    'POST /api/v1/files/{id}/complete',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  body: ZPresignedUpload,
  successStatus: 201,
  responds: '{ file, uploadUrl, uploadHeaders, expiresAt }',
  audit: { type: 'file_upload', action: 'file.upload_start', target: { type: 'file', from: 'file' } },
});

export const completeUploadEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/files/{id}/complete',
  summary:
    'Finish a presigned upload: checks the uploaded size, copies it to the file (out of the URL\'s reach), checks ' +
    'its signature and the declared SHA-256, and records size, SHA-256 and ETag',
  tag: 'Files',
  access: 'tenant',
  permission: 'files:write',
  params: ZFileIdParams,
  responds: '{ file }',
  // Hashing a large object takes a while: no transaction is held meanwhile.
  transaction: 'handler',
  audit: { type: 'file_upload', action: 'file.upload', target: { type: 'file', from: 'file' } },
});
