import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import type { TErrorGroupStatus, TErrorSource } from '@/db/schema/errors';
import { AppError } from '@/lib/app-error';
import type { TAdminErrorGroupsQuery, TErrorGroupsQuery } from './input';
import { changePercent, errorWindow, windowHours, type TErrorPeriod, type TErrorWindow } from './periods';

/** Whose errors a query reads: one tenant's (tenant endpoints), or the operators' view. */
export type TErrorScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform'; tenant?: string | 'none' };

export type TErrorGroup = {
  id: string;
  title: string;
  culprit: string | null;
  errorType: string;
  status: TErrorGroupStatus;
  isRegression: boolean;
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  usersAffected: number;
  resolvedAt: string | null;
};

export interface TErrorGroupListItem extends TErrorGroup {
  /** Events in the period and in the period before, and the change in percent (null: new). */
  trend: { current: number; previous: number; changePercent: number | null };
  /** The period's events in 24 equal buckets, oldest first (a sparkline). */
  series: number[];
}

export interface TAdminErrorGroupListItem extends TErrorGroupListItem {
  tenantId: string | null;
  tenantSlug: string | null;
  tenantName: string | null;
}

export type TErrorEvent = {
  id: string;
  occurredAt: string;
  source: TErrorSource;
  route: string | null;
  method: string | null;
  status: number | null;
  errorType: string;
  message: string;
  requestId: string | null;
  traceId: string | null;
  release: string | null;
  userAgent: string | null;
  userKey: string | null;
  metadata: Record<string, unknown>;
};

export interface TErrorGroupDetail {
  group: TErrorGroup;
  period: TErrorPeriod;
  /** The latest events, newest first. */
  events: TErrorEvent[];
  /** The stack of the latest event that has one. */
  sampleStack: string | null;
  /** Events per UTC hour of the period, oldest first, zeros where none. */
  hourly: { hourStart: string; count: number }[];
}

const SPARKLINE_BUCKETS = 24;
const RECENT_EVENTS = 50;

const iso = (column: SQL) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The WHERE on tenant_id of `alias` for a scope. Tenant scopes also run under row-level security. */
export function scopeCondition(alias: string, scope: TErrorScope): SQL {
  const column = sql.raw(`${alias}.tenant_id`);
  if (scope.kind === 'tenant') return sql`${column} = ${scope.tenantId}::uuid`;
  if (scope.tenant === 'none') return sql`${column} IS NULL`;
  if (scope.tenant) return sql`${column} = ${scope.tenant}::uuid`;
  return sql`TRUE`;
}

const groupColumns = sql`g.id, g.title, g.culprit, g.error_type AS "errorType", g.status, g.is_regression AS "isRegression",
  ${iso(sql`g.first_seen`)} AS "firstSeen", ${iso(sql`g.last_seen`)} AS "lastSeen", g.event_count::float8 AS "eventCount",
  g.users_affected AS "usersAffected", ${iso(sql`g.resolved_at`)} AS "resolvedAt"`;

type TGroupRow = TErrorGroup & { current: number; previous: number; tenantId: string | null; tenantSlug: string | null; tenantName: string | null };

async function selectGroups(tx: TTx, scope: TErrorScope, query: TErrorGroupsQuery, window: TErrorWindow): Promise<TGroupRow[]> {
  const order =
    query.sort === 'last_seen'
      ? sql`g.last_seen DESC`
      : query.sort === 'trend'
        ? sql`(coalesce(cur.n, 0) - coalesce(prev.n, 0)) DESC, coalesce(cur.n, 0) DESC`
        : sql`coalesce(cur.n, 0) DESC, g.last_seen DESC`;
  const rows = await tx.execute<TGroupRow>(sql`
    WITH cur AS (
      SELECT h.group_id, sum(h.count)::float8 AS n FROM error_hourly h
      WHERE ${scopeCondition('h', scope)} AND h.hour_start >= ${window.from.toISOString()}::timestamptz AND h.hour_start < ${window.to.toISOString()}::timestamptz
      GROUP BY h.group_id
    ),
    prev AS (
      SELECT h.group_id, sum(h.count)::float8 AS n FROM error_hourly h
      WHERE ${scopeCondition('h', scope)} AND h.hour_start >= ${window.previousFrom.toISOString()}::timestamptz AND h.hour_start < ${window.from.toISOString()}::timestamptz
      GROUP BY h.group_id
    )
    SELECT ${groupColumns}, coalesce(cur.n, 0) AS current, coalesce(prev.n, 0) AS previous,
      g.tenant_id AS "tenantId", t.slug AS "tenantSlug", t.name AS "tenantName"
    FROM error_groups g
    LEFT JOIN cur ON cur.group_id = g.id
    LEFT JOIN prev ON prev.group_id = g.id
    LEFT JOIN tenants t ON t.id = g.tenant_id
    WHERE ${scopeCondition('g', scope)} AND g.last_seen >= ${window.from.toISOString()}::timestamptz
      ${query.status ? sql`AND g.status = ${query.status}` : sql``}
    ORDER BY ${order}, g.id
    LIMIT ${query.limit}`);
  return [...rows];
}

/** Per group, the window's events in equal buckets (a sparkline), from the hourly counts. */
async function sparklines(tx: TTx, scope: TErrorScope, groupIds: string[], window: TErrorWindow): Promise<Map<string, number[]>> {
  const series = new Map(groupIds.map((id) => [id, new Array<number>(SPARKLINE_BUCKETS).fill(0)]));
  if (groupIds.length === 0) return series;
  const rows = await tx.execute<{ groupId: string; hourIndex: number; count: number }>(sql`
    SELECT h.group_id AS "groupId",
      floor(extract(epoch FROM h.hour_start - ${window.from.toISOString()}::timestamptz) / 3600)::int AS "hourIndex",
      h.count::float8 AS count
    FROM error_hourly h
    WHERE ${scopeCondition('h', scope)} AND h.group_id IN (${sql.join(groupIds.map((id) => sql`${id}::uuid`), sql`, `)})
      AND h.hour_start >= ${window.from.toISOString()}::timestamptz AND h.hour_start < ${window.to.toISOString()}::timestamptz`);
  for (const row of rows) {
    const bucket = Math.min(SPARKLINE_BUCKETS - 1, Math.floor((row.hourIndex * SPARKLINE_BUCKETS) / window.hours));
    series.get(row.groupId)![bucket] += Number(row.count);
  }
  return series;
}

function listItem(row: TGroupRow, series: number[]): TErrorGroupListItem {
  const { current, previous, tenantId: _tenantId, tenantSlug: _tenantSlug, tenantName: _tenantName, ...group } = row;
  return {
    ...group,
    eventCount: Number(group.eventCount),
    trend: { current: Number(current), previous: Number(previous), changePercent: changePercent(Number(current), Number(previous)) },
    series,
  };
}

/** A tenant's groups seen in the period, by events in the period, last seen, or growth against the period before. */
export async function listErrorGroups(tx: TTx, tenantId: string, query: TErrorGroupsQuery, now?: Date): Promise<{ period: TErrorPeriod; groups: TErrorGroupListItem[] }> {
  const scope: TErrorScope = { kind: 'tenant', tenantId };
  const window = errorWindow(query.period, now);
  const rows = await selectGroups(tx, scope, query, window);
  const series = await sparklines(tx, scope, rows.map((r) => r.id), window);
  return { period: query.period, groups: rows.map((row) => listItem(row, series.get(row.id)!)) };
}

/** Every tenant's groups and the platform's own (no tenant), for operators (platform transaction). */
export async function listAllErrorGroups(tx: TTx, query: TAdminErrorGroupsQuery, now?: Date): Promise<{ period: TErrorPeriod; groups: TAdminErrorGroupListItem[] }> {
  const scope: TErrorScope = { kind: 'platform', tenant: query.tenant };
  const window = errorWindow(query.period, now);
  const rows = await selectGroups(tx, scope, query, window);
  const series = await sparklines(tx, scope, rows.map((r) => r.id), window);
  return {
    period: query.period,
    groups: rows.map((row) => ({ ...listItem(row, series.get(row.id)!), tenantId: row.tenantId, tenantSlug: row.tenantSlug, tenantName: row.tenantName })),
  };
}

const NOT_FOUND = 'No such error group';

async function findGroup(tx: TTx, scope: TErrorScope, id: string): Promise<TErrorGroup | null> {
  const [row] = await tx.execute<TErrorGroup>(sql`SELECT ${groupColumns} FROM error_groups g WHERE g.id = ${id}::uuid AND ${scopeCondition('g', scope)}`);
  return row ? { ...row, eventCount: Number(row.eventCount) } : null;
}

/** One group of the tenant with its latest events, a sample stack and its hourly series; 404 for anyone else's. */
export async function getErrorGroup(tx: TTx, tenantId: string, id: string, period: TErrorPeriod = '7d', now?: Date): Promise<TErrorGroupDetail> {
  const scope: TErrorScope = { kind: 'tenant', tenantId };
  const group = await findGroup(tx, scope, id);
  if (!group) throw new AppError('not_found', NOT_FOUND);
  const window = errorWindow(period, now);
  const [events, stacks, hourlyRows] = await Promise.all([
    tx.execute<TErrorEvent>(sql`
      SELECT e.id, ${iso(sql`e.occurred_at`)} AS "occurredAt", e.source, e.route, e.method, e.status, e.error_type AS "errorType",
        e.message, e.request_id AS "requestId", e.trace_id AS "traceId", e.release, e.user_agent AS "userAgent",
        e.user_key AS "userKey", e.metadata
      FROM error_events e
      WHERE e.group_id = ${id}::uuid AND ${scopeCondition('e', scope)}
      ORDER BY e.occurred_at DESC, e.id
      LIMIT ${RECENT_EVENTS}`),
    tx.execute<{ stack: string }>(sql`
      SELECT e.stack FROM error_events e
      WHERE e.group_id = ${id}::uuid AND ${scopeCondition('e', scope)} AND e.stack IS NOT NULL
      ORDER BY e.occurred_at DESC LIMIT 1`),
    tx.execute<{ hourIndex: number; count: number }>(sql`
      SELECT floor(extract(epoch FROM h.hour_start - ${window.from.toISOString()}::timestamptz) / 3600)::int AS "hourIndex", h.count::float8 AS count
      FROM error_hourly h
      WHERE h.group_id = ${id}::uuid AND ${scopeCondition('h', scope)}
        AND h.hour_start >= ${window.from.toISOString()}::timestamptz AND h.hour_start < ${window.to.toISOString()}::timestamptz`),
  ]);
  const counts = new Array<number>(window.hours).fill(0);
  for (const row of hourlyRows) counts[row.hourIndex] = Number(row.count);
  return {
    group,
    period,
    events: [...events],
    sampleStack: stacks[0]?.stack ?? null,
    hourly: windowHours(window).map((hour, i) => ({ hourStart: hour.toISOString(), count: counts[i] })),
  };
}

/**
 * Resolve, ignore or reopen a group of the tenant. Resolving stamps resolved_at (a later event reopens the group
 * as a regression) and clears the regression flag; other states clear resolved_at.
 */
export async function changeErrorGroupStatus(tx: TTx, tenantId: string, id: string, status: TErrorGroupStatus): Promise<TErrorGroup> {
  const scope: TErrorScope = { kind: 'tenant', tenantId };
  const updated = await tx.execute<{ id: string }>(sql`
    UPDATE error_groups g SET
      status = ${status},
      resolved_at = ${status === 'resolved' ? sql`now()` : sql`NULL`},
      is_regression = ${status === 'resolved' ? sql`false` : sql`g.is_regression`}
    WHERE g.id = ${id}::uuid AND ${scopeCondition('g', scope)}
    RETURNING g.id`);
  if (updated.length === 0) throw new AppError('not_found', NOT_FOUND);
  return (await findGroup(tx, scope, id))!;
}
