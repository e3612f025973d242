import { createInvitationEndpoint, listInvitationsEndpoint, route } from '@/lib/api';
import { createInvitation, listInvitations } from '@/lib/auth';

export const GET = route(listInvitationsEndpoint, async ({ tx }) => ({ invitations: await listInvitations(tx) }));

export const POST = route(createInvitationEndpoint, async ({ tx, caller, body }) => ({
  invitation: await createInvitation(tx, caller.tenant, caller, body),
}));
