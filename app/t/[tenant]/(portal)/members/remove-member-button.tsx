'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useAction } from '@/components/ui/use-action';
import { removeMemberAction } from './actions';

/** Remove, then a second click to confirm (no browser dialog). */
export function RemoveMemberButton({ membershipId, name }: { membershipId: string; name: string }) {
  const router = useRouter();
  const [isConfirming, setIsConfirming] = useState(false);
  const { run, isPending, error } = useAction(removeMemberAction);

  return (
    <div className="flex flex-col items-end gap-1">
      {isConfirming ? (
        <div className="flex items-center gap-2">
          <span className="text-xs text-slate-600">Remove {name}?</span>
          <Button
            size="sm"
            variant="danger"
            isPending={isPending}
            pendingLabel="Removing…"
            onClick={() => void run({ membershipId }, () => router.refresh()).then(() => setIsConfirming(false))}
          >
            Confirm remove
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setIsConfirming(false)} disabled={isPending}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button size="sm" variant="secondary" onClick={() => setIsConfirming(true)}>
          Remove
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
