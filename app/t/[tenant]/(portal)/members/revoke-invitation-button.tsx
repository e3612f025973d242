'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { useAction } from '@/components/ui/use-action';
import { revokeInvitationAction } from './actions';

export function RevokeInvitationButton({ invitationId }: { invitationId: string }) {
  const router = useRouter();
  const { run, isPending, error } = useAction(revokeInvitationAction);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="secondary"
        isPending={isPending}
        pendingLabel="Revoking…"
        onClick={() => void run({ invitationId }, () => router.refresh())}
      >
        Revoke
      </Button>
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}
