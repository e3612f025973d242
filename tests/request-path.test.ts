import net from 'node:net';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '@/db/client';
import { apiKeys } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { isHearingChanges, startChangeListener, stopChangeListener } from '@/lib/cluster';
import { findTenantRef, getTenant, withTenant } from '@/lib/tenancy';
import { callRoute, demoUsers, expectError, hostOf, type TDemo } from './support/http';
import { routes } from './support/routes';
import { addMember } from './support/state';
import { until } from './support/wait';
import { createApiKey, type TPermission } from '@/lib/auth';

/**
 * The request path's database work: a tenant transaction opens in the same write as its first statement, and
 * what a key or a tenant is stays cached per process until a trigger announces a change to it, whoever makes it.
 */
let demo: TDemo;
const pgPort = Number(new URL(process.env.DATABASE_URL!).port);
/** Another session, as an operator's psql or another process would be: its changes reach us only as notices. */
const elsewhere = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  await startChangeListener();
});

afterAll(async () => {
  await elsewhere.end();
  await closeDb();
});

/**
 * The fewest writes this process made to PostgreSQL in five runs of `fn` (each write is one packet of statements
 * on its way). The fewest, because background work (buffered metering, a key's last use) writes now and then too.
 */
async function writesToPostgres<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const write = net.Socket.prototype.write;
  let writes = 0;
  net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<net.Socket['write']>) {
    if (this.remotePort === pgPort) writes++;
    return write.apply(this, args);
  } as net.Socket['write'];
  try {
    let fewest = Infinity;
    let result: T | undefined;
    for (let run = 0; run < 5; run++) {
      writes = 0;
      result = await fn();
      fewest = Math.min(fewest, writes);
    }
    return { result: result as T, writes: fewest };
  } finally {
    net.Socket.prototype.write = write;
  }
}

const readTenant = (apiKey: string) => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', apiKey });

async function keyOf(role: 'owner' | 'admin' = 'admin', scopes: TPermission[] = ['tenant:read']) {
  const member = await addMember(demo.acme.id, role);
  const key = await withTenant(demo.acme.id, (tx) => createApiKey(tx, demo.acme.id, { userId: member.id, role }, { name: 'request path', scopes }));
  return { member, key };
}

describe('a tenant transaction', () => {
  it('sends BEGIN, the tenant and its first statement in one write, and COMMIT in a second', async () => {
    const read = () => withTenant(demo.acme.id, (tx) => getTenant(tx, demo.acme.id));
    // Each pooled connection prepares a statement once: run on every connection first.
    await Promise.all(Array.from({ length: 12 }, read));
    const { result, writes } = await writesToPostgres(read);
    expect(result.slug).toBe('acme');
    expect(writes).toBe(2);
  });

  it('sets the tenant before a statement that starts at once, so row-level security sees it', async () => {
    const rows = await withTenant(demo.globex.id, (tx) => tx.execute<{ tenant: string; slugs: string[] }>(
      sql`select current_setting('app.tenant_id') as tenant, array(select slug from tenants order by slug) as slugs`,
    ));
    expect(rows[0]).toEqual({ tenant: demo.globex.id, slugs: ['globex'] });
  });

  it('rolls back everything when the work fails, and reports the statement that failed', async () => {
    const name = `rolled back ${Date.now()}`;
    await expect(
      withTenant(demo.acme.id, async (tx) => {
        await tx.update(tenants).set({ name }).where(eq(tenants.id, demo.acme.id));
        await tx.execute(sql`select 1 / 0`);
      }),
    ).rejects.toMatchObject({ cause: { message: 'division by zero' } });
    const [row] = await elsewhere`select name from tenants where id = ${demo.acme.id}`;
    expect(row.name).not.toBe(name);
  });

  it('runs a nested transaction as a savepoint: its failure undoes only its own work', async () => {
    const { key } = await keyOf();
    const kept = await withTenant(demo.acme.id, async (tx) => {
      await tx.update(apiKeys).set({ name: 'outer' }).where(eq(apiKeys.id, key.id));
      await expect(
        tx.transaction(async (inner) => {
          await inner.update(apiKeys).set({ name: 'inner' }).where(eq(apiKeys.id, key.id));
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      const [row] = await tx.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.id, key.id));
      return row.name;
    });
    expect(kept).toBe('outer');
  });

  it('answers relational queries (tx.query) too', async () => {
    const found = await withTenant(demo.acme.id, (tx) => tx.query.tenants.findFirst({ columns: { slug: true } }));
    expect(found).toEqual({ slug: 'acme' });
  });
});

describe('keys and tenants cached until a change is announced', () => {
  it('authenticates a known key without a database round trip', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    const { result, writes } = await writesToPostgres(async () => {
      // The tenant read itself is one transaction: two writes. The key costs none.
      return readTenant(key.secret);
    });
    expect(result.status).toBe(200);
    expect(writes).toBe(2);
  });

  it('still compares the secret on every request: a wrong secret with a cached prefix is refused', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    const forged = `${key.secret.slice(0, -4)}AAAA`;
    expectError(await readTenant(forged), 401, 'unauthorized', /Invalid API key/);
  });

  it('refuses a key revoked by another session as soon as the notice arrives', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    await elsewhere`update api_keys set revoked_at = now() where id = ${key.id}`;
    const ms = await until(async () => (await readTenant(key.secret)).status === 401);
    expect(ms).toBeLessThan(1_000);
    expectError(await readTenant(key.secret), 401, 'unauthorized', /revoked/);
  });

  it("applies a change of the key creator's role, and refuses the key once the creator is removed", async () => {
    const { member, key } = await keyOf('admin', ['tenant:read', 'settings:manage']);
    const patchSettings = () =>
      callRoute(routes.tenantSettings.PATCH, { method: 'PATCH', path: '/api/v1/tenant/settings', apiKey: key.secret, body: { name: 'Acme Construction' } });
    expect((await patchSettings()).status).toBe(200);
    // A key may do what its scopes and its creator's current role both allow: a viewer may not manage settings.
    await elsewhere`update memberships set role = 'viewer' where id = ${member.membershipId}`;
    await until(async () => (await patchSettings()).status === 403);
    expect((await readTenant(key.secret)).status).toBe(200);
    await elsewhere`delete from memberships where id = ${member.membershipId}`;
    await until(async () => (await readTenant(key.secret)).status === 401);
    expectError(await readTenant(key.secret), 401, 'unauthorized', /no longer a member/);
  });

  it('refuses a signed-in member removed or demoted by another session as soon as the notice arrives', async () => {
    const member = await addMember(demo.acme.id, 'admin');
    const patchSettings = () =>
      callRoute(routes.tenantSettings.PATCH, { method: 'PATCH', path: '/api/v1/tenant/settings', host: hostOf('acme'), cookieFor: member, body: { name: 'Acme Construction' } });
    expect((await patchSettings()).status).toBe(200);
    await elsewhere`update memberships set role = 'viewer' where id = ${member.membershipId}`;
    await until(async () => (await patchSettings()).status === 403);
    await elsewhere`delete from memberships where id = ${member.membershipId}`;
    await until(async () => (await patchSettings()).status === 403 && (await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf('acme'), cookieFor: member })).status === 403);
  });

  it('refuses every key of a tenant deactivated by another session, and serves it again once reactivated', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    expect((await findTenantRef('acme'))?.isActive).toBe(true);
    await elsewhere`update tenants set is_active = false where id = ${demo.acme.id}`;
    try {
      await until(async () => (await readTenant(key.secret)).status === 404);
      expect((await findTenantRef('acme'))?.isActive).toBe(false);
    } finally {
      await elsewhere`update tenants set is_active = true where id = ${demo.acme.id}`;
    }
    await until(async () => (await readTenant(key.secret)).status === 200);
  });

  it('drops nothing for a key used again (last_used_at) or another tenant changing', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    const heard: string[] = [];
    const listener = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await listener.listen('sitework_changes', (payload) => heard.push(payload));
    await elsewhere`update api_keys set last_used_at = now() where id = ${key.id}`;
    await elsewhere`update tenants set name = name || '' where id = ${demo.globex.id}`;
    await elsewhere`update memberships set role = role where tenant_id = ${demo.globex.id}`;
    await elsewhere`update tenants set name = 'Globex renamed' where id = ${demo.globex.id}`;
    await until(async () => heard.length > 0);
    await listener.end();
    // Only the real change is announced, and for the tenant it concerns.
    expect(heard.map((payload) => JSON.parse(payload))).toEqual([{ topic: 'tenant', key: demo.globex.id }]);
    const { writes } = await writesToPostgres(() => readTenant(key.secret));
    expect(writes).toBe(2);
  });

  it('caches nothing while it cannot hear changes: every request reads the key again', async () => {
    const { key } = await keyOf();
    await stopChangeListener();
    try {
      expect(isHearingChanges()).toBe(false);
      await readTenant(key.secret);
      const { writes } = await writesToPostgres(() => readTenant(key.secret));
      expect(writes).toBe(3);
      // A revocation is seen at once without any notice.
      await elsewhere`update api_keys set revoked_at = now() where id = ${key.id}`;
      expect((await readTenant(key.secret)).status).toBe(401);
    } finally {
      await startChangeListener();
    }
    expect(isHearingChanges()).toBe(true);
  });

  it('refuses a cached key sent with another tenant named in X-Tenant-ID', async () => {
    const { key } = await keyOf();
    expect((await readTenant(key.secret)).status).toBe(200);
    const other = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', apiKey: key.secret, headers: { 'x-tenant-id': demo.globex.id } });
    expectError(other, 403, 'forbidden', /another organisation/);
  });
});
