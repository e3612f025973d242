'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { signUpAction } from './actions';

/** A slug suggestion from an organisation name: "Acme Construction Ltd." → "acme-construction-ltd". */
function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

const FIELDS = ['name', 'email', 'password', 'organisationName', 'slug'] as const;

export function SignUpForm({ appHost }: { appHost: string }) {
  const [values, setValues] = useState({ name: '', email: '', password: '', organisationName: '', slug: '' });
  const [isSlugEdited, setIsSlugEdited] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(signUpAction);

  const set = (key: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.target.value;
    setValues((v) => {
      const nextValues = { ...v, [key]: value };
      if (key === 'organisationName' && !isSlugEdited) nextValues.slug = slugify(value);
      return nextValues;
    });
    if (key === 'slug') setIsSlugEdited(true);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run(values);
    if (result) setSentTo(result.email);
  }

  if (sentTo) {
    return (
      <div className="space-y-4">
        <Alert tone="success" title="Check your mail">
          We sent a confirmation link to <strong>{sentTo}</strong>. Open it within 24 hours and enter your password to
          create {values.organisationName}.
        </Alert>
        <p className="text-sm text-slate-600">
          Nothing arrived?{' '}
          <Link href="/verify-email/resend" className="font-medium text-brand hover:underline">
            Send the link again
          </Link>
          .
        </p>
      </div>
    );
  }

  const hasFieldError = FIELDS.some((f) => fieldErrors[f]);
  const input = (key: (typeof FIELDS)[number], props: React.InputHTMLAttributes<HTMLInputElement>, hint?: string) => (
    <Input
      id={key}
      name={key}
      value={values[key]}
      onChange={set(key)}
      aria-invalid={fieldErrors[key] ? true : undefined}
      aria-describedby={describedBy(key, { hint, error: fieldErrors[key] })}
      required
      {...props}
    />
  );

  const slugHint = `Your portal: ${values.slug || 'your-slug'}.${appHost}`;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {error && !hasFieldError && <Alert>{error.message}</Alert>}
      {error && hasFieldError && <Alert>Check the highlighted fields.</Alert>}
      <Field htmlFor="name" label="Your name" error={fieldErrors.name}>
        {input('name', { autoComplete: 'name' })}
      </Field>
      <Field htmlFor="email" label="Email" error={fieldErrors.email}>
        {input('email', { type: 'email', autoComplete: 'email' })}
      </Field>
      <Field htmlFor="password" label="Password" hint="At least 10 characters." error={fieldErrors.password}>
        {input('password', { type: 'password', autoComplete: 'new-password' }, 'At least 10 characters.')}
      </Field>
      <Field htmlFor="organisationName" label="Organisation name" error={fieldErrors.organisationName}>
        {input('organisationName', { autoComplete: 'organization' })}
      </Field>
      <Field htmlFor="slug" label="Slug" hint={slugHint} error={fieldErrors.slug}>
        {input('slug', { autoCapitalize: 'none', spellCheck: false, className: 'font-mono' }, slugHint)}
      </Field>
      <Button type="submit" className="w-full" isPending={isPending} pendingLabel="Sending…">
        Create organisation
      </Button>
    </form>
  );
}
