/**
 * Audit-log benchmarks against the configured database (DATABASE_URL pointing at a migrated server):
 * - insert throughput through recordAudit with the hash chain (the BEFORE INSERT trigger and its lock on the
 *   chain's head), one event per transaction like a mutation writes it, for one tenant (writers take turns on the
 *   head) and across 100 tenants (they do not);
 * - a history of N rows for one tenant, generated set-based for the read benchmarks (see generateAuditHistory).
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { recordAudit, type TAuditEvent } from '@/lib/audit';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';

export interface TAuditInsertLevel {
  label: string;
  tenants: number;
  writers: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

const ACTIONS = ['file.upload', 'file.download', 'member.role_change', 'api_key.create', 'tenant.settings_update', 'file.delete', 'invitation.create', 'auth.sign_in'];

function eventFor(tenantId: string, n: number): TAuditEvent {
  return {
    tenantId,
    type: 'data_modify',
    action: ACTIONS[n % ACTIONS.length],
    actor: { type: 'api_key', id: `key-${n % 7}`, name: `Script key ${n % 7}` },
    target: { type: 'file', id: randomUUID(), name: `drawing-${n}.pdf` },
    metadata: { n, status: 200 },
    ip: '203.0.113.7',
    userAgent: 'bench',
    requestId: randomUUID(),
  };
}

export async function createBenchTenants(count: number, label: string): Promise<string[]> {
  return withPlatform(async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const ref = await createTenant(tx, { name: `Audit bench ${i + 1}`, slug: `${label}-${String(i + 1).padStart(4, '0')}`, plan: 'enterprise' });
      ids.push(ref.id);
    }
    return ids;
  });
}

/** `writers` loops, each writing events one per withTenant transaction, round-robin over `tenantIds`. */
export async function measureAuditInserts(label: string, tenantIds: string[], writers: number, events: number): Promise<TAuditInsertLevel> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let n = next++; n < events; n = next++) {
        const tenantId = tenantIds[n % tenantIds.length];
        await withTenant(tenantId, (tx) => recordAudit(tx, eventFor(tenantId, n)));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { label, tenants: tenantIds.length, writers, events, seconds, eventsPerSecond: events / seconds };
}

export interface TAuditHistory {
  tenantId: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * `rows` events over the last year for one tenant, written set-based (INSERT … SELECT generate_series) as the
 * superuser with triggers off (session_replication_role = replica), then the chain's head set to the last seq.
 * The hash columns are placeholders: chaining 5 million rows one by one through the trigger would take the
 * benchmark's time, and the read paths measured here never look at hashes (verification is not part of it).
 * The rows follow whatever the tenant's chain already holds (a sign-in is audited), so their numbers are free.
 */
export async function generateAuditHistory(databaseUrl: string, tenantId: string, rows: number): Promise<TAuditHistory> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { synchronous_commit: 'off', work_mem: '256MB' } });
  const started = performance.now();
  try {
    const [head] = await sql<{ lastSeq: string }[]>`select last_seq::text as "lastSeq" from audit_chain_heads where chain_key = ${tenantId}`;
    const firstSeq = Number(head?.lastSeq ?? 0) + 1;
    const lastSeq = firstSeq + rows - 1;
    const chunk = 500_000;
    for (let from = firstSeq; from <= lastSeq; from += chunk) {
      const to = Math.min(lastSeq, from + chunk - 1);
      await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx.unsafe(
          `INSERT INTO audit_logs (tenant_id, seq, occurred_at, event_type, action, outcome, actor_type, actor_id, actor_name,
             target_type, target_id, target_name, ip, user_agent, request_id, metadata, prev_hash, hash)
           SELECT $1::uuid, g,
             now() - interval '365 days' + ((g - $5)::double precision / $2) * interval '365 days',
             (ARRAY['data_modify','file_upload','file_download','security_event','config_change','login','api_call','data_delete'])[1 + g % 8],
             (ARRAY[${ACTIONS.map((a) => `'${a}'`).join(',')}])[1 + g % ${ACTIONS.length}],
             CASE WHEN g % 50 = 0 THEN 'failure' ELSE 'success' END,
             CASE WHEN g % 3 = 0 THEN 'user' ELSE 'api_key' END,
             'actor-' || (g % 40), 'Actor ' || (g % 40),
             'file', md5(g::text), 'drawing-' || g || '.pdf',
             '203.0.113.' || (g % 250), 'bench', md5((g * 7)::text),
             jsonb_build_object('n', g, 'status', CASE WHEN g % 50 = 0 THEN 403 ELSE 200 END),
             md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
           FROM generate_series($3::bigint, $4::bigint) g`,
          [tenantId, rows, from, to, firstSeq - 1],
        );
      });
    }
    await sql`insert into audit_chain_heads (chain_key, last_seq, last_hash) values (${tenantId}, ${lastSeq}, ${'0'.repeat(64)})
              on conflict (chain_key) do update set last_seq = excluded.last_seq`;
    await sql`analyze audit_logs`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  const seconds = (performance.now() - started) / 1000;
  return { tenantId, rows, seconds, rowsPerSecond: rows / seconds };
}
