import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDate } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { page } from '@/lib/api';
import { listPlans } from '@/lib/billing';
import { listAllTenants, withPlatform } from '@/lib/tenancy';
import { CreateTenantForm } from './create-tenant-form';
import { isOperator } from './operator';
import { cursorFrom, searchFrom } from './pagination';
import { SearchForm } from './search-form';
import { TenantActiveButton, TenantPlanSelect } from './tenant-row-controls';

export const metadata: Metadata = { title: 'Tenants' };

const PAGE_SIZE = 50;

export default async function AdminTenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await isOperator())) return null;
  const query = await searchParams;
  const search = searchFrom(query.search);
  const [rows, plans] = await withPlatform(
    async (tx) =>
      [await listAllTenants(tx, { search, limit: PAGE_SIZE + 1, cursor: cursorFrom(query.cursor) }), await listPlans(tx)] as const,
  );
  // Retired plans stay listed for tenants already on them; new tenants only get plans still offered.
  const planOptions = plans.map((p) => ({ id: p.id, name: p.name }));
  const offeredPlans = plans.filter((p) => p.isActive).map((p) => ({ id: p.id, name: p.name }));
  const { items: tenants, nextCursor } = page(rows, PAGE_SIZE);

  return (
    <>
      <PageHeader title="Tenants" description="Every organisation on this Sitework installation." />
      <Card title="Create tenant" description="A new organisation with an owner: an existing account by email, or a new one." className="mb-6">
        <CreateTenantForm plans={offeredPlans} />
      </Card>
      <Card actions={<SearchForm id="tenant-search" label="Search tenants" value={search} action="/admin" />} isFlush>
        {tenants.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title={search ? `No tenants match “${search}”` : 'No tenants yet'} />
          </div>
        ) : (
          <Table caption="Tenants">
            <thead>
              <tr>
                <Th>Slug</Th>
                <Th>Name</Th>
                <Th>Plan</Th>
                <Th>Members</Th>
                <Th>Active</Th>
                <Th>Created</Th>
                <Th className="text-right">Actions</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tenants.map((t) => (
                <tr key={t.id}>
                  <Td className="font-mono text-xs text-slate-900">{t.slug}</Td>
                  <Td className="font-medium text-slate-900">{t.name}</Td>
                  <Td>
                    <TenantPlanSelect tenantId={t.id} slug={t.slug} plan={t.plan} plans={planOptions} />
                  </Td>
                  <Td>{t.memberCount}</Td>
                  <Td>{t.isActive ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge>}</Td>
                  <Td className="whitespace-nowrap">{formatDate(t.createdAt)}</Td>
                  <Td className="text-right">
                    <TenantActiveButton tenantId={t.id} slug={t.slug} memberCount={t.memberCount} isActive={t.isActive} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {nextCursor && (
          <div className="border-t border-slate-200 px-4 py-3 text-right">
            <Link
              href={`/admin?${new URLSearchParams({ ...(search && { search }), cursor: nextCursor })}`}
              className="text-sm font-medium text-brand hover:underline"
            >
              Next page →
            </Link>
          </div>
        )}
      </Card>
    </>
  );
}
