import 'server-only';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import type { TErrorSource } from '@/db/schema/errors';

/** One captured error, fingerprinted, as the flush writes it. */
export interface TErrorEventRow {
  id: string;
  fingerprint: string;
  title: string;
  culprit: string | null;
  errorType: string;
  occurredAt: Date;
  source: TErrorSource;
  route: string | null;
  method: string | null;
  status: number | null;
  message: string;
  stack: string | null;
  requestId: string | null;
  traceId: string | null;
  release: string | null;
  userAgent: string | null;
  userKey: string | null;
  metadata: Record<string, unknown>;
}

export interface TStoreResult {
  /** Events written (an id already stored is skipped). */
  inserted: number;
  /** Groups a resolved state was lifted from by these events. */
  regressions: number;
}

/**
 * Stores one tenant's (or, with tenantId null, the platform's) events in the caller's transaction, in two
 * statements:
 * 1. make sure each fingerprint has its group, and lock those rows (in fingerprint order, so two processes
 *    flushing the same groups cannot deadlock);
 * 2. insert the events (ON CONFLICT on the id: a retried flush counts nothing twice) and, from the rows actually
 *    inserted, bump error_hourly and the groups' counters: first/last seen, event count, users affected (users
 *    with no earlier event in the group — the lock of step 1 makes a concurrent flush wait, and this statement's
 *    snapshot, taken after the lock, sees its events), and reopen a resolved group the events came after, as a
 *    regression.
 */
export async function storeErrorEvents(tx: TTx, tenantId: string | null, events: readonly TErrorEventRow[]): Promise<TStoreResult> {
  if (events.length === 0) return { inserted: 0, regressions: 0 };
  const groupRows = events.map((e) => ({
    fingerprint: e.fingerprint,
    title: e.title,
    culprit: e.culprit,
    error_type: e.errorType,
    occurred_at: e.occurredAt.toISOString(),
  }));
  const groups = await tx.execute<{ id: string; fingerprint: string }>(sql`
    INSERT INTO error_groups AS g (tenant_id, fingerprint, title, culprit, error_type, first_seen, last_seen)
    SELECT ${tenantId}::uuid, r.fingerprint,
      (array_agg(r.title ORDER BY r.occurred_at DESC))[1],
      (array_agg(r.culprit ORDER BY r.occurred_at DESC))[1],
      (array_agg(r.error_type ORDER BY r.occurred_at DESC))[1],
      min(r.occurred_at), max(r.occurred_at)
    FROM jsonb_to_recordset(${JSON.stringify(groupRows)}::jsonb)
      AS r(fingerprint text, title text, culprit text, error_type text, occurred_at timestamptz)
    GROUP BY r.fingerprint
    ORDER BY r.fingerprint
    ON CONFLICT ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)), fingerprint)
      DO UPDATE SET fingerprint = excluded.fingerprint
    RETURNING g.id, g.fingerprint`);
  const groupIdOf = new Map(groups.map((g) => [g.fingerprint, g.id]));

  const eventRows = events.map((e) => ({
    id: e.id,
    group_id: groupIdOf.get(e.fingerprint),
    occurred_at: e.occurredAt.toISOString(),
    source: e.source,
    route: e.route,
    method: e.method,
    status: e.status,
    error_type: e.errorType,
    message: e.message,
    stack: e.stack,
    request_id: e.requestId,
    trace_id: e.traceId,
    release: e.release,
    user_agent: e.userAgent,
    user_key: e.userKey,
    metadata: e.metadata,
  }));
  const [result] = await tx.execute<{ inserted: number; regressions: number }>(sql`
    WITH r AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(eventRows)}::jsonb)
        AS r(id uuid, group_id uuid, occurred_at timestamptz, source text, route text, method text, status int,
             error_type text, message text, stack text, request_id text, trace_id text, release text,
             user_agent text, user_key text, metadata jsonb)
    ),
    new_users AS (
      SELECT r.group_id, count(DISTINCT r.user_key)::int AS n
      FROM r
      WHERE r.user_key IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM error_events e WHERE e.group_id = r.group_id AND e.user_key = r.user_key)
      GROUP BY r.group_id
    ),
    inserted AS (
      INSERT INTO error_events (id, group_id, tenant_id, occurred_at, source, route, method, status, error_type, message,
                                stack, request_id, trace_id, release, user_agent, user_key, metadata)
      SELECT r.id, r.group_id, ${tenantId}::uuid, r.occurred_at, r.source, r.route, r.method, r.status, r.error_type,
             r.message, r.stack, r.request_id, r.trace_id, r.release, r.user_agent, r.user_key, coalesce(r.metadata, '{}'::jsonb)
      FROM r
      ON CONFLICT (id) DO NOTHING
      RETURNING group_id, occurred_at
    ),
    per_group AS (
      SELECT group_id, count(*)::bigint AS n, min(occurred_at) AS first_at, max(occurred_at) AS last_at
      FROM inserted GROUP BY group_id
    ),
    hourly AS (
      INSERT INTO error_hourly AS h (group_id, tenant_id, hour_start, count)
      SELECT group_id, ${tenantId}::uuid, date_trunc('hour', occurred_at, 'UTC'), count(*)
      FROM inserted
      GROUP BY 1, 3
      ON CONFLICT (group_id, hour_start) DO UPDATE SET count = h.count + excluded.count
    ),
    updated AS (
      UPDATE error_groups g SET
        event_count = g.event_count + p.n,
        first_seen = least(g.first_seen, p.first_at),
        last_seen = greatest(g.last_seen, p.last_at),
        users_affected = g.users_affected + coalesce(u.n, 0),
        status = CASE WHEN g.status = 'resolved' AND p.last_at > coalesce(g.resolved_at, '-infinity') THEN 'unresolved' ELSE g.status END,
        is_regression = g.is_regression OR (g.status = 'resolved' AND p.last_at > coalesce(g.resolved_at, '-infinity')),
        resolved_at = CASE WHEN g.status = 'resolved' AND p.last_at > coalesce(g.resolved_at, '-infinity') THEN NULL ELSE g.resolved_at END
      FROM per_group p LEFT JOIN new_users u ON u.group_id = p.group_id
      WHERE g.id = p.group_id
      RETURNING g.id
    ),
    -- Reads the groups as they were before this statement (a CTE's snapshot), so: reopened by these events.
    reopened AS (
      SELECT g.id FROM error_groups g JOIN per_group p ON p.group_id = g.id
      WHERE g.status = 'resolved' AND p.last_at > coalesce(g.resolved_at, '-infinity')
    )
    SELECT (SELECT count(*) FROM inserted)::int AS inserted,
           (SELECT count(*) FROM reopened WHERE id IN (SELECT id FROM updated))::int AS regressions`);
  return { inserted: Number(result?.inserted ?? 0), regressions: Number(result?.regressions ?? 0) };
}
