import type { Metadata } from 'next';
import { errorPeriodLabel } from '@/components/errors/error-format';
import { ErrorFilterLinks } from '@/components/errors/error-filter-links';
import { ErrorGroupTable } from '@/components/errors/error-group-table';
import { ErrorHourlyChart } from '@/components/errors/error-hourly-chart';
import { ErrorRecommendations } from '@/components/errors/error-recommendations';
import { ErrorStatTiles } from '@/components/errors/error-stat-tiles';
import { NoAccess } from '@/components/portal/no-access';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { ERROR_GROUP_STATUSES } from '@/db/schema/errors';
import { ERROR_PERIODS, getErrorAnalysis, getErrorStats, listErrorGroups, type TErrorPeriod } from '@/lib/errors';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { errorPageHref, groupsQueryOf, parseErrorPageQuery, type TErrorPageQuery } from './error-query';

export const metadata: Metadata = { title: 'Errors' };

const PERIOD_OPTIONS = (Object.keys(ERROR_PERIODS) as TErrorPeriod[]).map((p) => ({ value: p, label: p, description: errorPeriodLabel(p) }));
const SORT_OPTIONS = [
  { value: 'count', label: 'Most events' },
  { value: 'last_seen', label: 'Last seen' },
  { value: 'trend', label: 'Growing' },
];
const STATUS_OPTIONS = [{ value: 'all', label: 'All' }, ...ERROR_GROUP_STATUSES.map((s) => ({ value: s, label: s }))];

export default async function ErrorsPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('errors:read')) return <NoAccess title="Errors" permission="errors:read" />;

  const query = parseErrorPageQuery(await searchParams);
  const { stats, analysis, groups } = await withTenant(tenant.id, async (tx) => ({
    stats: await getErrorStats(tx, tenant.id, query.period),
    analysis: await getErrorAnalysis(tx, tenant.id, query.period),
    groups: (await listErrorGroups(tx, tenant.id, groupsQueryOf(query))).groups,
  }));
  const hrefWith = (change: Partial<TErrorPageQuery>) => errorPageHref({ ...query, ...change });
  const periodText = errorPeriodLabel(query.period).toLowerCase();

  return (
    <div className="space-y-6">
      <PageHeader
        title="Errors"
        description="Server errors, failed actions and browser errors of your organisation, grouped by cause. Times are UTC."
        actions={<ErrorFilterLinks label="Period" options={PERIOD_OPTIONS} current={query.period} hrefOf={(period) => hrefWith({ period: period as TErrorPeriod })} />}
      />

      <ErrorStatTiles stats={stats} changePercent={analysis.trend.changePercent} />

      <Card title="Errors per hour" description={`Every captured error per UTC hour, ${periodText}; the API error rate is server errors of API-key calls over those calls.`}>
        {stats.totals.events === 0 && stats.errorRate.apiRequests === 0 ? (
          <EmptyState title={`No errors in the ${periodText}`} description="Nothing was captured in this period." />
        ) : (
          <ErrorHourlyChart
            title={`Errors per hour, ${periodText}`}
            points={stats.hourly.map((hour) => ({
              hourStart: hour.hourStart,
              errors: hour.errors,
              apiErrorRatePercent: hour.apiRequests === 0 ? null : Math.round((hour.apiErrors / hour.apiRequests) * 10_000) / 100,
            }))}
          />
        )}
      </Card>

      <Card
        title="Top groups"
        description={`Groups seen in the ${periodText}: events in the period and the change against the one before.`}
        actions={
          <div className="flex flex-wrap gap-3">
            <ErrorFilterLinks label="Status" options={STATUS_OPTIONS} current={query.status} hrefOf={(status) => hrefWith({ status: status as TErrorPageQuery['status'] })} />
            <ErrorFilterLinks label="Sort" options={SORT_OPTIONS} current={query.sort} hrefOf={(sort) => hrefWith({ sort: sort as TErrorPageQuery['sort'] })} />
          </div>
        }
        isFlush
      >
        {groups.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={query.status === 'all' ? `No errors in the ${periodText}` : `No ${query.status} groups in the ${periodText}`}
              description="Errors appear here within seconds of happening."
            />
          </div>
        ) : (
          <ErrorGroupTable groups={groups} period={query.period} hrefOf={(id) => `/errors/${id}?period=${query.period}`} />
        )}
      </Card>

      <Card
        title="Recommendations"
        description={`Findings of explicit rules over the ${periodText} (spikes above mean + 3σ, one route or caller causing most errors, trends, regressions), with how much acting on each would help and how sure the rule is.`}
      >
        <ErrorRecommendations recommendations={analysis.recommendations} />
      </Card>
    </div>
  );
}
