'use client';

import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { InputField } from '@/components/ui/field';
import { useAction } from '@/components/ui/use-action';
import { resendConfirmationAction } from '../actions';

export function ResendForm() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(resendConfirmationAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSentTo(null);
    const result = await run({ email });
    if (result) setSentTo(result.email);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {sentTo && (
        <Alert tone="success">
          If <strong>{sentTo}</strong> is waiting for confirmation, a new link is on its way to it.
        </Alert>
      )}
      {error && !fieldErrors.email && <Alert>{error.message}</Alert>}
      <InputField
        id="email"
        label="Email"
        error={fieldErrors.email}
        name="email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <Button type="submit" className="w-full" isPending={isPending} pendingLabel="Sending…">
        Send link
      </Button>
    </form>
  );
}
