'use client';

import type { TRole } from '@/db/schema/auth';
import { Select } from '@/components/ui/select';
import { useConfirmedAction } from '@/components/ui/use-confirmed-action';
import { changeMemberRoleAction } from './actions';

interface TMemberRoleSelectProps {
  membershipId: string;
  name: string;
  email: string;
  role: TRole;
  roles: readonly TRole[];
  isSelf: boolean;
}

/** A member's role; choosing another asks first, and the message afterwards can put the old role back. */
export function MemberRoleSelect({ membershipId, name, email, role, roles, isSelf }: TMemberRoleSelectProps) {
  const { ask, dialog, isPending } = useConfirmedAction(changeMemberRoleAction);
  const id = `role-${membershipId}`;

  function choose(next: TRole) {
    ask(
      { membershipId, role: next },
      {
        title: `Make ${name} ${next === 'viewer' ? 'a' : 'an'} ${next}?`,
        description: isSelf
          ? `This is your own role: you get the ${next} role's permissions at once, and may not be able to change it back yourself.`
          : `${name} (${email}) gets the ${next} role's permissions instead of the ${role} role's at once, in the portal and through their API keys.`,
        confirmLabel: `Change role to ${next}`,
        pendingLabel: 'Changing…',
      },
      () => ({
        message: `Changed ${name}'s role from ${role} to ${next}.`,
        undo: { run: () => changeMemberRoleAction({ membershipId, role }), message: `Changed ${name}'s role back to ${role}.` },
      }),
    );
  }

  return (
    <div className="min-w-36">
      <label htmlFor={id} className="sr-only">
        Role for {email}
      </label>
      {/* Shows the role in force: a choice only takes effect once confirmed (and the page refreshes). */}
      <Select id={id} value={role} disabled={isPending} onChange={(e) => choose(e.target.value as TRole)} className="py-1.5">
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </Select>
      {dialog}
    </div>
  );
}
