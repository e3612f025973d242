'use client';

import { ErrorFallback } from '@/components/errors/error-fallback';
import './globals.css';

/** The last boundary: an error in the root layout itself. It replaces the whole document, hence html and body. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 px-4 py-16">
        <ErrorFallback error={error} reset={reset} />
      </body>
    </html>
  );
}
