'use client';

import { useEffect } from 'react';
import { describeBrowserError, reportBrowserError } from './report-browser-error';

/** Reports errors no React boundary sees (event handlers, timers, rejected promises); renders nothing. */
export function BrowserErrorListener() {
  useEffect(() => {
    const onError = (event: ErrorEvent) => {
      // "Script error." with no error object: a cross-origin script, which the browser tells us nothing about.
      if (!event.error && !event.message) return;
      if (!event.error && event.message === 'Script error.') return;
      const report = event.error ? describeBrowserError(event.error) : { type: 'Error', message: event.message };
      reportBrowserError(report.stack || !event.filename ? report : { ...report, stack: `    at ${event.filename}:${event.lineno}:${event.colno}` });
    };
    const onRejection = (event: PromiseRejectionEvent) => reportBrowserError(describeBrowserError(event.reason, 'UnhandledRejection'));
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    return () => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    };
  }, []);
  return null;
}
