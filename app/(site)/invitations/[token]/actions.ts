'use server';

import { headers } from 'next/headers';
import { action } from '@/lib/api';
import { originOf } from '@/lib/audit';
import { ZAcceptInvitation, acceptInvitation, handoffUrl } from '@/lib/auth';

/** Accepts an invitation and returns the handoff link that signs the person in to the tenant's portal. */
export const acceptInvitationAction = action(
  // acceptInvitation records the audit event in its own transaction.
  { name: 'acceptInvitation', access: 'public', input: ZAcceptInvitation, audit: false },
  async ({ data }) => {
    const { user, tenantSlug } = await acceptInvitation(data, originOf(await headers()));
    return { url: handoffUrl(user.id, tenantSlug) };
  },
);
