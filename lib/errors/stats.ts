import 'server-only';
import { sql } from 'drizzle-orm';
import type { TTx } from '@/db/client';
import type { TErrorSource } from '@/db/schema/errors';
import { concentrationOf, detectSpikes, recommend, type TConcentration, type TRecommendation, type TSpikes } from './analysis';
import { scopeCondition, type TErrorScope } from './groups';
import { changePercent, errorWindow, windowHours, type TErrorPeriod, type TErrorWindow } from './periods';

export interface TErrorStats {
  period: TErrorPeriod;
  /** The window: whole UTC hours, `to` exclusive (the end of the current hour). */
  from: string;
  to: string;
  totals: {
    events: number;
    previousEvents: number;
    /** Groups with events in the period, of which first seen in it. */
    groups: number;
    newGroups: number;
    /** Distinct users and API keys that met an error in the period. */
    usersAffected: number;
    /** Unresolved regressions seen in the period. */
    regressions: number;
  };
  byType: { type: string; count: number }[];
  /** UTC hour of day 0–23, all 24. */
  byHourOfDay: { hour: number; count: number }[];
  /** The 20 routes (or pages, actions, jobs) with most errors. */
  byRoute: { route: string; method: string | null; count: number }[];
  bySource: { source: TErrorSource; count: number }[];
  /**
   * Server errors of API-key calls over API-key calls (the usage rollup counts only those: a browser session's
   * calls are the portal itself, not metered), in percent; null without calls.
   */
  errorRate: { apiErrors: number; apiRequests: number; ratePercent: number | null };
  /** Per UTC hour of the period: all errors, API-key server errors and API-key calls. */
  hourly: { hourStart: string; errors: number; apiErrors: number; apiRequests: number }[];
}

export interface TErrorAnalysis {
  period: TErrorPeriod;
  from: string;
  to: string;
  trend: { current: number; previous: number; changePercent: number | null; direction: 'up' | 'down' | 'flat' | 'new' | 'none' };
  spikes: TSpikes & { hours: (TSpikes['hours'][number] & { topGroup: { id: string; title: string; count: number } | null })[] };
  concentration: { route: TConcentration | null; caller: TConcentration | null };
  recommendations: TRecommendation[];
}

const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const hourIndex = (column: string, window: TErrorWindow) =>
  sql`floor(extract(epoch FROM ${sql.raw(column)} - ${at(window.from)}) / 3600)::int`;

interface TFacts {
  window: TErrorWindow;
  errorsPerHour: number[];
  apiErrorsPerHour: number[];
  apiRequestsPerHour: number[];
  previousEvents: number;
  byType: { type: string; count: number }[];
  byRoute: { route: string; method: string | null; count: number }[];
  bySource: { source: TErrorSource; count: number }[];
  topCaller: { key: string; count: number } | undefined;
  usersAffected: number;
  groups: { id: string; title: string; count: number; isNew: boolean; isRegression: boolean; releases: string[] }[];
}

/** Everything stats and analysis read, in a handful of queries: rollups where they suffice, events where not. */
async function gatherFacts(tx: TTx, tenantId: string, window: TErrorWindow): Promise<TFacts> {
  const scope: TErrorScope = { kind: 'tenant', tenantId };
  const inWindow = (column: string) => sql`${sql.raw(column)} >= ${at(window.from)} AND ${sql.raw(column)} < ${at(window.to)}`;
  const [hourly, previous, byType, byRoute, bySource, callers, users, apiErrors, apiRequests, groups] = await Promise.all([
    tx.execute<{ i: number; n: number }>(sql`
      SELECT ${hourIndex('h.hour_start', window)} AS i, sum(h.count)::float8 AS n FROM error_hourly h
      WHERE ${scopeCondition('h', scope)} AND ${inWindow('h.hour_start')} GROUP BY 1`),
    tx.execute<{ n: number }>(sql`
      SELECT coalesce(sum(h.count), 0)::float8 AS n FROM error_hourly h
      WHERE ${scopeCondition('h', scope)} AND h.hour_start >= ${at(window.previousFrom)} AND h.hour_start < ${at(window.from)}`),
    tx.execute<{ type: string; count: number }>(sql`
      SELECT g.error_type AS type, sum(h.count)::float8 AS count FROM error_hourly h JOIN error_groups g ON g.id = h.group_id
      WHERE ${scopeCondition('h', scope)} AND ${inWindow('h.hour_start')} GROUP BY 1 ORDER BY 2 DESC, 1`),
    tx.execute<{ route: string; method: string | null; count: number }>(sql`
      SELECT coalesce(e.route, '') AS route, e.method, count(*)::float8 AS count FROM error_events e
      WHERE ${scopeCondition('e', scope)} AND ${inWindow('e.occurred_at')} GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 20`),
    tx.execute<{ source: TErrorSource; count: number }>(sql`
      SELECT e.source, count(*)::float8 AS count FROM error_events e
      WHERE ${scopeCondition('e', scope)} AND ${inWindow('e.occurred_at')} GROUP BY 1 ORDER BY 2 DESC, 1`),
    tx.execute<{ key: string; count: number }>(sql`
      SELECT e.user_key AS key, count(*)::float8 AS count FROM error_events e
      WHERE ${scopeCondition('e', scope)} AND ${inWindow('e.occurred_at')} AND e.user_key IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`),
    tx.execute<{ n: number }>(sql`
      SELECT count(DISTINCT e.user_key)::float8 AS n FROM error_events e
      WHERE ${scopeCondition('e', scope)} AND ${inWindow('e.occurred_at')}`),
    tx.execute<{ i: number; n: number }>(sql`
      SELECT ${hourIndex('e.occurred_at', window)} AS i, count(*)::float8 AS n FROM error_events e
      WHERE ${scopeCondition('e', scope)} AND ${inWindow('e.occurred_at')} AND e.source = 'server' AND e.user_key LIKE 'key:%'
      GROUP BY 1`),
    tx.execute<{ i: number; n: number }>(sql`
      SELECT ${hourIndex('u.hour_start', window)} AS i, sum(u.count)::float8 AS n FROM usage_hourly u
      WHERE u.tenant_id = ${tenantId}::uuid AND u.event_type = 'api_call' AND ${inWindow('u.hour_start')} GROUP BY 1`),
    tx.execute<{ id: string; title: string; count: number; isNew: boolean; isRegression: boolean; releases: string[] | null }>(sql`
      SELECT g.id, g.title, sum(h.count)::float8 AS count, g.first_seen >= ${at(window.from)} AS "isNew",
        (g.is_regression AND g.status = 'unresolved') AS "isRegression",
        CASE WHEN g.first_seen >= ${at(window.from)} THEN
          (SELECT array_agg(DISTINCT coalesce(e.release, '')) FROM error_events e WHERE e.group_id = g.id AND ${inWindow('e.occurred_at')})
        END AS releases
      FROM error_hourly h JOIN error_groups g ON g.id = h.group_id
      WHERE ${scopeCondition('h', scope)} AND ${inWindow('h.hour_start')}
      GROUP BY g.id ORDER BY 3 DESC, g.id`),
  ]);
  const perHour = (rows: readonly { i: number; n: number }[]) => {
    const counts = new Array<number>(window.hours).fill(0);
    for (const row of rows) if (row.i >= 0 && row.i < window.hours) counts[row.i] += Number(row.n);
    return counts;
  };
  return {
    window,
    errorsPerHour: perHour(hourly),
    apiErrorsPerHour: perHour(apiErrors),
    apiRequestsPerHour: perHour(apiRequests),
    previousEvents: Number(previous[0]?.n ?? 0),
    byType: byType.map((r) => ({ type: r.type, count: Number(r.count) })),
    byRoute: byRoute.map((r) => ({ route: r.route, method: r.method, count: Number(r.count) })),
    bySource: bySource.map((r) => ({ source: r.source, count: Number(r.count) })),
    topCaller: callers[0] ? { key: callers[0].key, count: Number(callers[0].count) } : undefined,
    usersAffected: Number(users[0]?.n ?? 0),
    groups: groups.map((g) => ({ ...g, count: Number(g.count), releases: g.releases ?? [] })),
  };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Totals, by type, by UTC hour of day, by route and source, and the API error rate over the period. */
export async function getErrorStats(tx: TTx, tenantId: string, period: TErrorPeriod, now?: Date): Promise<TErrorStats> {
  const window = errorWindow(period, now);
  const facts = await gatherFacts(tx, tenantId, window);
  const hours = windowHours(window);
  const byHourOfDay = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0 }));
  hours.forEach((hour, i) => (byHourOfDay[hour.getUTCHours()].count += facts.errorsPerHour[i]));
  const apiErrors = sum(facts.apiErrorsPerHour);
  const apiRequests = sum(facts.apiRequestsPerHour);
  return {
    period,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    totals: {
      events: sum(facts.errorsPerHour),
      previousEvents: facts.previousEvents,
      groups: facts.groups.length,
      newGroups: facts.groups.filter((g) => g.isNew).length,
      usersAffected: facts.usersAffected,
      regressions: facts.groups.filter((g) => g.isRegression).length,
    },
    byType: facts.byType,
    byHourOfDay,
    byRoute: facts.byRoute,
    bySource: facts.bySource,
    errorRate: { apiErrors, apiRequests, ratePercent: apiRequests === 0 ? null : Math.round((apiErrors / apiRequests) * 10_000) / 100 },
    hourly: hours.map((hour, i) => ({
      hourStart: hour.toISOString(),
      errors: facts.errorsPerHour[i],
      apiErrors: facts.apiErrorsPerHour[i],
      apiRequests: facts.apiRequestsPerHour[i],
    })),
  };
}

/** Trend against the previous period, spikes, concentration and rule-based recommendations. */
export async function getErrorAnalysis(tx: TTx, tenantId: string, period: TErrorPeriod, now?: Date): Promise<TErrorAnalysis> {
  const window = errorWindow(period, now);
  const facts = await gatherFacts(tx, tenantId, window);
  const total = sum(facts.errorsPerHour);
  const change = changePercent(total, facts.previousEvents);
  const hours = windowHours(window);
  const spikes = detectSpikes(hours.map((hour, i) => ({ hourStart: hour.toISOString(), count: facts.errorsPerHour[i] })));

  // The group behind each spike hour: the one with most events in it.
  const spikeHours = spikes.hours.map((h) => h.hourStart);
  const topGroups =
    spikeHours.length === 0
      ? []
      : await tx.execute<{ hourStart: string; id: string; title: string; count: number }>(sql`
          SELECT DISTINCT ON (h.hour_start) to_char(h.hour_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "hourStart",
            g.id, g.title, h.count::float8 AS count
          FROM error_hourly h JOIN error_groups g ON g.id = h.group_id
          WHERE h.tenant_id = ${tenantId}::uuid AND h.hour_start IN (${sql.join(spikeHours.map((hour) => sql`${hour}::timestamptz`), sql`, `)})
          ORDER BY h.hour_start, h.count DESC, g.id`);
  const topGroupOf = new Map(topGroups.map((row) => [row.hourStart, { id: row.id, title: row.title, count: Number(row.count) }]));

  // Errors without a route (jobs, some renders) are not a route's fault.
  const topRoute = facts.byRoute.find((r) => r.route);
  const route = concentrationOf(topRoute && { key: [topRoute.method, topRoute.route].filter(Boolean).join(' '), count: topRoute.count }, total);
  const caller = concentrationOf(facts.topCaller, total);
  const newGroups = facts.groups.filter((g) => g.isNew);
  const top = facts.groups[0];
  const recommendations = recommend({
    periodHours: window.hours,
    total,
    previousTotal: facts.previousEvents,
    changePercent: change,
    spikes,
    route,
    caller,
    topGroup: top ? { id: top.id, title: top.title, count: top.count } : null,
    newGroups: {
      count: newGroups.length,
      events: sum(newGroups.map((g) => g.count)),
      releases: [...new Set(newGroups.flatMap((g) => g.releases))].sort(),
    },
    regressions: facts.groups.filter((g) => g.isRegression).map((g) => ({ id: g.id, title: g.title })),
    apiErrors: sum(facts.apiErrorsPerHour),
    apiRequests: sum(facts.apiRequestsPerHour),
  });
  return {
    period,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    trend: {
      current: total,
      previous: facts.previousEvents,
      changePercent: change,
      direction: total === 0 && facts.previousEvents === 0 ? 'none' : change === null ? 'new' : change > 0 ? 'up' : change < 0 ? 'down' : 'flat',
    },
    spikes: { ...spikes, hours: spikes.hours.map((h) => ({ ...h, topGroup: topGroupOf.get(h.hourStart) ?? null })) },
    concentration: { route, caller },
    recommendations,
  };
}
