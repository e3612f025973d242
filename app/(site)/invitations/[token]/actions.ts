'use server';

import { action } from '@/lib/api';
import { ZAcceptInvitation, acceptInvitation, handoffUrl } from '@/lib/auth';

/** Accepts an invitation and returns the handoff link that signs the person in to the tenant's portal. */
export const acceptInvitationAction = action(
  { name: 'acceptInvitation', access: 'public', input: ZAcceptInvitation },
  async ({ data }) => {
    const { user, tenantSlug } = await acceptInvitation(data);
    return { url: handoffUrl(user.id, tenantSlug) };
  },
);
