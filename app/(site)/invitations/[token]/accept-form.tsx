'use client';

import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, InputField } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { acceptInvitationAction } from './actions';

const NAME_HINT = 'Only used if this creates a new account.';
const PASSWORD_HINT = 'If you already have an account with this email, enter its password. Otherwise choose one (at least 10 characters).';

/** One form whether or not the email has an account: the page must not tell the inviter which it is. */
export function AcceptForm({ token, email }: { token: string; email: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [isRedirecting, setIsRedirecting] = useState(false);
  const { run, isPending, error, fieldErrors } = useAction(acceptInvitationAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run({ token, password, ...(name.trim() ? { name } : {}) });
    if (!result) return;
    setIsRedirecting(true);
    window.location.assign(result.url);
  }

  const otherError = error && !fieldErrors.name && !fieldErrors.password ? error.message : null;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {otherError && <Alert>{otherError}</Alert>}
      <Field htmlFor="invite-email" label="Email">
        <Input id="invite-email" type="email" value={email} readOnly autoComplete="username" />
      </Field>
      <InputField
        id="name"
        label="Your name"
        hint={NAME_HINT}
        error={fieldErrors.name}
        name="name"
        autoComplete="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <InputField
        id="password"
        label="Password"
        hint={PASSWORD_HINT}
        error={fieldErrors.password}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" className="w-full" isPending={isPending || isRedirecting} pendingLabel="Accepting…">
        Accept invitation
      </Button>
    </form>
  );
}
