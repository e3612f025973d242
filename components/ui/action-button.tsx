'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TActionResult } from '@/lib/api';
import { Button } from './button';
import { useAction } from './use-action';

interface TActionButtonProps<I> {
  /** A server action made with action() from lib/api. */
  action: (input: I) => Promise<TActionResult<unknown>>;
  input: I;
  label: string;
  pendingLabel: string;
  /** Asks for a second click (no browser dialog) before acting. */
  confirm?: { question: string; label: string };
}

/** A button that runs one server action, refreshes the page on success and shows the error under itself. */
export function ActionButton<I>({ action, input, label, pendingLabel, confirm }: TActionButtonProps<I>) {
  const router = useRouter();
  const [isConfirming, setIsConfirming] = useState(false);
  const { run, isPending, error } = useAction(action);
  const act = () => void run(input, () => router.refresh()).then(() => setIsConfirming(false));

  return (
    <div className="flex flex-col items-end gap-1">
      {confirm && isConfirming ? (
        <div className="flex items-center gap-2">
          <span className="text-xs whitespace-nowrap text-slate-600">{confirm.question}</span>
          <Button size="sm" variant="danger" isPending={isPending} pendingLabel={pendingLabel} onClick={act}>
            {confirm.label}
          </Button>
          <Button size="sm" variant="ghost" disabled={isPending} onClick={() => setIsConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button
          size="sm"
          variant="secondary"
          isPending={!confirm && isPending}
          pendingLabel={pendingLabel}
          onClick={confirm ? () => setIsConfirming(true) : act}
        >
          {label}
        </Button>
      )}
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}
