'use client';

import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { TActionResult } from '@/lib/api';
import { cn } from './cn';

export interface TAnnouncement {
  message: string;
  /** Puts back what the action changed with one more server action; `message` then replaces the first. */
  undo?: { run: () => Promise<TActionResult<unknown>>; message: string };
}

type TAnnounce = (announcement: TAnnouncement) => void;

const AnnounceContext = createContext<TAnnounce | null>(null);

/** Shows what a confirmed action did (and its Undo) in the page's status message. */
export function useAnnounce(): TAnnounce {
  const announce = useContext(AnnounceContext);
  if (!announce) throw new Error('useAnnounce needs a <StatusAnnouncer> around the page');
  return announce;
}

type TShown = TAnnouncement & { isError?: boolean };

/**
 * One polite live region for the outcome of confirmed actions. It lives in the layout, so it outlasts the row
 * or page that acted (a deleted row, a redirect), and it keeps its message until dismissed or replaced: an
 * Undo has no deadline. Focus moves to it after an action, since the button that started it may be gone.
 */
export function StatusAnnouncer({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [shown, setShown] = useState<TShown | null>(null);
  const [isUndoing, setIsUndoing] = useState(false);
  const panelRef = useRef<HTMLDivElement>(null);

  const announce = useCallback((next: TShown) => setShown(next), []);

  useEffect(() => {
    if (shown) panelRef.current?.focus();
  }, [shown]);

  async function undo(action: NonNullable<TAnnouncement['undo']>) {
    setIsUndoing(true);
    let result: TActionResult<unknown>;
    try {
      result = await action.run();
    } catch {
      result = { ok: false, error: { code: 'network', message: 'Could not reach the server.', requestId: '' } };
    }
    setIsUndoing(false);
    if (result.ok) router.refresh();
    announce(result.ok ? { message: action.message } : { message: `Could not undo: ${result.error.message}`, isError: true });
  }

  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-4 bottom-4 z-40 flex justify-center sm:left-auto sm:justify-end print:hidden"
      >
        {shown && (
          <div
            ref={panelRef}
            tabIndex={-1}
            onKeyDown={(e) => e.key === 'Escape' && setShown(null)}
            className={cn(
              'pointer-events-auto flex max-w-md items-center gap-3 rounded-md px-4 py-3 text-sm shadow-lg ring-1 focus:outline-2 focus:outline-offset-2 focus:outline-brand',
              shown.isError ? 'bg-red-50 text-red-800 ring-red-200' : 'bg-slate-900 text-white ring-slate-900',
            )}
          >
            <p>{shown.message}</p>
            {shown.undo && (
              <button
                type="button"
                disabled={isUndoing}
                onClick={() => void undo(shown.undo!)}
                className="rounded font-semibold underline underline-offset-2 hover:no-underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white disabled:opacity-60"
              >
                {isUndoing ? 'Undoing…' : 'Undo'}
              </button>
            )}
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => setShown(null)}
              className="ml-auto rounded px-1 text-base leading-none opacity-70 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-current"
            >
              ×
            </button>
          </div>
        )}
      </div>
    </AnnounceContext.Provider>
  );
}
