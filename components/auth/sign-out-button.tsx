'use client';

import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { Button, type TButtonVariant } from '@/components/ui/button';

export function SignOutButton({ callbackUrl = '/sign-in', variant = 'secondary' }: { callbackUrl?: string; variant?: TButtonVariant }) {
  const [isPending, setIsPending] = useState(false);
  return (
    <Button
      size="sm"
      variant={variant}
      isPending={isPending}
      pendingLabel="Signing out…"
      onClick={() => {
        setIsPending(true);
        void signOut({ callbackUrl });
      }}
    >
      Sign out
    </Button>
  );
}
