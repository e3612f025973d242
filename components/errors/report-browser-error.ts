/**
 * Sends a browser error to POST /api/v1/errors/client, fire and forget. A page load sends at most a few reports and
 * each distinct error once: an error loop in a tab must not flood the endpoint (which also rate limits per address).
 */
const MAX_REPORTS_PER_PAGE_LOAD = 5;
/** The endpoint refuses bodies over 16 KiB with 413; stay under it with room for JSON escaping. */
const MAX_BODY_BYTES = 15 * 1024;
const ENDPOINT = '/api/v1/errors/client';

let reportsSent = 0;
const reported = new Set<string>();

export interface TBrowserErrorReport {
  message: string;
  type: string;
  stack?: string;
  componentStack?: string;
  digest?: string;
}

const clip = (text: string | undefined, maxChars: number) => (text === undefined ? undefined : text.slice(0, maxChars));

/** What was thrown or rejected, as a report: an Error's name, message and stack, or the value as text. */
export function describeBrowserError(thrown: unknown, fallbackType = 'Error'): TBrowserErrorReport {
  if (thrown instanceof Error) {
    return { type: thrown.name || fallbackType, message: thrown.message || '(no message)', stack: thrown.stack };
  }
  let message: string;
  try {
    message = typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown);
  } catch {
    message = String(thrown);
  }
  return { type: fallbackType, message: message || '(no message)' };
}

function bodyOf(report: TBrowserErrorReport, stackChars: number, withComponentStack: boolean): string {
  return JSON.stringify({
    message: clip(report.message, 2000),
    type: clip(report.type, 200),
    stack: clip(report.stack, stackChars),
    url: clip(window.location.href, 2000),
    userAgent: clip(navigator.userAgent, 512),
    componentStack: withComponentStack ? clip(report.componentStack, 4000) : undefined,
    digest: clip(report.digest, 200),
  });
}

export function reportBrowserError(report: TBrowserErrorReport): void {
  if (typeof window === 'undefined' || reportsSent >= MAX_REPORTS_PER_PAGE_LOAD) return;
  const key = `${report.type}\n${report.message}\n${report.digest ?? ''}`;
  if (reported.has(key)) return;
  reported.add(key);
  reportsSent += 1;

  let body = bodyOf(report, 8000, true);
  // Multi-byte text can still exceed the limit: drop the component stack, then shorten the stack.
  if (new Blob([body]).size > MAX_BODY_BYTES) body = bodyOf(report, 4000, false);
  if (new Blob([body]).size > MAX_BODY_BYTES) body = bodyOf({ ...report, message: report.message.slice(0, 500) }, 1000, false);
  try {
    // keepalive: the report survives a navigation or reload right after the error (the retry button, a redirect).
    void fetch(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body, keepalive: true, credentials: 'same-origin' }).catch(() => {});
  } catch {
    // Reporting must never raise an error of its own.
  }
}
