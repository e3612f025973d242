import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { recordAudit, SYSTEM_ACTOR, verifyAuditChain, type TAuditEvent } from '@/lib/audit';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { createTestTenant } from './support/state';

/** The audit log's storage guarantees: one hash chain per tenant, append-only, verifiable, concurrency-safe. */

const event = (tenantId: string | null, n: number): TAuditEvent => ({
  tenantId,
  type: 'data_modify',
  action: 'test.write',
  actor: { type: 'user', id: 'u-1', name: 'Tess Tester' },
  target: { type: 'thing', id: `t-${n}`, name: `Thing ${n}` },
  metadata: { n, note: 'ümlaut ✓' },
  ip: '203.0.113.7',
  userAgent: 'vitest',
  requestId: `req-${n}`,
});
const write = (tenantId: string, n: number) => withTenant(tenantId, (tx) => recordAudit(tx, event(tenantId, n)));
const verify = (tenantId: string) => withTenant(tenantId, (tx) => verifyAuditChain(tx, tenantId));
const rows = (tenantId: string) =>
  ownerDb().execute<{ seq: string; prev_hash: string; hash: string }>(sql`select seq, prev_hash, hash from audit_logs where tenant_id = ${tenantId} order by seq`);

describe('the hash chain', () => {
  it('numbers each tenant’s events 1, 2, 3… and links each to the previous hash; verify says ok', async () => {
    const { id } = await createTestTenant('chain');
    for (let n = 1; n <= 5; n += 1) await write(id, n);
    const chain = await rows(id);
    expect(chain.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0].prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < chain.length; i += 1) expect(chain[i].prev_hash).toBe(chain[i - 1].hash);
    expect(await verify(id)).toEqual({ ok: true, checked: 5, lastSeq: 5, lastHash: chain[4].hash });
  });

  it('keeps tenants’ chains apart, and the platform’s (no tenant) too', async () => {
    const a = await createTestTenant('chain-a');
    const b = await createTestTenant('chain-b');
    await write(a.id, 1);
    await write(b.id, 1);
    await write(a.id, 2);
    await withPlatform((tx) => recordAudit(tx, { ...event(null, 1), actor: SYSTEM_ACTOR('test') }));
    expect((await rows(a.id)).map((r) => Number(r.seq))).toEqual([1, 2]);
    expect((await rows(b.id)).map((r) => Number(r.seq))).toEqual([1]);
    expect(await withPlatform((tx) => verifyAuditChain(tx, null))).toMatchObject({ ok: true });
    // A tenant cannot write into another tenant's chain or the platform's.
    await expect(withTenant(a.id, (tx) => recordAudit(tx, event(b.id, 9)))).rejects.toThrow();
    await expect(withTenant(a.id, (tx) => recordAudit(tx, event(null, 9)))).rejects.toThrow();
  });

  it('leaves no trace of an event whose transaction rolled back, and no gap', async () => {
    const { id } = await createTestTenant('chain-rollback');
    await write(id, 1);
    await expect(
      withTenant(id, async (tx) => {
        await recordAudit(tx, event(id, 2));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await write(id, 3);
    expect((await rows(id)).map((r) => Number(r.seq))).toEqual([1, 2]);
    expect(await verify(id)).toMatchObject({ ok: true, checked: 2 });
  });

  it('serialises 50 concurrent writers of one tenant into a valid chain', async () => {
    const { id } = await createTestTenant('chain-race');
    await Promise.all(Array.from({ length: 50 }, (_, n) => write(id, n)));
    expect((await rows(id)).map((r) => Number(r.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await verify(id)).toMatchObject({ ok: true, checked: 50 });
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, even to the owner role, and request code has no such grant', async () => {
    const { id } = await createTestTenant('append');
    await write(id, 1);
    await expect(ownerDb().execute(sql`update audit_logs set action = 'x' where tenant_id = ${id}`)).rejects.toThrow();
    await expect(ownerDb().execute(sql`delete from audit_logs where tenant_id = ${id}`)).rejects.toThrow();
    await expect(ownerDb().execute(sql`truncate audit_logs`)).rejects.toThrow();
    await expect(withTenant(id, (tx) => tx.execute(sql`update audit_logs set action = 'x'`))).rejects.toThrow();
    await expect(withTenant(id, (tx) => tx.execute(sql`delete from audit_logs`))).rejects.toThrow();
    expect(await verify(id)).toMatchObject({ ok: true, checked: 1 });
  });

  it('reports the first broken row when a row is edited behind the triggers’ back', async () => {
    const { id } = await createTestTenant('tamper');
    for (let n = 1; n <= 6; n += 1) await write(id, n);
    await ownerDb().transaction(async (tx) => {
      // As the owner with triggers off (what an attacker with the database's keys could do).
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update audit_logs set target_name = 'Something else' where tenant_id = ${id} and seq = 4`);
    });
    expect(await verify(id)).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: 'hash_mismatch' });
  });

  it('reports a row removed from the middle, and rows removed from the end', async () => {
    const middle = await createTestTenant('tamper-mid');
    const end = await createTestTenant('tamper-end');
    for (let n = 1; n <= 5; n += 1) {
      await write(middle.id, n);
      await write(end.id, n);
    }
    const remove = (tenantId: string, seq: number) =>
      ownerDb().transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`delete from audit_logs where tenant_id = ${tenantId} and seq >= ${seq} and seq <= ${seq === 3 ? 3 : 5}`);
      });
    await remove(middle.id, 3);
    await remove(end.id, 4);
    expect(await verify(middle.id)).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: 'link_broken' });
    expect(await verify(end.id)).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: 'head_mismatch' });
  });

  it('lets only the purge function delete, and verification goes on from the purged hash', async () => {
    const { id } = await createTestTenant('purge');
    for (let n = 1; n <= 5; n += 1) await write(id, n);
    await expect(withTenant(id, (tx) => tx.execute(sql`select sitework_audit_purge(${id}::uuid, 2)`))).rejects.toThrow();
    const [{ purged }] = await ownerDb().execute<{ purged: string }>(sql`select sitework_audit_purge(${id}::uuid, 2) as purged`);
    expect(Number(purged)).toBe(2);
    expect((await rows(id)).map((r) => Number(r.seq))).toEqual([3, 4, 5]);
    expect(await verify(id)).toMatchObject({ ok: true, checked: 3, lastSeq: 5 });
    await write(id, 6);
    expect(await verify(id)).toMatchObject({ ok: true, checked: 4, lastSeq: 6 });
  });
});
