import 'server-only';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { and, asc, eq, gt, gte, lte, min, sql } from 'drizzle-orm';
import { auditChainHeads, auditLogs } from '@/db/schema/audit';
import { tenants, type TPlanId } from '@/db/schema/tenancy';
import { headArchivedObject, putObjectStream } from '@/lib/storage';
import { logger } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';
import { recordAudit, SYSTEM_ACTOR } from './record';

/** How long each plan keeps its audit log online (days); older events go to the archive bucket, then are purged. */
export const AUDIT_RETENTION_DAYS: Record<TPlanId, number> = { free: 90, starter: 180, professional: 365, enterprise: 7 * 365 };

const DAY_MS = 86_400_000;
const BATCH_ROWS = 1000;

export interface TAuditRetentionResult {
  tenants: number;
  archivedEvents: number;
  objects: string[];
  failed: { tenantId: string; message: string }[];
}

export const auditArchiveKey = (tenantId: string, fromSeq: number, throughSeq: number) =>
  `audit/${tenantId}/seq-${String(fromSeq).padStart(12, '0')}-${String(throughSeq).padStart(12, '0')}.jsonl.gz`;

/**
 * The nightly audit retention: for every tenant, the events older than its plan's retention are written as
 * gzipped JSON lines to the archive bucket (STANDARD_IA, the seeds' 30-day log policy), the object is checked,
 * and only then are they purged by sitework_audit_purge — the one function the append-only trigger lets delete.
 * The object's first line carries the chain's hashes around the range, so the archive verifies on its own and the
 * remaining rows verify from where it ends. A crash after the upload is finished by the next run (same range, same
 * key). Each purge is itself an event in the tenant's chain.
 */
export async function runAuditRetention(now: Date = new Date()): Promise<TAuditRetentionResult> {
  const all = await withPlatform((tx) => tx.select({ id: tenants.id, plan: tenants.plan }).from(tenants).orderBy(tenants.id));
  const result: TAuditRetentionResult = { tenants: all.length, archivedEvents: 0, objects: [], failed: [] };
  for (const tenant of all) {
    try {
      const archived = await archiveAndPurge(tenant.id, AUDIT_RETENTION_DAYS[tenant.plan], now);
      if (archived) {
        result.archivedEvents += archived.count;
        result.objects.push(archived.key);
      }
    } catch (error) {
      logger.error({ err: error, tenantId: tenant.id }, 'audit retention failed for a tenant');
      result.failed.push({ tenantId: tenant.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

/** The rows of (afterSeq, throughSeq], oldest first, one batch per short transaction. */
async function* rowsOf(tenantId: string, afterSeq: number, throughSeq: number): AsyncGenerator<(typeof auditLogs.$inferSelect)[]> {
  let cursor = afterSeq;
  while (cursor < throughSeq) {
    const batch = await withPlatform((tx) =>
      tx
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.tenantId, tenantId), gt(auditLogs.seq, cursor), lte(auditLogs.seq, throughSeq)))
        .orderBy(asc(auditLogs.seq))
        .limit(BATCH_ROWS),
    );
    if (batch.length === 0) return;
    yield batch;
    cursor = batch[batch.length - 1].seq;
  }
}

export async function archiveAndPurge(
  tenantId: string,
  retentionDays: number,
  now: Date = new Date(),
): Promise<{ key: string; count: number; throughSeq: number } | null> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const plan = await withPlatform(async (tx) => {
    const [head] = await tx.select().from(auditChainHeads).where(eq(auditChainHeads.chainKey, tenantId));
    if (!head) return null;
    // Everything up to the first event at or after the cutoff: a prefix of the chain, so what remains still links.
    const [firstKept] = await tx
      .select({ seq: min(auditLogs.seq) })
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), gte(auditLogs.occurredAt, cutoff)));
    const throughSeq = firstKept?.seq != null ? Number(firstKept.seq) - 1 : head.lastSeq;
    if (throughSeq <= head.purgedThroughSeq) return null;
    const [last] = await tx
      .select({ hash: auditLogs.hash })
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.seq, throughSeq)));
    return { afterSeq: head.purgedThroughSeq, prevHash: head.purgedLastHash, throughSeq, lastHash: last.hash };
  });
  if (!plan) return null;

  const key = auditArchiveKey(tenantId, plan.afterSeq + 1, plan.throughSeq);
  let count = 0;
  const lines = async function* () {
    yield `${JSON.stringify({ chain: tenantId, fromSeq: plan.afterSeq + 1, throughSeq: plan.throughSeq, prevHash: plan.prevHash, lastHash: plan.lastHash, retentionDays, exportedAt: now.toISOString() })}\n`;
    for await (const batch of rowsOf(tenantId, plan.afterSeq, plan.throughSeq)) {
      count += batch.length;
      yield batch.map((row) => JSON.stringify({ ...row, occurredAt: row.occurredAt.toISOString() })).join('\n') + '\n';
    }
  };
  const gzipped = Readable.from(lines()).pipe(createGzip());
  const stored = await putObjectStream(key, gzipped, 'application/gzip', { bucket: 'archive', storageClass: 'STANDARD_IA' });
  // Verify before deleting anything: the object is there, whole, and held every row of the range.
  const head = await headArchivedObject(key);
  if (!head || head.sizeBytes !== stored.sizeBytes) throw new Error(`archived audit object ${key} is missing or incomplete`);
  if (count !== plan.throughSeq - plan.afterSeq) throw new Error(`expected ${plan.throughSeq - plan.afterSeq} audit rows for ${key}, read ${count}`);

  await withPlatform(async (tx) => {
    await tx.execute(sql`SELECT sitework_audit_purge(${tenantId}::uuid, ${plan.throughSeq}::bigint)`);
    await recordAudit(tx, {
      tenantId,
      type: 'workflow_execution',
      action: 'audit.retention_purge',
      actor: SYSTEM_ACTOR('Audit retention'),
      target: { type: 'audit_archive', id: key, name: `events ${plan.afterSeq + 1}–${plan.throughSeq}` },
      metadata: { fromSeq: plan.afterSeq + 1, throughSeq: plan.throughSeq, events: count, lastHash: plan.lastHash, retentionDays, sha256: stored.sha256 },
    });
  });
  return { key, count, throughSeq: plan.throughSeq };
}
