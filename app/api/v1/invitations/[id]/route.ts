import { revokeInvitationEndpoint, route, updateInvitationEndpoint } from '@/lib/api';
import { changeInvitationRole, revokeInvitation } from '@/lib/auth';

export const PATCH = route(updateInvitationEndpoint, async ({ tx, caller, params, body }) => ({
  invitation: await changeInvitationRole(tx, caller, params.id, body.role),
}));

export const DELETE = route(revokeInvitationEndpoint, async ({ tx, caller, params }) => {
  await revokeInvitation(tx, caller, params.id);
});
