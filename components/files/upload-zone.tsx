'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type DragEvent } from 'react';
import { cn } from '@/components/ui/cn';
import { formatBytes } from '@/components/ui/format';

interface TUpload {
  key: string;
  name: string;
  loadedBytes: number;
  totalBytes: number;
  state: 'uploading' | 'done' | 'refused';
  message?: string;
}

/** Sends one file to POST /api/v1/files with progress (XHR: fetch has no upload progress). */
function send(file: File, onProgress: (loadedBytes: number) => void): Promise<{ ok: boolean; message?: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/files?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status === 201) return resolve({ ok: true });
      let message = `Upload failed (HTTP ${xhr.status})`;
      try {
        message = (JSON.parse(xhr.responseText) as { error: { message: string } }).error.message;
      } catch {
        // Not our JSON error (a proxy's page): the status says enough.
      }
      resolve({ ok: false, message });
    };
    xhr.onerror = () => resolve({ ok: false, message: 'The upload was interrupted. Check your connection and try again.' });
    xhr.send(file);
  });
}

/** Drag-and-drop zone and file picker; each file uploads on its own with a progress bar. */
export function UploadZone({ allowedFileTypes, maxFileSizeBytes }: { allowedFileTypes: string[]; maxFileSizeBytes: number }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<TUpload[]>([]);
  const [isOver, setIsOver] = useState(false);

  const update = (key: string, change: Partial<TUpload>) =>
    setUploads((prev) => prev.map((u) => (u.key === key ? { ...u, ...change } : u)));

  async function uploadAll(list: FileList | null) {
    const chosen = Array.from(list ?? []);
    if (chosen.length === 0) return;
    const started = chosen.map((file) => ({
      file,
      upload: { key: `${file.name}-${crypto.randomUUID()}`, name: file.name, loadedBytes: 0, totalBytes: file.size, state: 'uploading' as const },
    }));
    setUploads((prev) => [...started.map((s) => s.upload), ...prev]);
    await Promise.all(
      started.map(async ({ file, upload }) => {
        const result = await send(file, (loadedBytes) => update(upload.key, { loadedBytes }));
        update(upload.key, result.ok ? { state: 'done', loadedBytes: file.size } : { state: 'refused', message: result.message });
      }),
    );
    if (input.current) input.current.value = '';
    router.refresh();
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setIsOver(false);
    void uploadAll(event.dataTransfer.files);
  }

  return (
    <div className="space-y-3">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setIsOver(true);
        }}
        onDragLeave={() => setIsOver(false)}
        onDrop={drop}
        className={cn(
          'rounded-lg border-2 border-dashed px-6 py-8 text-center transition-colors',
          isOver ? 'border-brand bg-slate-50' : 'border-slate-300',
        )}
      >
        <p className="text-sm text-slate-700">Drop files here, or</p>
        <label className="mt-2 inline-block cursor-pointer rounded-md bg-brand px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:brightness-110 focus-within:outline-2 focus-within:outline-offset-2">
          Choose files
          <input ref={input} type="file" multiple className="sr-only" onChange={(e) => void uploadAll(e.target.files)} aria-label="Choose files to upload" />
        </label>
        <p className="mt-2 text-xs text-slate-500">
          {allowedFileTypes.map((t) => `.${t}`).join(', ')} up to {formatBytes(maxFileSizeBytes)} each
        </p>
      </div>
      {uploads.length > 0 && (
        <ul className="space-y-2" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.key} className="rounded-md bg-slate-50 px-3 py-2 text-sm ring-1 ring-slate-200">
              <div className="flex items-center justify-between gap-3">
                <span className="truncate font-medium text-slate-900">{u.name}</span>
                <span className="shrink-0 text-xs text-slate-500">
                  {u.state === 'done' ? 'Uploaded' : u.state === 'refused' ? 'Refused' : `${formatBytes(u.loadedBytes)} of ${formatBytes(u.totalBytes)}`}
                </span>
              </div>
              <progress
                className="mt-1.5 h-1.5 w-full accent-brand"
                max={Math.max(u.totalBytes, 1)}
                value={u.state === 'refused' ? 0 : u.loadedBytes}
                aria-label={`Upload progress for ${u.name}`}
              />
              {u.state === 'refused' && (
                <p role="alert" className="mt-1 text-xs text-red-600">
                  {u.name}: {u.message}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
