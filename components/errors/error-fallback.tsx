'use client';

import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import { reportBrowserError } from './report-browser-error';

/**
 * What an error boundary shows: a friendly message and a retry. It reports a browser error once (the reporter drops
 * a repeat of the same error in this page load). Server errors carry a digest, the id the server logged them under:
 * those are already captured by onRequestError with their real message and stack, so they are not reported again.
 */
export function ErrorFallback({ error, reset, title = 'Something went wrong' }: { error: Error & { digest?: string }; reset: () => void; title?: string }) {
  useEffect(() => {
    if (error.digest) return;
    reportBrowserError({ type: error.name || 'Error', message: error.message || '(no message)', stack: error.stack });
  }, [error]);

  return (
    <div role="alert" className="mx-auto max-w-lg rounded-lg bg-white px-6 py-10 text-center shadow-sm ring-1 ring-slate-200">
      <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-sm text-slate-600">
        This page ran into an unexpected error. It has been reported; trying again often helps.
        {error.digest && (
          <>
            {' '}
            If it keeps happening, quote the reference <code className="font-mono text-xs">{error.digest}</code>.
          </>
        )}
      </p>
      <div className="mt-6">
        <Button onClick={reset}>Try again</Button>
      </div>
    </div>
  );
}
