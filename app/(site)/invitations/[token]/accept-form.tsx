'use client';

import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { acceptInvitationAction } from './actions';

export function AcceptForm({ token, email, hasAccount }: { token: string; email: string; hasAccount: boolean }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [isRedirecting, setIsRedirecting] = useState(false);
  const { run, isPending, error, fieldErrors } = useAction(acceptInvitationAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run({ token, password, ...(hasAccount ? {} : { name }) });
    if (!result) return;
    setIsRedirecting(true);
    window.location.assign(result.url);
  }

  const passwordHint = hasAccount ? `The password of ${email}.` : 'At least 10 characters.';
  const otherError = error && !fieldErrors.name && !fieldErrors.password ? error.message : null;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <h2 className="text-base font-semibold text-slate-900">{hasAccount ? 'Sign in to accept' : 'Create your account'}</h2>
      {otherError && <Alert>{otherError}</Alert>}
      <Field htmlFor="invite-email" label="Email">
        <Input id="invite-email" type="email" value={email} readOnly autoComplete="username" />
      </Field>
      {!hasAccount && (
        <Field htmlFor="name" label="Your name" error={fieldErrors.name}>
          <Input
            id="name"
            name="name"
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={describedBy('name', { error: fieldErrors.name })}
          />
        </Field>
      )}
      <Field htmlFor="password" label="Password" hint={passwordHint} error={fieldErrors.password}>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete={hasAccount ? 'current-password' : 'new-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={fieldErrors.password ? true : undefined}
          aria-describedby={describedBy('password', { hint: passwordHint, error: fieldErrors.password })}
        />
      </Field>
      <Button type="submit" className="w-full" isPending={isPending || isRedirecting} pendingLabel="Accepting…">
        {hasAccount ? 'Sign in and accept' : 'Create account and accept'}
      </Button>
    </form>
  );
}
