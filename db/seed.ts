import 'server-only';
import { eq, inArray, sql } from 'drizzle-orm';
import { memberships, users, type TRole } from '@/db/schema/auth';
import { tenantPlanChanges, tenants } from '@/db/schema/tenancy';
import { generateEstimates, insertEstimates, ZEstimateInput } from '@/lib/estimates';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
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
    await insertUser(tx, {
      email: OPERATOR_EMAIL,
      name: 'Platform Operator',
      password: DEMO_PASSWORD,
      isEmailVerified: true,
      isPlatformAdmin: true,
    });
    for (const spec of DEMO_TENANTS) {
      const tenant = await createTenant(tx, spec);
      await tx.update(tenants).set({ createdAt: customersSince }).where(eq(tenants.id, tenant.id));
      await tx.update(tenantPlanChanges).set({ effectiveAt: customersSince }).where(eq(tenantPlanChanges.tenantId, tenant.id));
      for (const role of DEMO_ROLES) {
        const name = `${role[0].toUpperCase()}${role.slice(1)} ${spec.name.split(' ')[0]}`;
        const user = await insertUser(tx, { email: demoEmail(role, spec.slug), name, password: DEMO_PASSWORD, isEmailVerified: true });
        await tx.insert(memberships).values({ tenantId: tenant.id, userId: user.id, role });
      }
    }
    return true;
  });
}

/** Whether any demo account (published password) exists, e.g. from an earlier `--demo` start on this database. */
export async function hasDemoAccounts(): Promise<boolean> {
  const emails = [OPERATOR_EMAIL, ...DEMO_TENANTS.flatMap((t) => DEMO_ROLES.map((role) => demoEmail(role, t.slug)))];
  const rows = await withPlatform((tx) => tx.select({ id: users.id }).from(users).where(inArray(sql`lower(${users.email})`, emails)).limit(1));
  return rows.length > 0;
}

/**
 * Forty synthetic cost estimates of eight kinds of project for acme (lib/estimates/synthetic.ts), so the Estimates
 * page and its similar-estimates panel have something to show. Written through the same path as the API: each
 * is validated, and the index outbox makes the running app's vector-index job embed them.
 */
export async function seedDemoEstimates(): Promise<number> {
  const [acme] = await withPlatform((tx) => tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, 'acme')));
  const [owner] = await withPlatform((tx) => tx.select({ id: users.id }).from(users).where(eq(users.email, demoEmail('owner', 'acme'))));
  if (!acme || !owner) return 0;
  const inputs = generateEstimates({ count: 40, seed: 2026 }).map(({ estimate }) => ZEstimateInput.parse(estimate));
  const inserted = await withTenant(acme.id, (tx) => insertEstimates(tx, { tenantId: acme.id, userId: owner.id, apiKeyId: null }, inputs));
  return inserted.length;
}
