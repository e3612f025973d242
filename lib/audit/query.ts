import 'server-only';
import { and, desc, eq, gte, ilike, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { containsPattern } from '@/db/like';
import { AUDIT_EVENT_TYPES, auditLogs, type TAuditActorType, type TAuditEventType, type TAuditOutcome } from '@/db/schema/audit';

export const ZAuditFilters = z
  .object({
    actor: z.string().trim().min(1).max(200).optional(),
    action: z.string().trim().min(1).max(200).optional(),
    type: z.enum(AUDIT_EVENT_TYPES).optional(),
    targetType: z.string().trim().min(1).max(100).optional(),
    targetId: z.string().trim().min(1).max(200).optional(),
    outcome: z.enum(['success', 'failure']).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

export interface TAuditEntry {
  id: string;
  seq: number;
  occurredAt: Date;
  type: TAuditEventType;
  action: string;
  outcome: TAuditOutcome;
  actor: { type: TAuditActorType; id: string | null; name: string };
  target: { type: string | null; id: string | null; name: string | null };
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
  hash: string;
}

const columns = {
  id: auditLogs.id,
  seq: auditLogs.seq,
  occurredAt: auditLogs.occurredAt,
  eventType: auditLogs.eventType,
  action: auditLogs.action,
  outcome: auditLogs.outcome,
  actorType: auditLogs.actorType,
  actorId: auditLogs.actorId,
  actorName: auditLogs.actorName,
  targetType: auditLogs.targetType,
  targetId: auditLogs.targetId,
  targetName: auditLogs.targetName,
  ip: auditLogs.ip,
  userAgent: auditLogs.userAgent,
  requestId: auditLogs.requestId,
  metadata: auditLogs.metadata,
  hash: auditLogs.hash,
};

type TRow = typeof auditLogs.$inferSelect;

const toEntry = (row: Pick<TRow, Exclude<keyof TRow, 'tenantId' | 'prevHash'>>): TAuditEntry => ({
  id: row.id,
  seq: row.seq,
  occurredAt: row.occurredAt,
  type: row.eventType,
  action: row.action,
  outcome: row.outcome,
  actor: { type: row.actorType, id: row.actorId, name: row.actorName },
  target: { type: row.targetType, id: row.targetId, name: row.targetName },
  ip: row.ip,
  userAgent: row.userAgent,
  requestId: row.requestId,
  metadata: row.metadata,
  hash: row.hash,
});

/** The chain's rows (tenant, or the platform's when null) matching the filters; LIKE wildcards in text are literal. */
function whereOf(tenantId: string | null, filters: TAuditFilters): SQL | undefined {
  return and(
    tenantId === null ? isNull(auditLogs.tenantId) : eq(auditLogs.tenantId, tenantId),
    // The actor filter matches the id exactly or the display name in part.
    filters.actor ? or(eq(auditLogs.actorId, filters.actor), ilike(auditLogs.actorName, containsPattern(filters.actor))) : undefined,
    filters.action ? eq(auditLogs.action, filters.action) : undefined,
    filters.type ? eq(auditLogs.eventType, filters.type) : undefined,
    filters.targetType ? eq(auditLogs.targetType, filters.targetType) : undefined,
    filters.targetId ? eq(auditLogs.targetId, filters.targetId) : undefined,
    filters.outcome ? eq(auditLogs.outcome, filters.outcome) : undefined,
    filters.from ? gte(auditLogs.occurredAt, filters.from) : undefined,
    filters.to ? lt(auditLogs.occurredAt, filters.to) : undefined,
    filters.q
      ? or(
          ilike(auditLogs.action, containsPattern(filters.q)),
          ilike(auditLogs.actorName, containsPattern(filters.q)),
          ilike(auditLogs.targetName, containsPattern(filters.q)),
          ilike(auditLogs.targetId, containsPattern(filters.q)),
          sql`${auditLogs.metadata}::text ilike ${containsPattern(filters.q)}`,
        )
      : undefined,
  );
}

/**
 * Newest first, keyset-paginated by the chain's sequence number (unique and gap-free per tenant): `beforeSeq` is
 * the last seq of the previous page. Returns up to limit + 1 rows (one more tells there is a next page).
 */
export async function listAuditEvents(
  tx: TTx,
  tenantId: string | null,
  query: TAuditFilters & { limit: number; beforeSeq?: number },
): Promise<TAuditEntry[]> {
  const rows = await tx
    .select(columns)
    .from(auditLogs)
    .where(and(whereOf(tenantId, query), query.beforeSeq !== undefined ? lt(auditLogs.seq, query.beforeSeq) : undefined))
    // NULLS LAST like the (tenant, …, seq DESC NULLS LAST) indexes, or PostgreSQL cannot walk them for the order.
    .orderBy(sql`${auditLogs.seq} desc nulls last`)
    .limit(query.limit + 1);
  return rows.map(toEntry);
}

/** Oldest first, in batches of `batchSize`, for exports: memory holds one batch whatever the size of the range. */
export async function* streamAuditEvents(
  inTx: <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>,
  tenantId: string | null,
  filters: TAuditFilters,
  batchSize = 1000,
): AsyncGenerator<TAuditEntry[]> {
  let afterSeq = 0;
  for (;;) {
    const rows = await inTx((tx) =>
      tx
        .select(columns)
        .from(auditLogs)
        .where(and(whereOf(tenantId, filters), sql`${auditLogs.seq} > ${afterSeq}`))
        .orderBy(auditLogs.seq)
        .limit(batchSize),
    );
    if (rows.length === 0) return;
    yield rows.map(toEntry);
    afterSeq = rows[rows.length - 1].seq;
    if (rows.length < batchSize) return;
  }
}

export interface TAuditSummary {
  from: Date;
  to: Date;
  total: number;
  failures: number;
  byType: { type: TAuditEventType; count: number }[];
  byAction: { action: string; count: number; failures: number }[];
  byActor: { actorType: TAuditActorType; actorId: string | null; actorName: string; count: number }[];
  daily: { day: string; count: number; failures: number }[];
}

export const AUDIT_PERIODS = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;
export type TAuditPeriod = keyof typeof AUDIT_PERIODS;

/** Counts over the period by type, action (top 20), actor (top 20) and day, and the failures among them. */
export async function summarizeAudit(tx: TTx, tenantId: string, period: TAuditPeriod, now: Date = new Date()): Promise<TAuditSummary> {
  const from = new Date(now.getTime() - AUDIT_PERIODS[period] * 86_400_000);
  const where = and(eq(auditLogs.tenantId, tenantId), gte(auditLogs.occurredAt, from), lt(auditLogs.occurredAt, now));
  const failures = sql<number>`count(*) filter (where ${auditLogs.outcome} = 'failure')`.mapWith(Number);
  const count = sql<number>`count(*)`.mapWith(Number);
  const [byType, byAction, byActor, daily] = await Promise.all([
    tx.select({ type: auditLogs.eventType, count }).from(auditLogs).where(where).groupBy(auditLogs.eventType).orderBy(desc(count)),
    tx.select({ action: auditLogs.action, count, failures }).from(auditLogs).where(where).groupBy(auditLogs.action).orderBy(desc(count)).limit(20),
    tx
      .select({ actorType: auditLogs.actorType, actorId: auditLogs.actorId, actorName: sql<string>`max(${auditLogs.actorName})`, count })
      .from(auditLogs)
      .where(where)
      .groupBy(auditLogs.actorType, auditLogs.actorId)
      .orderBy(desc(count))
      .limit(20),
    tx
      .select({ day: sql<string>`to_char(date_trunc('day', ${auditLogs.occurredAt}, 'UTC'), 'YYYY-MM-DD')`, count, failures })
      .from(auditLogs)
      .where(where)
      .groupBy(sql`1`)
      .orderBy(sql`1`),
  ]);
  return {
    from,
    to: now,
    total: byType.reduce((sum, row) => sum + row.count, 0),
    failures: byAction.length === 0 ? 0 : (await tx.select({ failures }).from(auditLogs).where(where))[0].failures,
    byType,
    byAction,
    byActor,
    daily,
  };
}
