'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { TPlanId } from '@/db/schema/tenancy';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import { createTenantAction } from './actions';

const EMPTY = { name: '', slug: '', plan: 'free' as TPlanId, ownerEmail: '' };
type TKey = keyof typeof EMPTY;

export function CreateTenantForm({ plans }: { plans: { id: TPlanId; name: string }[] }) {
  const router = useRouter();
  const [values, setValues] = useState(EMPTY);
  const [created, setCreated] = useState<{ slug: string; owner: { email: string; status: 'member' | 'invited' } } | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(createTenantAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    const result = await run(values, () => router.refresh());
    if (!result) return;
    setCreated(result);
    setValues(EMPTY);
  }

  const set = (key: TKey) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));
  const field = (key: Exclude<TKey, 'plan'>, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}, hint?: string) => (
    <Field htmlFor={`tenant-${key}`} label={label} hint={hint} error={fieldErrors[key]}>
      <Input
        id={`tenant-${key}`}
        value={values[key]}
        onChange={set(key)}
        aria-invalid={fieldErrors[key] ? true : undefined}
        aria-describedby={describedBy(`tenant-${key}`, { hint, error: fieldErrors[key] })}
        {...props}
      />
    </Field>
  );

  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return (
    <form onSubmit={submit} noValidate aria-label="Create tenant" className="space-y-4">
      {error && !hasFieldErrors && <Alert>{error.message}</Alert>}
      {error && hasFieldErrors && <Alert>Check the highlighted fields.</Alert>}
      {created && (
        <Alert tone="success">
          {created.owner.status === 'member'
            ? `Tenant ${created.slug} created; ${created.owner.email} is its owner.`
            : `Tenant ${created.slug} created; owner invited: ${created.owner.email} was mailed an invitation to become its owner.`}
        </Alert>
      )}
      <div className="grid gap-4 sm:grid-cols-3">
        {field('name', 'Organisation name', { required: true })}
        {field('slug', 'Slug', { required: true, autoCapitalize: 'none', spellCheck: false, className: 'font-mono' })}
        <Field htmlFor="tenant-plan" label="Plan" error={fieldErrors.plan}>
          <Select id="tenant-plan" value={values.plan} onChange={set('plan')}>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </Field>
        {field(
          'ownerEmail',
          'Owner email',
          { type: 'email', required: true },
          'An account that has confirmed this address becomes the owner; otherwise the address is invited by mail.',
        )}
      </div>
      <Button type="submit" isPending={isPending} pendingLabel="Creating…">
        Create tenant
      </Button>
    </form>
  );
}
