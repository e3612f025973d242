import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDb, ownerDb } from '@/db/client';
import { apiKeys, memberships } from '@/db/schema/auth';
import { tenantSettings, tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { assertAppRoleIsRestricted, findTenantRef, withTenant } from '@/lib/tenancy';

let acmeId: string;
let globexId: string;

beforeAll(async () => {
  await seedDemoData();
  acmeId = (await findTenantRef('acme'))!.id;
  globexId = (await findTenantRef('globex'))!.id;
});

describe('row-level security', () => {
  it('returns only the current tenant rows to a query with no tenant filter', async () => {
    const rows = await withTenant(acmeId, (tx) => tx.select({ tenantId: memberships.tenantId }).from(memberships));
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.tenantId))).toEqual(new Set([acmeId]));

    const visibleTenants = await withTenant(acmeId, (tx) => tx.select({ id: tenants.id }).from(tenants));
    expect(visibleTenants.map((t) => t.id)).toEqual([acmeId]);
  });

  it('refuses to insert a row for another tenant from this tenant context', async () => {
    await expect(
      withTenant(acmeId, (tx) =>
        tx.insert(apiKeys).values({ tenantId: globexId, name: 'smuggled', prefix: 'aaaaaaaaaaaa', keyHash: 'x', scopes: ['tenant:read'] }),
      ),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/row-level security/) }) });
    const count = await withTenant(globexId, (tx) => tx.select({ id: apiKeys.id }).from(apiKeys));
    expect(count).toHaveLength(0);
  });

  it('refuses to move a row to another tenant and cannot update rows it cannot see', async () => {
    await expect(
      withTenant(acmeId, (tx) => tx.update(tenantSettings).set({ tenantId: globexId })),
    ).rejects.toBeTruthy();
    const updated = await withTenant(acmeId, (tx) =>
      tx.update(memberships).set({ role: 'viewer' }).where(sql`${memberships.tenantId} = ${globexId}`).returning(),
    );
    expect(updated).toHaveLength(0);
  });

  it('sees nothing at all outside a tenant context', async () => {
    const rows = await appDb().select({ id: memberships.id }).from(memberships);
    expect(rows).toHaveLength(0);
  });

  it('runs request code as a role that cannot bypass row-level security', async () => {
    await expect(assertAppRoleIsRestricted()).resolves.toBeUndefined();
    const [role] = await appDb().execute<{ current_user: string }>(sql`select current_user`);
    expect(role.current_user).toBe('sitework_app');
  });

  it('forces row-level security on every table that has a tenant_id', async () => {
    // Outboxes are written by request code but read only by the platform's sweeps (INSERT-only grants); reindex
    // runs are operators' records (tenant_id null = every tenant) that request code may only read.
    const platformTables = ['email_outbox', 'storage_deletions', 'vector_reindex_runs'];
    const rows = await ownerDb().execute<{ table: string; rls: boolean; forced: boolean }>(sql`
      select c.relname as "table", c.relrowsecurity as rls, c.relforcerowsecurity as forced
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)`);
    const tenantTables = rows.filter((r) => !platformTables.includes(r.table));
    expect(tenantTables.map((r) => r.table)).toEqual(expect.arrayContaining(['memberships', 'api_keys', 'files']));
    for (const row of tenantTables) expect(row, row.table).toMatchObject({ rls: true, forced: true });
    const [outbox] = await ownerDb().execute<{ insert: boolean; select: boolean }>(
      sql`select has_table_privilege('sitework_app', 'email_outbox', 'INSERT') as insert, has_table_privilege('sitework_app', 'email_outbox', 'SELECT') as select`,
    );
    expect(outbox).toEqual({ insert: true, select: false });
  });

  it('logs request code in as sitework_app itself, so no RESET ROLE or SET ROLE leaves row-level security', async () => {
    const [session] = await appDb().execute<{ session_user: string }>(sql`select session_user`);
    expect(session.session_user).toBe('sitework_app');
    const afterReset = await withTenant(acmeId, async (tx) => {
      await tx.execute(sql`reset role`);
      const [who] = await tx.execute<{ current_user: string }>(sql`select current_user`);
      const visible = await tx.select({ tenantId: memberships.tenantId }).from(memberships);
      return { user: who.current_user, tenants: new Set(visible.map((r) => r.tenantId)) };
    });
    expect(afterReset).toEqual({ user: 'sitework_app', tenants: new Set([acmeId]) });
    const [owner] = await ownerDb().execute<{ current_user: string }>(sql`select current_user`);
    await expect(withTenant(acmeId, (tx) => tx.execute(sql.raw(`set role "${owner.current_user}"`)))).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/permission denied/) }),
    });
  });

  it('shows request code only the users who are members of its tenant', async () => {
    const emails = await withTenant(acmeId, (tx) => tx.execute<{ email: string }>(sql`select email from users order by email`));
    expect(emails.map((r) => r.email)).toEqual(['admin@acme.test', 'editor@acme.test', 'owner@acme.test', 'viewer@acme.test']);
    const outside = await appDb().execute<{ n: number }>(sql`select count(*)::int as n from users`);
    expect(outside[0].n).toBe(0);
  });

  it('keeps the password hashes out of reach of request code', async () => {
    await expect(withTenant(acmeId, (tx) => tx.execute(sql`select password_hash from users`))).rejects.toBeTruthy();
  });
});
