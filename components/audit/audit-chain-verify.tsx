'use client';

import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import type { TAuditVerification } from '@/lib/audit';
import { AuditChainStatus } from './audit-chain-status';

/**
 * Verification on demand: walking the chain recomputes every event's hash, seconds on a long history, so it is not
 * part of every page view. Asks GET /api/v1/audit/verify (the same check scripts can run) and shows the result.
 */
export function AuditChainVerify() {
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: TAuditVerification } | { kind: 'failed'; message: string }>({
    kind: 'idle',
  });

  async function verify() {
    setState({ kind: 'running' });
    try {
      const response = await fetch('/api/v1/audit/verify', { headers: { accept: 'application/json' }, cache: 'no-store' });
      const body = (await response.json()) as TAuditVerification & { error?: { message?: string } };
      if (!response.ok) throw new Error(body.error?.message ?? `The server answered ${response.status}`);
      setState({ kind: 'done', result: body });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={() => void verify()} isPending={state.kind === 'running'} pendingLabel="Verifying…">
          Verify the chain
        </Button>
        <p className="text-sm text-slate-500">Recomputes every event’s hash and checks each links to the one before it.</p>
      </div>
      {state.kind === 'done' && <AuditChainStatus verification={state.result} />}
      {state.kind === 'failed' && <Alert tone="error">Could not verify: {state.message}</Alert>}
    </div>
  );
}
