'use client';

import { useState } from 'react';
import { AuditChainStatus } from '@/components/audit/audit-chain-status';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { useAction } from '@/components/ui/use-action';
import type { TAuditVerification } from '@/lib/audit';
import { verifyPlatformChainAction } from './actions';

/** Verification of the platform's chain on demand (it walks every event, seconds on a long history). */
export function PlatformChainVerify() {
  const { run, isPending, error } = useAction(verifyPlatformChainAction);
  const [result, setResult] = useState<TAuditVerification | null>(null);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" isPending={isPending} pendingLabel="Verifying…" onClick={() => void run({}, (data) => setResult(data))}>
          Verify the chain
        </Button>
        <p className="text-sm text-slate-500">Recomputes every event’s hash and checks each links to the one before it.</p>
      </div>
      {result && <AuditChainStatus verification={result} />}
      {error && <Alert tone="error">Could not verify: {error.message}</Alert>}
    </div>
  );
}
