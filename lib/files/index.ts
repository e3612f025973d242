export { uploadFile, createPresignedUpload, completeUpload, type TUploader, type TUploadMeta, type TCompletion } from './upload';
export { listFiles, getFile, getDownloadUrl, updateFileStatus, deleteFile } from './files';
export { getStorageUsage, type TFile, type TStorageUsage, type TListFilesQuery } from './repo';
export { processStorageDeletions, startStorageDeletionSweep, reserveUploadCleanup } from './deletion';
export { readUploadBody, type TUploadBody } from './request-body';
export { verifyHotObject } from './integrity';
export { formatBytes, checkFilename, assertSignature, SNIFF_BYTES } from './validation';
