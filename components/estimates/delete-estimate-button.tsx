'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TActionResult } from '@/lib/api';
import { Button } from '@/components/ui/button';
import { useAction } from '@/components/ui/use-action';

interface TDeleteEstimateButtonProps {
  estimateId: string;
  name: string;
  action: (input: { id: string }) => Promise<TActionResult<{ id: string }>>;
}

/** Delete, confirmed by a second click, then back to the list (the detail page no longer exists). */
export function DeleteEstimateButton({ estimateId, name, action }: TDeleteEstimateButtonProps) {
  const router = useRouter();
  const [isConfirming, setIsConfirming] = useState(false);
  const { run, isPending, error } = useAction(action);

  return (
    <div className="flex flex-col items-end gap-1">
      {isConfirming ? (
        <div className="flex items-center gap-2">
          <span className="text-sm text-slate-600">Delete {name}?</span>
          <Button
            variant="danger"
            size="sm"
            isPending={isPending}
            pendingLabel="Deleting…"
            onClick={() => void run({ id: estimateId }, () => router.push('/estimates'))}
          >
            Confirm delete
          </Button>
          <Button variant="ghost" size="sm" disabled={isPending} onClick={() => setIsConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button variant="secondary" onClick={() => setIsConfirming(true)}>
          Delete
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
