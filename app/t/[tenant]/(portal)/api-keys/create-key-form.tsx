'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { TPermission } from '@/lib/auth';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import { createApiKeyAction } from './actions';

/** An expiry date means "valid through that day" (UTC). */
const endOfDay = (date: string) => `${date}T23:59:59.999Z`;

export function CreateKeyForm({ scopes }: { scopes: readonly TPermission[] }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<TPermission>>(new Set());
  const [expiresOn, setExpiresOn] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(createApiKeyAction);

  function toggle(scope: TPermission, isChecked: boolean) {
    setChosen((prev) => {
      const next = new Set(prev);
      if (isChecked) next.add(scope);
      else next.delete(scope);
      return next;
    });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    const result = await run(
      { name, scopes: scopes.filter((s) => chosen.has(s)), expiresAt: expiresOn ? endOfDay(expiresOn) : null },
      () => router.refresh(),
    );
    if (!result) return;
    setCreated({ name: result.apiKey.name, secret: result.secret });
    setName('');
    setChosen(new Set());
    setExpiresOn('');
  }

  const otherError = error && !fieldErrors.name && !fieldErrors.scopes && !fieldErrors.expiresAt ? error.message : null;
  return (
    <div className="space-y-5">
      {created && (
        <div className="space-y-3 rounded-md bg-amber-50 p-3 ring-1 ring-amber-200">
          <p role="status" className="text-sm text-amber-900">
            API key <strong>{created.name}</strong> created.
          </p>
          <CopyField id="api-key-secret" label="API key secret" value={created.secret} hint="Copy it now: it will not be shown again." />
        </div>
      )}
      <form onSubmit={submit} noValidate aria-label="Create an API key" className="space-y-4">
        {otherError && <Alert>{otherError}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field htmlFor="key-name" label="Name" hint="What uses this key, e.g. “CI upload script”." error={fieldErrors.name}>
            <Input
              id="key-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={100}
              aria-invalid={fieldErrors.name ? true : undefined}
              aria-describedby={describedBy('key-name', { hint: true, error: fieldErrors.name })}
            />
          </Field>
          <Field htmlFor="key-expires" label="Expires on (optional)" hint="Leave empty for a key that does not expire." error={fieldErrors.expiresAt}>
            <Input
              id="key-expires"
              type="date"
              value={expiresOn}
              onChange={(e) => setExpiresOn(e.target.value)}
              aria-invalid={fieldErrors.expiresAt ? true : undefined}
              aria-describedby={describedBy('key-expires', { hint: true, error: fieldErrors.expiresAt })}
            />
          </Field>
        </div>
        <fieldset aria-describedby={fieldErrors.scopes ? 'key-scopes-error' : undefined}>
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          <p className="mt-0.5 text-xs text-slate-500">A key can do only what its scopes and your role both allow.</p>
          <div className="mt-2 grid gap-x-4 gap-y-2 sm:grid-cols-2 lg:grid-cols-3">
            {scopes.map((scope) => (
              <label key={scope} className="flex items-center gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  className="h-4 w-4 rounded border-slate-300 accent-brand"
                  checked={chosen.has(scope)}
                  onChange={(e) => toggle(scope, e.target.checked)}
                />
                <span className="font-mono text-xs">{scope}</span>
              </label>
            ))}
          </div>
          {fieldErrors.scopes && (
            <p id="key-scopes-error" className="mt-1.5 text-xs font-medium text-red-600">
              Scopes: {fieldErrors.scopes}
            </p>
          )}
        </fieldset>
        <Button type="submit" isPending={isPending} pendingLabel="Creating…">
          Create key
        </Button>
      </form>
    </div>
  );
}
