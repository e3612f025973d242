'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TRole } from '@/db/schema/auth';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import { changeMemberRoleAction } from './actions';

/** Changes a member's role as soon as another is chosen; on refusal the old role comes back with the reason. */
export function MemberRoleSelect({ membershipId, email, role, roles }: { membershipId: string; email: string; role: TRole; roles: readonly TRole[] }) {
  const router = useRouter();
  const [value, setValue] = useState<TRole>(role);
  const { run, isPending, error } = useAction(changeMemberRoleAction);
  const id = `role-${membershipId}`;

  async function change(next: TRole) {
    setValue(next);
    const result = await run({ membershipId, role: next }, () => router.refresh());
    if (!result) setValue(role);
  }

  return (
    <div className="min-w-36">
      <label htmlFor={id} className="sr-only">
        Role for {email}
      </label>
      <Select
        id={id}
        value={value}
        disabled={isPending}
        onChange={(e) => void change(e.target.value as TRole)}
        aria-describedby={error ? `${id}-error` : undefined}
        className="py-1.5"
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </Select>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 max-w-56 text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}
