import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditLogs } from '@/db/schema/audit';
import { tenants } from '@/db/schema/tenancy';
import { archiveAndPurge, auditArchiveKey, recordAudit, runAuditRetention, verifyAuditChain, type TAuditEvent } from '@/lib/audit';
import * as storage from '@/lib/storage';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { createTestTenant } from './support/state';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-11-20T04:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

const event = (tenantId: string, n: number, occurredAt: Date): TAuditEvent => ({
  tenantId,
  type: 'data_modify',
  action: 'test.write',
  actor: { type: 'user', id: 'u-1', name: 'Tess' },
  target: { type: 'thing', id: `t-${n}` },
  occurredAt,
});

/** A tenant whose chain has `old` events 200 and 100 days old and `recent` ones from yesterday. */
async function tenantWithHistory(plan: 'free' | 'enterprise', old: number, recent: number) {
  const { id } = await createTestTenant(`ret-${plan}`);
  await ownerDb().update(tenants).set({ plan }).where(eq(tenants.id, id));
  for (let n = 0; n < old; n += 1) await withTenant(id, (tx) => recordAudit(tx, event(id, n, daysAgo(n % 2 ? 200 : 100))));
  for (let n = 0; n < recent; n += 1) await withTenant(id, (tx) => recordAudit(tx, event(id, old + n, daysAgo(1))));
  return id;
}

async function readArchive(key: string): Promise<Record<string, unknown>[]> {
  const object = await storage.s3().send(new GetObjectCommand({ Bucket: storage.bucketNames().archive, Key: key }));
  const body = Buffer.from(await object.Body!.transformToByteArray());
  return gunzipSync(body).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const seqs = async (tenantId: string) =>
  (await ownerDb().select({ seq: auditLogs.seq, action: auditLogs.action }).from(auditLogs).where(eq(auditLogs.tenantId, tenantId)).orderBy(auditLogs.seq));

beforeAll(async () => {
  await storage.ensureBuckets();
});

describe('audit retention', () => {
  it('archives what is older than the plan keeps (Free: 90 days) as gzipped JSON lines, then purges it, and the chain still verifies', async () => {
    const id = await tenantWithHistory('free', 6, 3);
    const archived = await archiveAndPurge(id, 90, NOW);
    expect(archived).toEqual({ key: auditArchiveKey(id, 1, 6), count: 6, throughSeq: 6 });

    const [header, ...lines] = await readArchive(archived!.key);
    expect(header).toMatchObject({ chain: id, fromSeq: 1, throughSeq: 6, prevHash: '0'.repeat(64), retentionDays: 90 });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(header.lastHash).toBe(lines[5].hash);
    // The archive links on its own: each row's prev_hash is the one before's hash.
    for (let i = 1; i < lines.length; i += 1) expect(lines[i].prevHash).toBe(lines[i - 1].hash);

    const left = await seqs(id);
    expect(left.map((r) => r.seq)).toEqual([7, 8, 9, 10]);
    expect(left.at(-1)!.action).toBe('audit.retention_purge');
    expect(await withTenant(id, (tx) => verifyAuditChain(tx, id))).toMatchObject({ ok: true, checked: 4, lastSeq: 10 });

    // Nothing more to do the next night.
    expect(await archiveAndPurge(id, 90, NOW)).toBeNull();
  });

  it('keeps everything the plan still keeps (Enterprise: 7 years), and runs over every tenant', async () => {
    const enterprise = await tenantWithHistory('enterprise', 4, 1);
    const free = await tenantWithHistory('free', 2, 1);
    const result = await runAuditRetention(NOW);
    expect(result.failed).toEqual([]);
    expect(result.objects).toContain(auditArchiveKey(free, 1, 2));
    expect(result.objects.some((key) => key.includes(enterprise))).toBe(false);
    expect((await seqs(enterprise)).length).toBe(5);
  });

  it('deletes nothing when the archive cannot be written, and the next run finishes the job with the same key', async () => {
    const id = await tenantWithHistory('free', 3, 1);
    const put = vi.spyOn(storage, 'headArchivedObject').mockResolvedValueOnce(null);
    await expect(archiveAndPurge(id, 90, NOW)).rejects.toThrow(/missing or incomplete/);
    put.mockRestore();
    expect((await seqs(id)).length).toBe(4);
    const archived = await archiveAndPurge(id, 90, NOW);
    expect(archived).toMatchObject({ key: auditArchiveKey(id, 1, 3), count: 3 });
    expect(await withPlatform((tx) => tx.select().from(auditLogs).where(and(eq(auditLogs.tenantId, id), sql`${auditLogs.seq} <= 3`)))).toEqual([]);
  });
});
