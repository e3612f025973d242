import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDateTime } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { page } from '@/lib/api';
import { listAllUsers } from '@/lib/auth';
import { withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { cursorFrom, searchFrom } from '../pagination';
import { SearchForm } from '../search-form';

export const metadata: Metadata = { title: 'Users' };

const PAGE_SIZE = 50;

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await isOperator())) return null;
  const query = await searchParams;
  const search = searchFrom(query.search);
  const rows = await withPlatform((tx) => listAllUsers(tx, { search, limit: PAGE_SIZE + 1, cursor: cursorFrom(query.cursor) }));
  const { items: users, nextCursor } = page(rows, PAGE_SIZE);

  return (
    <>
      <PageHeader title="Users" description="Every account, with the organisations it belongs to." />
      <Card actions={<SearchForm id="user-search" label="Search users" value={search} action="/admin/users" />} isFlush>
        {users.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title={search ? `No users match “${search}”` : 'No users yet'} />
          </div>
        ) : (
          <Table caption="Users">
            <thead>
              <tr>
                <Th>Email</Th>
                <Th>Name</Th>
                <Th>Operator</Th>
                <Th>Tenants</Th>
                <Th>Last sign-in</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <tr key={u.id}>
                  <Td className="text-slate-900">
                    {u.email} {!u.emailVerifiedAt && <Badge>Unverified</Badge>}
                  </Td>
                  <Td>{u.name}</Td>
                  <Td>{u.isPlatformAdmin ? <Badge tone="amber">Operator</Badge> : <span className="text-slate-400">—</span>}</Td>
                  <Td>{u.tenantCount}</Td>
                  <Td className="whitespace-nowrap">{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : 'Never'}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {nextCursor && (
          <div className="border-t border-slate-200 px-4 py-3 text-right">
            <Link
              href={`/admin/users?${new URLSearchParams({ ...(search && { search }), cursor: nextCursor })}`}
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
