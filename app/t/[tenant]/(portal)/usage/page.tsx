import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { QueryProvider } from '@/components/providers/query-provider';
import { PageHeader } from '@/components/ui/page-header';
import { UsageDashboard } from '@/components/usage/usage-dashboard';
import { getCurrentUsage } from '@/lib/billing';
import { withTenant } from '@/lib/tenancy';
import { getUsageBreakdown, getUsageStats, USAGE_PERIODS, ZUsagePeriodQuery, type TUsagePeriod } from '@/lib/usage';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Usage' };

export default async function UsagePage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('usage:read')) return <NoAccess title="Usage" permission="usage:read" />;

  // An unknown ?period= falls back to the default rather than failing the page.
  const raw = (await searchParams).period;
  const parsed = ZUsagePeriodQuery.safeParse({ period: typeof raw === 'string' && raw !== '' ? raw : undefined });
  const period = parsed.success ? parsed.data.period : ZUsagePeriodQuery.parse({}).period;

  const renderedAt = Date.now();
  const initial = await withTenant(tenant.id, async (tx) => ({
    current: await getCurrentUsage(tx, tenant.id),
    stats: await getUsageStats(tx, tenant.id, period),
    breakdown: await getUsageBreakdown(tx, tenant.id, period),
  }));

  return (
    <>
      <PageHeader title="Usage" description="API calls, uploads and storage against your plan's limits." />
      <QueryProvider>
        <UsageDashboard periods={Object.keys(USAGE_PERIODS) as TUsagePeriod[]} initial={initial} renderedAt={renderedAt} />
      </QueryProvider>
    </>
  );
}
