'use client';

import { useRouter } from 'next/navigation';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ProgressBar } from '@/components/ui/progress-bar';
import { formatBytes, formatNumber } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';

type TImportMode = 'all_or_nothing' | 'skip_invalid';
type TImportFormat = 'csv' | 'json' | 'jsonl';

/** The answer of POST /api/v1/estimates/import (lib/estimates/import.ts; not imported: that room is server-only). */
interface TImportReport {
  rows: number;
  accepted: number;
  rejected: { line: number; estimate?: string | number; reason: string }[];
  committed: boolean;
}

type TPhase =
  | { kind: 'idle' }
  | { kind: 'uploading'; loadedBytes: number; totalBytes: number }
  | { kind: 'validating' }
  | { kind: 'done'; report: TImportReport }
  | { kind: 'failed'; message: string; report?: TImportReport };

const SHOWN_REJECTIONS = 100;

/** The format from the file's extension: browsers give .jsonl (and often .csv) files no useful MIME type. */
function formatOf(file: File): TImportFormat | null {
  const extension = file.name.toLowerCase().split('.').pop();
  if (extension === 'csv') return 'csv';
  if (extension === 'json') return 'json';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  return null;
}

interface TSendResult {
  status: number;
  report?: TImportReport;
  message?: string;
}

/** Streams the file to the import endpoint with upload progress (XHR: fetch reports none). */
function send(file: File, format: TImportFormat, mode: TImportMode, onProgress: (loadedBytes: number) => void, onSent: () => void): Promise<TSendResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/estimates/import?format=${format}&mode=${mode}`);
    xhr.setRequestHeader('content-type', format === 'csv' ? 'text/csv' : format === 'json' ? 'application/json' : 'application/x-ndjson');
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.upload.onload = () => onSent();
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { import?: TImportReport; error?: { message: string; details?: { import?: TImportReport } } };
        resolve({ status: xhr.status, report: body.import ?? body.error?.details?.import, message: body.error?.message });
      } catch {
        // Not our JSON (a proxy's error page): the status says enough.
        resolve({ status: xhr.status, message: `The import failed (HTTP ${xhr.status})` });
      }
    };
    xhr.onerror = () => resolve({ status: 0, message: 'The upload was interrupted. Check your connection and try again.' });
    xhr.send(file);
  });
}

/** Import estimates from a CSV, JSON or JSON-lines file, with upload progress and the rows that were refused. */
export function ImportPanel() {
  const router = useRouter();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<TImportMode>('all_or_nothing');
  const [phase, setPhase] = useState<TPhase>({ kind: 'idle' });
  const isBusy = phase.kind === 'uploading' || phase.kind === 'validating';
  const format = file ? formatOf(file) : null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file || !format || isBusy) return;
    setPhase({ kind: 'uploading', loadedBytes: 0, totalBytes: file.size });
    const result = await send(
      file,
      format,
      mode,
      (loadedBytes) => setPhase({ kind: 'uploading', loadedBytes, totalBytes: file.size }),
      () => setPhase({ kind: 'validating' }),
    );
    if (result.report && (result.status === 200 || result.status === 201)) {
      setPhase({ kind: 'done', report: result.report });
      if (result.report.committed) {
        setFile(null);
        if (input.current) input.current.value = '';
        router.refresh();
      }
    } else {
      setPhase({ kind: 'failed', message: result.message ?? `The import failed (HTTP ${result.status})`, report: result.report });
    }
  }

  const report = phase.kind === 'done' || phase.kind === 'failed' ? phase.report : undefined;

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-busy={isBusy || undefined}>
      <div className="space-y-1.5">
        <label htmlFor={`${id}-file`} className="block text-sm font-medium text-slate-800">
          File
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          type="file"
          accept=".csv,.json,.jsonl,.ndjson,text/csv,application/json"
          disabled={isBusy}
          aria-describedby={`${id}-file-hint`}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setPhase({ kind: 'idle' });
          }}
          className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200"
        />
        <p id={`${id}-file-hint`} className="text-xs text-slate-500">
          CSV (a header row, then one row per material line; rows with the same <code>estimate</code> key form one estimate), a JSON array of
          estimates, or JSON lines (.jsonl, one estimate per line). Up to 50,000 estimates.
        </p>
        {file && !format && (
          <p className="text-xs font-medium text-red-600" role="alert">
            {file.name} is not a .csv, .json or .jsonl file.
          </p>
        )}
      </div>

      <fieldset className="space-y-1.5" disabled={isBusy}>
        <legend className="text-sm font-medium text-slate-800">If some rows are invalid</legend>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="radio" name={`${id}-mode`} value="all_or_nothing" checked={mode === 'all_or_nothing'} onChange={() => setMode('all_or_nothing')} />
          Import nothing (all or nothing)
        </label>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="radio" name={`${id}-mode`} value="skip_invalid" checked={mode === 'skip_invalid'} onChange={() => setMode('skip_invalid')} />
          Skip the invalid rows and import the rest
        </label>
      </fieldset>

      <Button type="submit" disabled={!file || !format} isPending={isBusy} pendingLabel="Importing…">
        Import
      </Button>

      {phase.kind === 'uploading' && (
        <div className="space-y-1">
          <ProgressBar label="Upload progress" value={phase.loadedBytes} max={Math.max(phase.totalBytes, 1)} />
          <p className="text-xs text-slate-500">
            Uploading {formatBytes(phase.loadedBytes)} of {formatBytes(phase.totalBytes)}
          </p>
        </div>
      )}
      {phase.kind === 'validating' && (
        <p role="status" className="text-sm text-slate-600">
          Validating…
        </p>
      )}

      {phase.kind === 'done' && (
        <Alert tone={phase.report.rejected.length > 0 ? 'warning' : 'success'} title={phase.report.committed ? 'Import complete' : 'Nothing imported'}>
          {formatNumber(phase.report.accepted)} of {formatNumber(phase.report.rows)} estimates imported
          {phase.report.rejected.length > 0 && `, ${formatNumber(phase.report.rejected.length)} rejected`}.
        </Alert>
      )}
      {phase.kind === 'failed' && (
        <Alert tone="error" title="Nothing imported">
          {report
            ? `${formatNumber(report.rejected.length)} of ${formatNumber(report.rows)} estimates were rejected, so none were stored. Fix them, or choose “Skip the invalid rows”.`
            : phase.message}
        </Alert>
      )}

      {report && report.rejected.length > 0 && (
        <div className="rounded-md ring-1 ring-slate-200">
          <Table caption="Rejected rows">
            <thead>
              <tr>
                <Th>Line</Th>
                <Th>Estimate</Th>
                <Th>Reason</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {report.rejected.slice(0, SHOWN_REJECTIONS).map((rejection, i) => (
                <tr key={`${rejection.line}-${i}`}>
                  <Td className="tabular-nums">{rejection.line}</Td>
                  <Td>{rejection.estimate ?? '—'}</Td>
                  <Td className="whitespace-pre-wrap">{rejection.reason}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {report.rejected.length > SHOWN_REJECTIONS && (
            <p className="border-t border-slate-200 px-4 py-2 text-xs text-slate-500">and {formatNumber(report.rejected.length - SHOWN_REJECTIONS)} more</p>
          )}
        </div>
      )}
    </form>
  );
}
