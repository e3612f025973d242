import type { Metadata } from 'next';
import { errorPeriodLabel } from '@/components/errors/error-format';
import { ErrorGroupTable } from '@/components/errors/error-group-table';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Select } from '@/components/ui/select';
import { ERROR_GROUP_STATUSES } from '@/db/schema/errors';
import { ERROR_PERIODS, listAllErrorGroups, ZAdminErrorGroupsQuery, type TAdminErrorGroupsQuery } from '@/lib/errors';
import { listAllTenants, withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';

export const metadata: Metadata = { title: 'Errors' };

const GROUPS_SHOWN = 100;
/** Tenants offered in the filter; a larger installation narrows by tenant id in the URL (?tenant=<id>). */
const TENANTS_IN_FILTER = 500;
const SORT_LABELS: Record<TAdminErrorGroupsQuery['sort'], string> = { count: 'Most events', last_seen: 'Last seen', trend: 'Growing' };

/** The filters from the URL; an unknown or malformed value drops that filter rather than failing the page. */
function parseFilters(searchParams: Record<string, string | string[] | undefined>): TAdminErrorGroupsQuery {
  const entries = Object.entries(searchParams).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
  const raw: Record<string, string> = Object.fromEntries(entries.filter(([key]) => ['period', 'sort', 'status', 'tenant'].includes(key)));
  const parsed = ZAdminErrorGroupsQuery.safeParse({ ...raw, limit: GROUPS_SHOWN });
  if (parsed.success) return parsed.data;
  const valid = Object.fromEntries(Object.entries(raw).filter(([key, value]) => ZAdminErrorGroupsQuery.safeParse({ [key]: value }).success));
  return ZAdminErrorGroupsQuery.parse({ ...valid, limit: GROUPS_SHOWN });
}

export default async function AdminErrorsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await isOperator())) return null;
  const filters = parseFilters(await searchParams);
  const [{ groups }, tenants] = await withPlatform(
    async (tx) => [await listAllErrorGroups(tx, filters), await listAllTenants(tx, { limit: TENANTS_IN_FILTER })] as const,
  );
  const periodText = errorPeriodLabel(filters.period).toLowerCase();

  return (
    <>
      <PageHeader
        title="Errors"
        description="Error groups of every tenant and of the platform itself (errors with no tenant: jobs, the console, unknown hosts). Times are UTC."
      />
      <Card
        actions={
          <form method="get" action="/admin/errors" className="flex flex-wrap items-end gap-3" aria-label="Filter error groups">
            <label className="text-xs font-medium text-slate-600">
              Tenant
              <Select name="tenant" defaultValue={filters.tenant ?? ''} className="mt-1 w-56 py-1.5">
                <option value="">All tenants and platform</option>
                <option value="none">Platform (no tenant)</option>
                {tenants.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.slug})
                  </option>
                ))}
              </Select>
            </label>
            <label className="text-xs font-medium text-slate-600">
              Status
              <Select name="status" defaultValue={filters.status ?? ''} className="mt-1 w-36 py-1.5">
                <option value="">Any</option>
                {ERROR_GROUP_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            </label>
            <label className="text-xs font-medium text-slate-600">
              Period
              <Select name="period" defaultValue={filters.period} className="mt-1 w-40 py-1.5">
                {Object.keys(ERROR_PERIODS).map((p) => (
                  <option key={p} value={p}>
                    {errorPeriodLabel(p)}
                  </option>
                ))}
              </Select>
            </label>
            <label className="text-xs font-medium text-slate-600">
              Sort
              <Select name="sort" defaultValue={filters.sort} className="mt-1 w-36 py-1.5">
                {Object.entries(SORT_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </Select>
            </label>
            <Button type="submit" variant="secondary">
              Apply filters
            </Button>
          </form>
        }
        isFlush
      >
        {groups.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title={`No error groups in the ${periodText}`} description="No group matching these filters was seen in the period." />
          </div>
        ) : (
          <ErrorGroupTable groups={groups} period={filters.period} showTenant />
        )}
      </Card>
    </>
  );
}
