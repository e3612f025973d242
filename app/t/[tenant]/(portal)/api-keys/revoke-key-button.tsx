'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useAction } from '@/components/ui/use-action';
import { revokeApiKeyAction } from './actions';

/** Revoke, then a second click to confirm: a revoked key stops working at once and cannot come back. */
export function RevokeKeyButton({ keyId, name }: { keyId: string; name: string }) {
  const router = useRouter();
  const [isConfirming, setIsConfirming] = useState(false);
  const { run, isPending, error } = useAction(revokeApiKeyAction);
  return (
    <div className="flex flex-col items-end gap-1">
      {isConfirming ? (
        <div className="flex items-center gap-2">
          <span className="text-xs whitespace-nowrap text-slate-600">Revoke {name}?</span>
          <Button
            size="sm"
            variant="danger"
            isPending={isPending}
            pendingLabel="Revoking…"
            onClick={() => void run({ keyId }, () => router.refresh()).then(() => setIsConfirming(false))}
          >
            Confirm revoke
          </Button>
          <Button size="sm" variant="ghost" disabled={isPending} onClick={() => setIsConfirming(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button size="sm" variant="secondary" onClick={() => setIsConfirming(true)}>
          Revoke
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
