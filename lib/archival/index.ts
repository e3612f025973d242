import 'server-only';
import type { TTx } from '@/db/client';
import type { TStorageTier } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';

/** Where a file's restore stands (what the portal and POST /api/v1/files/{id}/restore show). */
export interface TRestoreStatus {
  fileId: string;
  storageTier: TStorageTier;
  restoreRequestedAt: Date | null;
  /** When the bytes are (estimated to be) downloadable again. */
  restoreReadyAt: Date | null;
  /** When the restored copy goes back to cold storage. */
  restoreExpiresAt: Date | null;
}

/** Requests a restore of an archived file of the current tenant for `days` days (inside withTenant). */
export async function requestFileRestore(_tx: TTx, _fileId: string, _days: number): Promise<TRestoreStatus> {
  throw new AppError('unavailable', 'Restoring archived files is not available yet');
}
