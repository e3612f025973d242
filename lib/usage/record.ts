import 'server-only';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import type { TUsageEventSource, TUsageEventType } from '@/db/schema/usage';

export interface TUsageEvent {
  /** The event id: ingesting the same id twice (for a tenant) counts once. */
  id: string;
  type: TUsageEventType;
  quantity: number;
  occurredAt: Date;
  route?: string | null;
  method?: string | null;
  status?: number | null;
  metadata?: Record<string, unknown>;
}

/**
 * Stores a tenant's events and adds them to the hourly and daily rollups, in one statement: only the rows
 * the INSERT actually wrote (not the duplicates ON CONFLICT skipped) reach the rollups, so a repeated id
 * counts once everywhere. Runs in the caller's withTenant transaction (RLS checks every row). Returns how
 * many events were new. Ids are unique per tenant and source: the server's own events here.
 */
export function recordUsageEvents(tx: TTx, tenantId: string, events: readonly TUsageEvent[]): Promise<{ accepted: number }> {
  return insertUsageEvents(tx, tenantId, events, 'server');
}

/**
 * Stores events a script reported (POST /api/v1/usage/events). Their ids live apart from the server's, so an id
 * a script chooses, even one derived from a file like the server's own, can only ever duplicate its own reports.
 */
export function recordReportedUsageEvents(tx: TTx, tenantId: string, events: readonly TUsageEvent[]): Promise<{ accepted: number }> {
  return insertUsageEvents(tx, tenantId, events, 'client');
}

async function insertUsageEvents(
  tx: TTx,
  tenantId: string,
  events: readonly TUsageEvent[],
  source: TUsageEventSource,
): Promise<{ accepted: number }> {
  if (events.length === 0) return { accepted: 0 };
  const rows = events.map((e) => ({
    id: e.id,
    event_type: e.type,
    quantity: e.quantity,
    route: e.route ?? null,
    method: e.method ?? null,
    status: e.status ?? null,
    metadata: e.metadata ?? {},
    occurred_at: e.occurredAt.toISOString(),
  }));
  const [result] = await tx.execute<{ accepted: number }>(sql`
    WITH inserted AS (
      INSERT INTO usage_events (id, tenant_id, source, event_type, quantity, route, method, status, metadata, occurred_at)
      SELECT r.id, ${tenantId}::uuid, ${source}, r.event_type, r.quantity, r.route, r.method, r.status, r.metadata, r.occurred_at
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(id uuid, event_type text, quantity bigint, route text, method text, status int, metadata jsonb, occurred_at timestamptz)
      ON CONFLICT (tenant_id, source, id) DO NOTHING
      RETURNING event_type, quantity, occurred_at,
        CASE WHEN event_type = 'api_call' THEN coalesce(method, '') || ' ' || coalesce(route, '') ELSE '' END AS route_label
    ),
    hourly AS (
      INSERT INTO usage_hourly AS u (tenant_id, hour_start, event_type, route, count, quantity_sum)
      SELECT ${tenantId}::uuid, date_trunc('hour', occurred_at, 'UTC'), event_type, route_label, count(*),
        CASE WHEN event_type = 'storage_bytes' THEN max(quantity) ELSE sum(quantity)::bigint END
      FROM inserted
      GROUP BY 2, 3, 4
      ON CONFLICT (tenant_id, hour_start, event_type, route) DO UPDATE SET
        count = u.count + excluded.count,
        quantity_sum = CASE WHEN u.event_type = 'storage_bytes' THEN greatest(u.quantity_sum, excluded.quantity_sum)
                            ELSE u.quantity_sum + excluded.quantity_sum END
    ),
    daily AS (
      INSERT INTO usage_daily AS u (tenant_id, day, event_type, route, count, quantity_sum)
      SELECT ${tenantId}::uuid, (occurred_at AT TIME ZONE 'UTC')::date, event_type, route_label, count(*),
        CASE WHEN event_type = 'storage_bytes' THEN max(quantity) ELSE sum(quantity)::bigint END
      FROM inserted
      GROUP BY 2, 3, 4
      ON CONFLICT (tenant_id, day, event_type, route) DO UPDATE SET
        count = u.count + excluded.count,
        quantity_sum = CASE WHEN u.event_type = 'storage_bytes' THEN greatest(u.quantity_sum, excluded.quantity_sum)
                            ELSE u.quantity_sum + excluded.quantity_sum END
    )
    SELECT count(*)::int AS accepted FROM inserted`);
  return { accepted: Number(result?.accepted ?? 0) };
}

/**
 * A stable event id for something that happens once per object (a file's upload, its processing): the same
 * occurrence reported twice — a retried request, a replayed job step — is counted once.
 */
export function usageEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join(':')).digest('hex');
  // Shaped as a version-5-style UUID so it fits the uuid column.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
