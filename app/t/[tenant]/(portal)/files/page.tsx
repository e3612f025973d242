import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { FileTable } from '@/components/files/file-table';
import { StorageBar } from '@/components/files/storage-bar';
import type { TFileItem } from '@/components/files/types';
import { UploadZone } from '@/components/files/upload-zone';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Select } from '@/components/ui/select';
import { encodeCursor, ZListFilesQuery } from '@/lib/api';
import { getStorageUsage, listFiles, type TFile } from '@/lib/files';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { deleteFileAction, restoreFileAction } from './actions';

export const metadata: Metadata = { title: 'Files' };

const PAGE_SIZE = 50;
const STATUSES = ['uploaded', 'processing', 'completed', 'failed', 'uploading'] as const;

const toItem = (file: TFile): TFileItem => ({
  id: file.id,
  filename: file.filename,
  extension: file.extension,
  sizeBytes: file.sizeBytes,
  status: file.status,
  project: file.project,
  isTemporary: file.isTemporary,
  storageTier: file.storageTier,
  restoreReadyAt: file.restoreReadyAt?.toISOString() ?? null,
  createdAt: file.createdAt.toISOString(),
});

export default async function FilesPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('files:read')) return <NoAccess title="Files" permission="files:read" />;
  const canWrite = permissions.has('files:write');

  // Filters come from the URL (a GET form); values that do not parse are ignored rather than failing the page.
  const raw = await searchParams;
  const pick = (name: string) => (typeof raw[name] === 'string' && raw[name] !== '' ? (raw[name] as string) : undefined);
  const parsed = ZListFilesQuery.safeParse({ status: pick('status'), type: pick('type'), archived: pick('archived'), q: pick('q'), limit: PAGE_SIZE });
  const filters = parsed.success ? parsed.data : ZListFilesQuery.parse({ limit: PAGE_SIZE });
  const filterQuery = new URLSearchParams(
    Object.entries({ status: pick('status'), type: pick('type'), archived: pick('archived'), q: pick('q'), limit: String(PAGE_SIZE) }).filter(
      (entry): entry is [string, string] => parsed.success && entry[1] !== undefined,
    ),
  ).toString();

  const { page, usage } = await withTenant(tenant.id, async (tx) => ({
    page: await listFiles(tx, { limit: PAGE_SIZE, status: filters.status, type: filters.type, isArchived: filters.archived, q: filters.q }),
    usage: await getStorageUsage(tx),
  }));
  const nextCursor = page.hasMore ? encodeCursor(page.items[page.items.length - 1]) : null;
  const isFiltered = Boolean(filters.status || filters.type || filters.archived !== undefined || filters.q);

  return (
    <>
      <PageHeader title="Files" description="Drawings, models and documents of this organisation." />
      <Card title="Storage" className="mb-6">
        <StorageBar hotBytes={usage.hotBytes} archivedBytes={usage.archivedBytes} quotaBytes={usage.quotaBytes} />
      </Card>
      {canWrite && (
        <Card title="Upload" className="mb-6">
          <UploadZone allowedFileTypes={tenant.settings.allowedFileTypes} maxFileSizeBytes={tenant.settings.maxFileSizeBytes} />
        </Card>
      )}
      <Card
        title="All files"
        isFlush
        actions={
          <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Filter files">
            <Input name="q" defaultValue={filters.q ?? ''} placeholder="Search names" aria-label="Search file names" className="w-44 py-1.5" />
            <Select name="status" defaultValue={filters.status ?? ''} aria-label="Status" className="w-36 py-1.5">
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
            <Select name="type" defaultValue={filters.type ?? ''} aria-label="Type" className="w-28 py-1.5">
              <option value="">Any type</option>
              {tenant.settings.allowedFileTypes.map((t) => (
                <option key={t} value={t}>
                  .{t}
                </option>
              ))}
            </Select>
            <Select name="archived" defaultValue={filters.archived === undefined ? '' : String(filters.archived)} aria-label="Archive state" className="w-36 py-1.5">
              <option value="">Hot and archived</option>
              <option value="false">Not archived</option>
              <option value="true">Archived</option>
            </Select>
            <Button type="submit" size="sm" variant="secondary">
              Filter
            </Button>
          </form>
        }
      >
        {page.items.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={isFiltered ? 'No files match these filters' : 'No files yet'}
              description={isFiltered ? 'Change or clear the filters.' : canWrite ? 'Drop files in the upload area above.' : 'Files uploaded by your team appear here.'}
            />
          </div>
        ) : (
          <FileTable
            initialFiles={page.items.map(toItem)}
            initialCursor={nextCursor}
            filterQuery={filterQuery}
            canWrite={canWrite}
            deleteAction={deleteFileAction}
            restoreAction={restoreFileAction}
          />
        )}
      </Card>
    </>
  );
}
