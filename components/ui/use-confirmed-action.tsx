'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TActionResult } from '@/lib/api';
import { ConfirmDialog, type TConfirmation } from './confirm-dialog';
import { useAnnounce, type TAnnouncement } from './status-announcer';
import { useAction } from './use-action';

interface TRequest<I, R> {
  input: I;
  confirmation: TConfirmation;
  /** What to tell afterwards (null: the caller says it another way, e.g. by leaving for Checkout). */
  outcome: (data: R) => TAnnouncement | null;
}

/**
 * A server action that runs only after the person confirms it in a dialog, then says what happened (with an
 * Undo where one makes sense). `ask` opens the dialog; render `dialog` anywhere in the component. On success
 * the page refreshes; an `onSuccess` replaces that refresh (a redirect, or a refresh and more).
 */
export function useConfirmedAction<I, R>(serverAction: (input: I) => Promise<TActionResult<R>>, onSuccess?: (data: R) => void) {
  const router = useRouter();
  const announce = useAnnounce();
  const { run, isPending, error, clearError } = useAction(serverAction);
  const [request, setRequest] = useState<TRequest<I, R> | null>(null);

  function ask(input: I, confirmation: TConfirmation, outcome: TRequest<I, R>['outcome']) {
    clearError();
    setRequest({ input, confirmation, outcome });
  }

  async function confirm(current: TRequest<I, R>) {
    const data = await run(current.input);
    if (data === null) return;
    setRequest(null);
    const announcement = current.outcome(data);
    if (announcement) announce(announcement);
    if (onSuccess) onSuccess(data);
    else router.refresh();
  }

  const dialog = request && (
    <ConfirmDialog
      confirmation={request.confirmation}
      isPending={isPending}
      error={error?.message ?? null}
      onConfirm={() => void confirm(request)}
      onCancel={() => setRequest(null)}
    />
  );
  return { ask, dialog, isPending, pendingInput: request?.input };
}
