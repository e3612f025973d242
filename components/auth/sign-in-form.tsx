'use client';

import { signIn } from 'next-auth/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

/** next-auth reports a thrown authorize() error by its message; a bare refusal has this generic code. */
function messageOf(error: string): string {
  if (error === 'CredentialsSignin') return 'Wrong email or password.';
  return error;
}

export interface TSignInFormProps {
  /** Where to go once signed in (a same-origin path). */
  next: string;
  /** A handoff token from another host: signs in with it at once, without the password. */
  handoff?: string;
}

/** Email and password sign-in (apex and tenant hosts), and the automatic sign-in of a handoff link. */
export function SignInForm({ next, handoff }: TSignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isPending, setIsPending] = useState(Boolean(handoff));
  const hasTriedHandoff = useRef(false);

  useEffect(() => {
    if (!handoff || hasTriedHandoff.current) return;
    hasTriedHandoff.current = true;
    void (async () => {
      const result = await signIn('credentials', { redirect: false, handoff });
      if (result?.ok && !result.error) {
        window.location.assign(next);
        return;
      }
      setError(messageOf(result?.error ?? 'This sign-in link did not work. Sign in with your password.'));
      setIsPending(false);
    })();
  }, [handoff, next]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIsPending(true);
    setError(null);
    try {
      const result = await signIn('credentials', { redirect: false, email, password });
      if (result?.ok && !result.error) {
        window.location.assign(next);
        return;
      }
      setError(messageOf(result?.error ?? 'Sign-in failed. Try again.'));
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    }
    setIsPending(false);
  }

  if (handoff && isPending && !error) {
    return (
      <p role="status" className="text-sm text-slate-600">
        Signing you in…
      </p>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field htmlFor="email" label="Email">
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </Field>
      <Field htmlFor="password" label="Password">
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <Button type="submit" className="w-full" isPending={isPending} pendingLabel="Signing in…">
        Sign in
      </Button>
    </form>
  );
}
