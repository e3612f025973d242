'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { AppError } from '@/lib/app-error';
import { handoffUrl, listUserTenants } from '@/lib/auth';
import { ZSlug } from '@/lib/tenancy';

/** A fresh handoff link to another of the caller's organisations (sessions are per host). */
export const switchTenantAction = action(
  { name: 'switchTenant', access: 'tenant', input: z.object({ slug: ZSlug }) },
  async ({ data, caller }) => {
    const userId = caller.principal.kind === 'user' ? caller.principal.user.id : null;
    if (!userId) throw new AppError('forbidden', 'Only a signed-in person can switch organisation');
    const tenants = await listUserTenants(userId);
    if (!tenants.some((t) => t.slug === data.slug)) throw new AppError('forbidden', 'You are not a member of that organisation');
    return { url: handoffUrl(userId, data.slug) };
  },
);
