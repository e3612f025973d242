import 'server-only';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import { PLATFORM_CHAIN_KEY } from '@/db/schema/audit';
import { config } from '@/lib/config';

export type TAuditVerification =
  | { ok: true; checked: number; lastSeq: number; lastHash: string }
  | { ok: false; checked: number; firstBrokenSeq: number; reason: 'hash_mismatch' | 'link_broken' | 'sequence_gap' | 'head_mismatch' };

/**
 * Walks a chain (a tenant's, or the platform's for null) in order inside PostgreSQL and reports the first row that
 * does not hold: its stored hash is not sha256(prev_hash || canonical row) (the row was edited), its prev_hash is
 * not the previous row's hash (a row was removed or reordered), its seq skips one, or the last row is not the
 * head the triggers recorded (rows were removed from the end). The first remaining row links to the hash the
 * retention purge recorded. Inside withTenant (RLS shows only that tenant's rows) or withPlatform.
 */
export async function verifyAuditChain(tx: TTx, tenantId: string | null): Promise<TAuditVerification> {
  // Rehashing a chain of millions of events outlasts a request's statement limit: this transaction gets the
  // platform pool's longer one.
  await tx.execute(sql`select set_config('statement_timeout', ${String(config().DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS)}, true)`);
  const key = tenantId ?? PLATFORM_CHAIN_KEY;
  const chain = tenantId === null ? sql`a.tenant_id IS NULL` : sql`a.tenant_id = ${tenantId}::uuid`;
  const [head] = await tx.execute<{ last_seq: string; last_hash: string; purged_through_seq: string; purged_last_hash: string }>(
    sql`SELECT last_seq, last_hash, purged_through_seq, purged_last_hash FROM audit_chain_heads WHERE chain_key = ${key}::uuid`,
  );
  if (!head) return { ok: true, checked: 0, lastSeq: 0, lastHash: '0'.repeat(64) };

  const [broken] = await tx.execute<{ seq: string; reason: 'hash_mismatch' | 'link_broken' | 'sequence_gap' }>(sql`
    WITH walked AS (
      SELECT a.seq, a.prev_hash, a.hash,
        sitework_audit_hash(a.prev_hash, sitework_audit_canonical(a)) AS recomputed,
        coalesce(lag(a.hash) OVER w, ${head.purged_last_hash}) AS expected_prev,
        coalesce(lag(a.seq) OVER w, ${head.purged_through_seq}::bigint) AS previous_seq
      FROM audit_logs a
      WHERE ${chain}
      WINDOW w AS (ORDER BY a.seq)
    )
    SELECT seq,
      CASE WHEN hash <> recomputed THEN 'hash_mismatch'
           WHEN prev_hash <> expected_prev THEN 'link_broken'
           ELSE 'sequence_gap' END AS reason
    FROM walked
    WHERE hash <> recomputed OR prev_hash <> expected_prev OR seq <> previous_seq + 1
    ORDER BY seq
    LIMIT 1`);
  const [{ count, last_seq: lastSeq }] = await tx.execute<{ count: string; last_seq: string | null }>(
    sql`SELECT count(*) AS count, max(a.seq) AS last_seq FROM audit_logs a WHERE ${chain}`,
  );
  const [last] = await tx.execute<{ hash: string }>(sql`SELECT a.hash FROM audit_logs a WHERE ${chain} ORDER BY a.seq DESC LIMIT 1`);
  const lastHash = last?.hash ?? null;
  const checked = Number(count);
  if (broken) return { ok: false, checked, firstBrokenSeq: Number(broken.seq), reason: broken.reason };
  // Rows removed from the end leave an intact chain that stops short of the head.
  const headSeq = Number(head.last_seq);
  if ((lastSeq === null ? Number(head.purged_through_seq) : Number(lastSeq)) !== headSeq || (lastHash !== null && lastHash !== head.last_hash)) {
    return { ok: false, checked, firstBrokenSeq: (lastSeq === null ? Number(head.purged_through_seq) : Number(lastSeq)) + 1, reason: 'head_mismatch' };
  }
  return { ok: true, checked, lastSeq: headSeq, lastHash: head.last_hash };
}
