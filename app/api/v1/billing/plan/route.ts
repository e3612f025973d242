import { changePlanEndpoint, route } from '@/lib/api';
import { tenantUrl } from '@/lib/auth';
import { changePlanAsOwner } from '@/lib/billing';

export const POST = route(changePlanEndpoint, async ({ caller, body, audit }) => {
  if (!caller.userId) throw new Error('changePlanEndpoint needs a user');
  const result = await changePlanAsOwner({
    tenantId: caller.tenant.id,
    plan: body.plan,
    userId: caller.userId,
    returnUrl: tenantUrl(caller.tenant.slug, '/billing'),
  });
  audit.set({ target: { type: 'plan', id: body.plan, name: body.plan }, metadata: { ...result } });
  return { result };
});
