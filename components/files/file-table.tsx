'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TActionResult } from '@/lib/api';
import { ConfirmedActionButton } from '@/components/ui/action-button';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { formatBytes, formatDateTime } from '@/components/ui/format';
import { Input } from '@/components/ui/input';
import { Table, Td, Th } from '@/components/ui/table';
import { useAction } from '@/components/ui/use-action';
import type { TFileItem } from './types';

const STATUS_TONE: Record<TFileItem['status'], TBadgeTone> = {
  uploading: 'neutral',
  uploaded: 'blue',
  processing: 'amber',
  completed: 'green',
  failed: 'red',
};

const TIER_LABEL: Record<TFileItem['storageTier'], { label: string; tone: TBadgeTone }> = {
  hot: { label: 'hot', tone: 'green' },
  archived: { label: 'archived', tone: 'neutral' },
  restoring: { label: 'restoring', tone: 'amber' },
  restored: { label: 'restored', tone: 'blue' },
};

type TDeleteAction = (input: { fileId: string }) => Promise<TActionResult<unknown>>;
type TRestoreAction = (input: { fileId: string; days: number }) => Promise<TActionResult<unknown>>;

function DownloadButton({ file }: { file: TFileItem }) {
  const [error, setError] = useState<string | null>(null);
  const [isPending, setIsPending] = useState(false);
  async function download() {
    setIsPending(true);
    setError(null);
    try {
      const response = await fetch(`/api/v1/files/${file.id}/download`);
      const body = (await response.json()) as { url?: string; error?: { message: string } };
      if (response.ok && body.url) window.location.assign(body.url);
      else setError(body.error?.message ?? 'The download link could not be made');
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    } finally {
      setIsPending(false);
    }
  }
  return (
    <div className="flex flex-col items-end gap-1">
      <Button size="sm" variant="secondary" isPending={isPending} pendingLabel="Preparing…" onClick={() => void download()} aria-label={`Download ${file.filename}`}>
        Download
      </Button>
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

function RestoreForm({ file, restoreAction }: { file: TFileItem; restoreAction: TRestoreAction }) {
  const router = useRouter();
  const [days, setDays] = useState('7');
  const { run, isPending, error } = useAction(restoreAction);
  const inputId = `restore-days-${file.id}`;
  return (
    <form
      className="flex flex-col items-end gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        void run({ fileId: file.id, days: Number(days) }, () => router.refresh());
      }}
    >
      <div className="flex items-center gap-2">
        <label htmlFor={inputId} className="text-xs text-slate-600">
          Days
        </label>
        <Input id={inputId} type="number" min={1} max={30} value={days} onChange={(e) => setDays(e.target.value)} className="w-20 py-1" />
        <Button type="submit" size="sm" variant="secondary" isPending={isPending} pendingLabel="Restoring…" aria-label={`Restore ${file.filename}`}>
          Restore
        </Button>
      </div>
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error.message}
        </p>
      )}
    </form>
  );
}

/** The files list with per-row actions and keyset "Load more" through GET /api/v1/files. */
export function FileTable({
  initialFiles,
  initialCursor,
  filterQuery,
  canWrite,
  deleteAction,
  restoreAction,
}: {
  initialFiles: TFileItem[];
  initialCursor: string | null;
  /** The active filters as a query string, kept for the next pages. */
  filterQuery: string;
  canWrite: boolean;
  deleteAction: TDeleteAction;
  restoreAction: TRestoreAction;
}) {
  const [more, setMore] = useState<{ files: TFileItem[]; cursor: string | null; forFirst: TFileItem[] }>({
    files: [],
    cursor: initialCursor,
    forFirst: initialFiles,
  });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [isLoading, setIsLoading] = useState(false);
  // A refreshed first page (after an upload or delete) starts the list over.
  const state = more.forFirst === initialFiles ? more : { files: [], cursor: initialCursor, forFirst: initialFiles };
  const rows = [...initialFiles, ...state.files];

  async function loadMore() {
    if (!state.cursor) return;
    setIsLoading(true);
    setLoadError(null);
    try {
      const params = new URLSearchParams(filterQuery);
      params.set('cursor', state.cursor);
      const response = await fetch(`/api/v1/files?${params}`);
      const body = (await response.json()) as { files?: TFileItem[]; nextCursor?: string | null; error?: { message: string } };
      if (!response.ok || !body.files) throw new Error(body.error?.message ?? 'Could not load more files');
      setMore({ files: [...state.files, ...body.files], cursor: body.nextCursor ?? null, forFirst: initialFiles });
    } catch (error) {
      setLoadError((error as Error).message);
    } finally {
      setIsLoading(false);
    }
  }

  return (
    <>
      <Table caption="Files">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Size</Th>
            <Th>Status</Th>
            <Th>Storage</Th>
            <Th>Project</Th>
            <Th>Uploaded</Th>
            <Th className="text-right">Actions</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((file) => {
            const isCold = file.storageTier === 'archived' || file.storageTier === 'restoring';
            const tier = TIER_LABEL[file.storageTier];
            return (
              <tr key={file.id}>
                <Td className="font-medium text-slate-900">
                  {file.filename}
                  {file.isTemporary && <span className="ml-2 text-xs font-normal text-slate-500">temporary</span>}
                </Td>
                <Td className="whitespace-nowrap">{formatBytes(file.sizeBytes)}</Td>
                <Td>
                  <Badge tone={STATUS_TONE[file.status]}>{file.status}</Badge>
                </Td>
                <Td>
                  <Badge tone={tier.tone}>{tier.label}</Badge>
                  {file.storageTier === 'restoring' && file.restoreReadyAt && (
                    <span className="ml-2 text-xs text-slate-500">ready {formatDateTime(file.restoreReadyAt)}</span>
                  )}
                </Td>
                <Td>{file.project ?? '—'}</Td>
                <Td className="whitespace-nowrap">{formatDateTime(file.createdAt)}</Td>
                <Td>
                  <div className="flex items-start justify-end gap-2">
                    {isCold ? (
                      canWrite && file.storageTier === 'archived' && <RestoreForm file={file} restoreAction={restoreAction} />
                    ) : (
                      file.status !== 'uploading' && <DownloadButton file={file} />
                    )}
                    {canWrite && (
                      <ConfirmedActionButton
                        action={deleteAction}
                        input={{ fileId: file.id }}
                        label="Delete"
                        confirmation={{
                          title: `Delete ${file.filename}?`,
                          description: 'The file and its stored copies are deleted for everyone in this organisation.',
                          confirmLabel: 'Delete file',
                          pendingLabel: 'Deleting…',
                          isIrreversible: true,
                        }}
                        done={`Deleted ${file.filename}.`}
                      />
                    )}
                  </div>
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {(state.cursor || loadError) && (
        <div className="flex flex-col items-center gap-2 border-t border-slate-100 p-3">
          {loadError && (
            <p role="alert" className="text-xs text-red-600">
              {loadError}
            </p>
          )}
          {state.cursor && (
            <Button variant="secondary" size="sm" isPending={isLoading} pendingLabel="Loading…" onClick={() => void loadMore()}>
              Load more
            </Button>
          )}
        </div>
      )}
    </>
  );
}
