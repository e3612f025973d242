'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { TRole } from '@/db/schema/auth';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import { createInvitationAction } from './actions';

/** Invites an email with a role and shows the acceptance link once, to copy. */
export function InviteForm({ roles }: { roles: readonly TRole[] }) {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<TRole>(roles.includes('editor') ? 'editor' : roles[0]);
  const [created, setCreated] = useState<{ email: string; acceptUrl: string } | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(createInvitationAction);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    const result = await run({ email, role }, () => router.refresh());
    if (!result) return;
    setCreated({ email: result.invitation.email, acceptUrl: result.acceptUrl });
    setEmail('');
  }

  const otherError = error && !fieldErrors.email && !fieldErrors.role ? error.message : null;
  return (
    <div className="space-y-4">
      <form onSubmit={submit} noValidate aria-label="Invite a member" className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <Field htmlFor="invite-email" label="Email" error={fieldErrors.email}>
          <Input
            id="invite-email"
            type="email"
            autoComplete="off"
            placeholder="name@company.com"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fieldErrors.email ? true : undefined}
            aria-describedby={describedBy('invite-email', { error: fieldErrors.email })}
          />
        </Field>
        <Field htmlFor="invite-role" label="Role" error={fieldErrors.role}>
          <Select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as TRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" isPending={isPending} pendingLabel="Inviting…" className="sm:mt-7">
          Invite
        </Button>
      </form>
      {otherError && <Alert>{otherError}</Alert>}
      {created && (
        <div className="space-y-3 rounded-md bg-green-50 p-3 ring-1 ring-green-200">
          <p role="status" className="text-sm text-green-800">
            Invitation created for <strong>{created.email}</strong>. It has been emailed; you can also share the link below.
          </p>
          <CopyField
            id="invitation-link"
            label="Invitation link"
            value={created.acceptUrl}
            hint="This link is shown only now. It expires in 7 days."
          />
        </div>
      )}
    </div>
  );
}
