'use client';

import { useCallback, useState, useTransition } from 'react';
import type { TActionResult } from '@/lib/api';

export type TActionError = Extract<TActionResult<unknown>, { ok: false }>['error'];

/** Field messages keyed by the first segment of each path (allowedFileTypes.2 → allowedFileTypes). */
export function fieldErrorsOf(error: TActionError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, message } of error?.fields ?? []) {
    const key = field.split('.')[0];
    out[key] ??= message;
  }
  return out;
}

/**
 * Runs a server action in a transition and keeps its error (with field messages) for the form to show.
 * `run` resolves to the data on success and to null on failure.
 */
export function useAction<I, R>(serverAction: (input: I) => Promise<TActionResult<R>>) {
  const [isPending, startTransition] = useTransition();
  const [error, setError] = useState<TActionError | null>(null);

  const run = useCallback(
    (input: I, onSuccess?: (data: R) => void | Promise<void>) =>
      new Promise<R | null>((resolve) => {
        startTransition(async () => {
          let result: TActionResult<R>;
          try {
            result = await serverAction(input);
          } catch {
            result = {
              ok: false,
              error: { code: 'network', message: 'Could not reach the server. Check your connection and try again.', requestId: '' },
            };
          }
          if (result.ok) {
            setError(null);
            await onSuccess?.(result.data);
            resolve(result.data);
          } else {
            setError(result.error);
            resolve(null);
          }
        });
      }),
    [serverAction],
  );

  return { run, isPending, error, fieldErrors: fieldErrorsOf(error), clearError: () => setError(null) };
}
