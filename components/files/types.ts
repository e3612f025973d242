/** A file row as the portal's client components receive it (dates as ISO strings). */
export interface TFileItem {
  id: string;
  filename: string;
  extension: string;
  sizeBytes: number;
  status: 'uploading' | 'uploaded' | 'processing' | 'completed' | 'failed';
  project: string | null;
  isTemporary: boolean;
  storageTier: 'hot' | 'archived' | 'restoring' | 'restored';
  restoreReadyAt: string | null;
  createdAt: string;
}
