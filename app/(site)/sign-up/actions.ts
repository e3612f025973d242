'use server';

import { action } from '@/lib/api';
import { ZSignUp, handoffUrl, signUp } from '@/lib/auth';

/** Creates the account, its organisation and the owner membership; returns where the new owner goes next. */
export const signUpAction = action({ name: 'signUp', access: 'public', input: ZSignUp }, async ({ data }) => {
  const { user, tenant } = await signUp(data);
  return { tenantSlug: tenant.slug, handoffUrl: handoffUrl(user.id, tenant.slug) };
});
