import { acceptInvitationEndpoint, route } from '@/lib/api';
import { acceptInvitation, handoffUrl } from '@/lib/auth';

export const POST = route(acceptInvitationEndpoint, async ({ body }) => {
  const { user, tenantSlug, role } = await acceptInvitation(body);
  return { tenantSlug, role, signInUrl: handoffUrl(user.id, tenantSlug) };
});
