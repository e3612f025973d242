'use client';

import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, InputField } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { confirmEmailAction } from './actions';

const PASSWORD_HINT = 'The password chosen when the account was created.';

/**
 * The password as well as the link: opening a link someone else asked for (or a mail scanner fetching it) must not
 * confirm an account whose password that someone knows.
 */
export function ConfirmForm({ token, email, submitLabel }: { token: string; email: string; submitLabel: string }) {
  const [password, setPassword] = useState('');
  const [isRedirecting, setIsRedirecting] = useState(false);
  const { run, isPending, error, fieldErrors } = useAction(confirmEmailAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run({ token, password });
    if (!result) return;
    setIsRedirecting(true);
    // Signs in on this (apex) host too, so "your organisations" works later; a handoff link covers a portal.
    await signIn('credentials', { redirect: false, email: result.email, password }).catch(() => null);
    window.location.assign(result.url);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && !fieldErrors.password && <Alert>{error.message}</Alert>}
      <Field htmlFor="confirm-email" label="Email">
        <Input id="confirm-email" type="email" value={email} readOnly autoComplete="username" />
      </Field>
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
      <Button type="submit" className="w-full" isPending={isPending || isRedirecting} pendingLabel="Confirming…">
        {submitLabel}
      </Button>
    </form>
  );
}
