import 'server-only';
import { and, desc, eq, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { PLAN_IDS, tenantPlanChanges, tenantSettings, tenants, type TPlanChangeSource, type TPlanId } from '@/db/schema/tenancy';
import { AppError, isUniqueViolation } from '@/lib/app-error';
import { changeCache } from '@/lib/cluster';
import { platformDb } from './context';
import { slugProblem } from './host';
import { planForAssignment } from './plans';

export const ZSlug = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine((slug, ctx) => {
    const problem = slugProblem(slug);
    if (problem) ctx.addIssue({ code: 'custom', message: `Slug ${problem}` });
  });

export const ZPlanId = z.enum(PLAN_IDS);

const ZHexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb');
const ZHttpUrl = z
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const ZTenantSettingsPatch = z
  .object({
    name: z.string().trim().min(1).max(120),
    logoUrl: ZHttpUrl.nullable(),
    maxFileSizeBytes: z.number().int().min(1).max(5 * 1024 **4),
    allowedFileTypes: z
      .array(z.string().trim().toLowerCase().regex(/^[a-z0-9]{1,10}$/, 'must be a file extension such as pdf'))
      .min(1)
      .max(50),
    webhookUrl: ZHttpUrl.nullable(),
    webhookEvents: z.array(z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must look like file.uploaded')).max(50),
    brandingDisplayName: z.string().trim().min(1).max(120).nullable(),
    brandingLogoUrl: ZHttpUrl.nullable(),
    brandingPrimaryColor: ZHexColor.nullable(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one setting to change');

export type TTenantSettingsPatch = z.infer<typeof ZTenantSettingsPatch>;

/** The minimal tenant facts the request wrapper needs, resolved before any tenant context exists. */
export interface TTenantRef {
  id: string;
  slug: string;
  name: string;
  plan: TPlanId;
  isActive: boolean;
}

const refColumns = {
  id: tenants.id,
  slug: tenants.slug,
  name: tenants.name,
  plan: tenants.plan,
  isActive: tenants.isActive,
};

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tenants by slug and by id, kept per process until a trigger announces a change of the tenant (lib/cluster). */
const tenantRefs = changeCache<TTenantRef>('tenant-refs', 'tenant', { maxEntries: 20_000, maxAgeMs: 10 * 60_000 });

/** Finds a tenant by slug or id (platform path: runs before a tenant context exists). */
export async function findTenantRef(slugOrId: string): Promise<TTenantRef | null> {
  const value = slugOrId.trim().toLowerCase();
  return tenantRefs.get(value, async () => {
    const where = UUID_PATTERN.test(value) ? eq(tenants.id, value) : eq(tenants.slug, value);
    const [row] = await platformDb().select(refColumns).from(tenants).where(where).limit(1);
    return row ? { value: row, group: row.id } : null;
  });
}

export interface TTenant extends TTenantRef {
  customDomain: string | null;
  logoUrl: string | null;
  storageQuotaBytes: number;
  apiQuotaMonthly: number;
  createdAt: Date;
  settings: {
    maxFileSizeBytes: number;
    allowedFileTypes: string[];
    webhookUrl: string | null;
    webhookEvents: string[];
    brandingDisplayName: string | null;
    brandingLogoUrl: string | null;
    brandingPrimaryColor: string | null;
  };
}

/** The current tenant with its settings (inside withTenant). */
export async function getTenant(tx: TTx, tenantId: string): Promise<TTenant> {
  const rows = await tx
    .select({
      ...refColumns,
      customDomain: tenants.customDomain,
      logoUrl: tenants.logoUrl,
      storageQuotaBytes: tenants.storageQuotaBytes,
      apiQuotaMonthly: tenants.apiQuotaMonthly,
      createdAt: tenants.createdAt,
      maxFileSizeBytes: tenantSettings.maxFileSizeBytes,
      allowedFileTypes: tenantSettings.allowedFileTypes,
      webhookUrl: tenantSettings.webhookUrl,
      webhookEvents: tenantSettings.webhookEvents,
      brandingDisplayName: tenantSettings.brandingDisplayName,
      brandingLogoUrl: tenantSettings.brandingLogoUrl,
      brandingPrimaryColor: tenantSettings.brandingPrimaryColor,
    })
    .from(tenants)
    .innerJoin(tenantSettings, eq(tenantSettings.tenantId, tenants.id))
    .where(eq(tenants.id, tenantId));
  const row = rows[0];
  if (!row) throw new AppError('not_found', 'Tenant not found');
  const {
    maxFileSizeBytes,
    allowedFileTypes,
    webhookUrl,
    webhookEvents,
    brandingDisplayName,
    brandingLogoUrl,
    brandingPrimaryColor,
    ...tenant
  } = row;
  return {
    ...tenant,
    settings: {
      maxFileSizeBytes,
      allowedFileTypes,
      webhookUrl,
      webhookEvents,
      brandingDisplayName,
      brandingLogoUrl,
      brandingPrimaryColor,
    },
  };
}

export async function updateTenantSettings(
  tx: TTx,
  tenantId: string,
  patch: TTenantSettingsPatch,
): Promise<TTenant> {
  const { name, logoUrl, ...settings } = patch;
  if (name !== undefined || logoUrl !== undefined) {
    await tx
      .update(tenants)
      .set({ ...(name !== undefined && { name }), ...(logoUrl !== undefined && { logoUrl }), updatedAt: new Date() })
      .where(eq(tenants.id, tenantId));
  }
  if (Object.keys(settings).length > 0) {
    await tx
      .update(tenantSettings)
      .set({ ...settings, updatedAt: new Date() })
      .where(eq(tenantSettings.tenantId, tenantId));
  }
  return getTenant(tx, tenantId);
}

/** Creates a tenant and its default settings in the caller's (platform) transaction. */
export async function createTenant(
  tx: TTx,
  input: { name: string; slug: string; plan?: TPlanId },
): Promise<TTenantRef> {
  const problem = slugProblem(input.slug);
  if (problem) {
    throw new AppError('validation_failed', `Slug ${problem}`, { fields: [{ field: 'slug', message: `Slug ${problem}` }] });
  }
  const plan = input.plan ?? 'free';
  const limits = await planForAssignment(tx, plan);
  try {
    const [tenant] = await tx
      .insert(tenants)
      .values({
        name: input.name,
        slug: input.slug,
        plan,
        storageQuotaBytes: limits.storageBytes,
        apiQuotaMonthly: limits.apiCallsPerMonth,
      })
      .returning(refColumns);
    await tx.insert(tenantSettings).values({ tenantId: tenant.id });
    await tx.insert(tenantPlanChanges).values({ tenantId: tenant.id, toPlan: plan, source: 'created' });
    return tenant;
  } catch (error) {
    if (isUniqueViolation(error, 'tenants_slug_key')) {
      throw new AppError('conflict', `The slug "${input.slug}" is already taken`, { field: 'slug' });
    }
    throw error;
  }
}

export interface TTenantListItem extends TTenantRef {
  createdAt: Date;
  memberCount: number;
}

/** Operator console: every tenant, newest first, keyset-paginated by (created_at, id). */
export async function listAllTenants(
  tx: TTx,
  opts: { search?: string; limit: number; cursor?: { createdAt: Date; id: string } },
): Promise<TTenantListItem[]> {
  const conditions = [];
  if (opts.search) {
    conditions.push(or(ilike(tenants.name, `%${opts.search}%`), ilike(tenants.slug, `%${opts.search}%`)));
  }
  // Cursors carry JavaScript dates (milliseconds) while Postgres keeps microseconds: ordering and comparing at
  // millisecond precision keeps rows created in the same millisecond from being skipped between pages.
  const createdAtMs = sql`date_trunc('milliseconds', ${tenants.createdAt})`;
  if (opts.cursor) {
    conditions.push(
      sql`(${createdAtMs}, ${tenants.id}) < (${opts.cursor.createdAt.toISOString()}::timestamptz, ${opts.cursor.id}::uuid)`,
    );
  }
  return tx
    .select({
      ...refColumns,
      createdAt: tenants.createdAt,
      // Qualified by hand: drizzle leaves columns of a single-table select unqualified, and a bare "id" here
      // would mean m.id.
      memberCount: sql<number>`(select count(*)::int from memberships m where m.tenant_id = ${tenants}.id)`,
    })
    .from(tenants)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(createdAtMs), desc(tenants.id))
    .limit(opts.limit);
}

export async function setTenantActive(tx: TTx, tenantId: string, isActive: boolean): Promise<TTenantRef> {
  const [row] = await tx
    .update(tenants)
    .set({ isActive, updatedAt: new Date() })
    .where(eq(tenants.id, tenantId))
    .returning(refColumns);
  if (!row) throw new AppError('not_found', 'Tenant not found');
  return row;
}

/**
 * Moves a tenant to a plan and to that plan's quotas, as the plans table has them now, from this moment:
 * the change is written to the plan history in the same transaction, and invoices prorate the base price
 * over that history. Choosing the plan the tenant is already on refreshes its quotas and records nothing.
 */
export async function changeTenantPlan(
  tx: TTx,
  tenantId: string,
  plan: TPlanId,
  by: { source: Exclude<TPlanChangeSource, 'created' | 'backfill'>; userId?: string | null } = { source: 'operator' },
): Promise<TTenantRef & { previousPlan: TPlanId }> {
  const limits = await planForAssignment(tx, plan);
  // Lock the row so two changes at once are recorded in the order they happen.
  const [current] = await tx.select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, tenantId)).for('update');
  if (!current) throw new AppError('not_found', 'Tenant not found');
  const [row] = await tx
    .update(tenants)
    .set({
      plan,
      storageQuotaBytes: limits.storageBytes,
      apiQuotaMonthly: limits.apiCallsPerMonth,
      updatedAt: new Date(),
    })
    .where(eq(tenants.id, tenantId))
    .returning(refColumns);
  if (current.plan !== plan) {
    await tx
      .insert(tenantPlanChanges)
      .values({ tenantId, fromPlan: current.plan, toPlan: plan, source: by.source, changedBy: by.userId ?? null });
  }
  return { ...row, previousPlan: current.plan };
}
