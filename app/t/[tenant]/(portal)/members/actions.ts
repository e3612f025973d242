'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZCreateInvitation, ZRole, changeMemberRole, createInvitation, removeMember, revokeInvitation } from '@/lib/auth';

const ZId = z.uuid('must be a UUID');

export const changeMemberRoleAction = action(
  { name: 'changeMemberRole', access: 'tenant', permission: 'members:manage', input: z.object({ membershipId: ZId, role: ZRole }) },
  async ({ data, caller, tx }) => {
    const member = await changeMemberRole(tx, caller, data.membershipId, data.role);
    return { id: member.id, role: member.role };
  },
);

export const removeMemberAction = action(
  { name: 'removeMember', access: 'tenant', permission: 'members:manage', input: z.object({ membershipId: ZId }) },
  async ({ data, caller, tx }) => {
    const member = await removeMember(tx, caller, data.membershipId);
    return { id: member.id };
  },
);

/** Returns the acceptance link once, for the inviter to copy (it is also emailed). */
export const createInvitationAction = action(
  { name: 'createInvitation', access: 'tenant', permission: 'members:manage', input: ZCreateInvitation },
  async ({ data, caller, tx }) => {
    const invitation = await createInvitation(tx, caller.tenant, caller, data);
    return { id: invitation.id, email: invitation.email, role: invitation.role, acceptUrl: invitation.acceptUrl };
  },
);

export const revokeInvitationAction = action(
  { name: 'revokeInvitation', access: 'tenant', permission: 'members:manage', input: z.object({ invitationId: ZId }) },
  async ({ data, caller, tx }) => {
    const invitation = await revokeInvitation(tx, caller, data.invitationId);
    return { id: invitation.id, status: invitation.status };
  },
);
