'use client';

import { signIn } from 'next-auth/react';
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
  const [isRedirecting, setIsRedirecting] = useState(false);
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
    if (!result) return;
    setIsRedirecting(true);
    // Signs in on this (apex) host too, so "your organisations" works later; the handoff covers the portal.
    await signIn('credentials', { redirect: false, email: values.email, password: values.password }).catch(() => null);
    window.location.assign(result.handoffUrl);
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
      <Button type="submit" className="w-full" isPending={isPending || isRedirecting} pendingLabel="Creating…">
        Create organisation
      </Button>
    </form>
  );
}
