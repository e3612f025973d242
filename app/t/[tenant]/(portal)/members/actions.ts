'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZCreateInvitation, ZRole, changeMemberRole, createInvitation, removeMember, revokeInvitation } from '@/lib/auth';

const ZId = z.uuid('must be a UUID');

export const changeMemberRoleAction = action(
  {
    name: 'changeMemberRole',
    access: 'tenant',
    permission: 'members:manage',
    input: z.object({ membershipId: ZId, role: ZRole }),
    audit: { type: 'security_event', action: 'member.role_change', target: { type: 'member', idParam: 'membershipId' } },
  },
  async ({ data, caller, tx }) => {
    const member = await changeMemberRole(tx, caller, data.membershipId, data.role);
    return { id: member.id, role: member.role };
  },
);

export const removeMemberAction = action(
  {
    name: 'removeMember',
    access: 'tenant',
    permission: 'members:manage',
    input: z.object({ membershipId: ZId }),
    audit: { type: 'security_event', action: 'member.remove', target: { type: 'member', idParam: 'membershipId' } },
  },
  async ({ data, caller, tx }) => {
    const member = await removeMember(tx, caller, data.membershipId);
    return { id: member.id };
  },
);

/** Returns the acceptance link once, for the inviter to copy (it is also emailed). */
export const createInvitationAction = action(
  {
    name: 'createInvitation',
    access: 'tenant',
    permission: 'members:manage',
    input: ZCreateInvitation,
    audit: { type: 'data_modify', action: 'invitation.create', target: { type: 'invitation', from: 'invitation' } },
  },
  async ({ data, caller, tx }) => {
    const invitation = await createInvitation(tx, caller.tenant, caller, data);
    return { invitation: { id: invitation.id, email: invitation.email, role: invitation.role }, acceptUrl: invitation.acceptUrl };
  },
);

export const revokeInvitationAction = action(
  {
    name: 'revokeInvitation',
    access: 'tenant',
    permission: 'members:manage',
    input: z.object({ invitationId: ZId }),
    audit: { type: 'data_delete', action: 'invitation.revoke', target: { type: 'invitation', idParam: 'invitationId' } },
  },
  async ({ data, caller, tx }) => {
    const invitation = await revokeInvitation(tx, caller, data.invitationId);
    return { id: invitation.id, status: invitation.status };
  },
);
