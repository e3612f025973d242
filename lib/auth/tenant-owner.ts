import 'server-only';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { memberships, users } from '@/db/schema/auth';
import { createTenant, type TTenantRef } from '@/lib/tenancy';
import { inviteOwner } from './invitations';

export interface TCreatedTenant {
  tenant: TTenantRef;
  /** member: a verified account with the email owns the tenant now; invited: an owner invitation was mailed. */
  owner: { email: string; status: 'member' | 'invited' };
}

/**
 * Operator console: a new tenant and its owner. An account with the email becomes the owner only if it has
 * confirmed its address; otherwise (no account, or an unconfirmed one that anyone who accepted an invitation to
 * the address could have made) the owner is invited by mail, and whoever reads that mailbox accepts.
 */
export async function createTenantWithOwner(
  tx: TTx,
  input: { name: string; slug: string; plan: TTenantRef['plan']; ownerEmail: string },
  /** The operator, recorded on an owner invitation as who invited. */
  operatorId: string | null,
): Promise<TCreatedTenant> {
  const [account] = await tx
    .select({ id: users.id, emailVerifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(sql`lower(${users.email}) = ${input.ownerEmail}`);
  const tenant = await createTenant(tx, { name: input.name, slug: input.slug, plan: input.plan });
  if (account?.emailVerifiedAt) {
    await tx.insert(memberships).values({ tenantId: tenant.id, userId: account.id, role: 'owner' });
    return { tenant, owner: { email: input.ownerEmail, status: 'member' } };
  }
  await inviteOwner(tx, tenant, input.ownerEmail, operatorId);
  return { tenant, owner: { email: input.ownerEmail, status: 'invited' } };
}
