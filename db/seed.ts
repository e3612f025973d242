import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { memberships, users, type TRole } from '@/db/schema/auth';
import { tenantPlanChanges, tenants } from '@/db/schema/tenancy';
import { createTenant, withPlatform } from '@/lib/tenancy';
import { insertUser } from '@/lib/auth';

export const DEMO_PASSWORD = 'sitework-demo';
export const OPERATOR_EMAIL = 'operator@sitework.local';

export const DEMO_TENANTS = [
  { slug: 'acme', name: 'Acme Construction', plan: 'professional' as const },
  { slug: 'globex', name: 'Globex Engineering', plan: 'free' as const },
];
const DEMO_ROLES: TRole[] = ['owner', 'admin', 'editor', 'viewer'];

export const demoEmail = (role: TRole, slug: string) => `${role}@${slug}.test`;

/**
 * Demo data, written once: a platform operator, and tenants acme (Professional) and globex (Free) each with
 * an owner, an admin, an editor and a viewer. The tenants are customers since the 1st of the month before
 * last, so last month can be invoiced right away (Admin → Invoices). Returns false when the data was already there.
 */
export async function seedDemoData(): Promise<boolean> {
  return withPlatform(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${OPERATOR_EMAIL}`);
    if (existing) return false;
    const now = new Date();
    const customersSince = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
    await insertUser(tx, { email: OPERATOR_EMAIL, name: 'Platform Operator', password: DEMO_PASSWORD, isPlatformAdmin: true });
    for (const spec of DEMO_TENANTS) {
      const tenant = await createTenant(tx, spec);
      await tx.update(tenants).set({ createdAt: customersSince }).where(eq(tenants.id, tenant.id));
      await tx.update(tenantPlanChanges).set({ effectiveAt: customersSince }).where(eq(tenantPlanChanges.tenantId, tenant.id));
      for (const role of DEMO_ROLES) {
        const name = `${role[0].toUpperCase()}${role.slice(1)} ${spec.name.split(' ')[0]}`;
        const user = await insertUser(tx, { email: demoEmail(role, spec.slug), name, password: DEMO_PASSWORD });
        await tx.insert(memberships).values({ tenantId: tenant.id, userId: user.id, role });
      }
    }
    return true;
  });
}
