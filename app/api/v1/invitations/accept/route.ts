import { originOf } from '@/lib/audit';
import { acceptInvitationEndpoint, route } from '@/lib/api';
import { acceptInvitation, handoffUrl } from '@/lib/auth';

export const POST = route(acceptInvitationEndpoint, async ({ body, request, requestId }) => {
  // acceptInvitation records the audit event in its own transaction (the caller has no tenant until it commits).
  const { user, tenantSlug, role } = await acceptInvitation(body, originOf(request.headers, requestId));
  return { tenantSlug, role, signInUrl: handoffUrl(user.id, tenantSlug) };
});
