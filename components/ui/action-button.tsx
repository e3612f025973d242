'use client';

import { useRouter } from 'next/navigation';
import type { TActionResult } from '@/lib/api';
import { Button, type TButtonSize } from './button';
import type { TConfirmation } from './confirm-dialog';
import { useAction } from './use-action';
import { useConfirmedAction } from './use-confirmed-action';

interface TActionButtonProps<I> {
  /** A server action made with action() from lib/api. */
  action: (input: I) => Promise<TActionResult<unknown>>;
  input: I;
  label: string;
  pendingLabel: string;
  size?: TButtonSize;
}

/** A button that runs one server action at once, refreshes the page on success and shows the error under itself. */
export function ActionButton<I>({ action, input, label, pendingLabel, size = 'sm' }: TActionButtonProps<I>) {
  const router = useRouter();
  const { run, isPending, error } = useAction(action);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button size={size} variant="secondary" isPending={isPending} pendingLabel={pendingLabel} onClick={() => void run(input, () => router.refresh())}>
        {label}
      </Button>
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}

interface TConfirmedActionButtonProps<I> extends Omit<TActionButtonProps<I>, 'pendingLabel'> {
  confirmation: TConfirmation;
  /** The status message afterwards: "Revoked key ci-deploy." */
  done: string;
  /** Where to go afterwards, when the page acted on no longer exists. */
  redirectTo?: string;
}

/** A button that asks first (ConfirmDialog), then runs the action and says what it did. */
export function ConfirmedActionButton<I>({ action, input, label, size = 'sm', confirmation, done, redirectTo }: TConfirmedActionButtonProps<I>) {
  const router = useRouter();
  const { ask, dialog } = useConfirmedAction(action, redirectTo ? () => router.push(redirectTo) : undefined);
  return (
    <>
      <Button size={size} variant="secondary" onClick={() => ask(input, confirmation, () => ({ message: done }))}>
        {label}
      </Button>
      {dialog}
    </>
  );
}
