import { ERROR_GROUP_STATUSES, type TErrorGroupStatus } from '@/db/schema/errors';
import { ERROR_PERIODS, type TErrorGroupsQuery, type TErrorPeriod } from '@/lib/errors';

export const DEFAULT_PERIOD: TErrorPeriod = '7d';
export const GROUP_SORTS = ['count', 'last_seen', 'trend'] as const;
export type TGroupSort = (typeof GROUP_SORTS)[number];
export const GROUPS_SHOWN = 50;

export interface TErrorPageQuery {
  period: TErrorPeriod;
  sort: TGroupSort;
  status: TErrorGroupStatus | 'all';
}

const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
const isIn = <T extends string>(values: readonly T[], value: string | undefined): value is T => value !== undefined && (values as readonly string[]).includes(value);

/** The page's choices from the URL; anything unknown falls back to the default rather than failing the page. */
export function parseErrorPageQuery(searchParams: Record<string, string | string[] | undefined>): TErrorPageQuery {
  const period = one(searchParams.period);
  const sort = one(searchParams.sort);
  const status = one(searchParams.status);
  return {
    period: isIn(Object.keys(ERROR_PERIODS) as TErrorPeriod[], period) ? period : DEFAULT_PERIOD,
    sort: isIn(GROUP_SORTS, sort) ? sort : 'count',
    status: isIn(ERROR_GROUP_STATUSES, status) ? status : 'all',
  };
}

export function groupsQueryOf(query: TErrorPageQuery): TErrorGroupsQuery {
  return { period: query.period, sort: query.sort, status: query.status === 'all' ? undefined : query.status, limit: GROUPS_SHOWN };
}

/** The Errors page with these choices, defaults left out of the URL. */
export function errorPageHref(query: TErrorPageQuery): string {
  const params = new URLSearchParams();
  if (query.period !== DEFAULT_PERIOD) params.set('period', query.period);
  if (query.sort !== 'count') params.set('sort', query.sort);
  if (query.status !== 'all') params.set('status', query.status);
  const search = params.toString();
  return search ? `/errors?${search}` : '/errors';
}
