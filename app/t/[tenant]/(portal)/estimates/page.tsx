import type { Metadata } from 'next';
import Link from 'next/link';
import { NoAccess } from '@/components/portal/no-access';
import { EstimateTable } from '@/components/estimates/estimate-table';
import { ImportPanel } from '@/components/estimates/import-panel';
import { Alert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Select } from '@/components/ui/select';
import { AppError } from '@/lib/app-error';
import { ESTIMATE_SORTS, ZListEstimatesQuery, listEstimates, type TEstimateSort } from '@/lib/estimates';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Estimates' };

const PAGE_SIZE = 50;

const SORT_LABELS: Record<TEstimateSort, string> = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  total_desc: 'Highest total',
  total_asc: 'Lowest total',
  name: 'Name (A–Z)',
};

export default async function EstimatesPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('estimates:read')) return <NoAccess title="Estimates" permission="estimates:read" />;
  const canWrite = permissions.has('estimates:write');

  // The search, order and page come from the URL (a GET form); values that do not parse are ignored.
  const raw = await searchParams;
  const pick = (name: string) => (typeof raw[name] === 'string' && raw[name] !== '' ? (raw[name] as string) : undefined);
  const parsed = ZListEstimatesQuery.safeParse({ q: pick('q'), sort: pick('sort'), cursor: pick('cursor'), limit: PAGE_SIZE });
  const query = parsed.success ? parsed.data : ZListEstimatesQuery.parse({ limit: PAGE_SIZE });

  // A cursor from an old link (or another order) cannot be continued: start again from the first page.
  const { page, isCursorStale } = await withTenant(tenant.id, async (tx) => {
    try {
      return { page: await listEstimates(tx, query), isCursorStale: false };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed' || !query.cursor) throw error;
      return { page: await listEstimates(tx, { ...query, cursor: undefined }), isCursorStale: true };
    }
  });
  const linkTo = (cursor: string | null) => {
    const search = new URLSearchParams();
    if (query.q) search.set('q', query.q);
    if (query.sort !== 'newest') search.set('sort', query.sort);
    if (cursor) search.set('cursor', cursor);
    const text = search.toString();
    return text ? `/estimates?${text}` : '/estimates';
  };
  const isFirstPage = !query.cursor || isCursorStale;

  return (
    <>
      <PageHeader
        title="Estimates"
        description="Cost estimates with materials, labour and equipment, and similar past projects."
        actions={
          <div className="flex gap-2">
            <Link href="/estimates/search" className={buttonClass('secondary')}>
              Find similar
            </Link>
            {canWrite && (
              <Link href="/estimates/new" className={buttonClass('primary')}>
                New estimate
              </Link>
            )}
          </div>
        }
      />
      {canWrite && (
        <details className="mb-6 rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <summary className="cursor-pointer px-4 py-3 text-base font-semibold text-slate-900 sm:px-5">Import estimates (CSV or JSON)</summary>
          <div className="border-t border-slate-200 p-4 sm:p-5">
            <ImportPanel />
          </div>
        </details>
      )}
      {isCursorStale && (
        <Alert tone="info" className="mb-4">
          That page link no longer applies; showing the first page.
        </Alert>
      )}
      <Card
        title="All estimates"
        isFlush
        actions={
          <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Search and sort estimates">
            {/* Fixed-width wrappers: the controls are w-full. */}
            <div className="w-52">
              <Input name="q" defaultValue={query.q ?? ''} placeholder="Name, project or city" aria-label="Search estimates" className="py-1.5" />
            </div>
            <div className="w-40">
              <Select name="sort" defaultValue={query.sort} aria-label="Sort by" className="py-1.5">
                {ESTIMATE_SORTS.map((sort) => (
                  <option key={sort} value={sort}>
                    {SORT_LABELS[sort]}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" size="sm" variant="secondary">
              Apply
            </Button>
          </form>
        }
      >
        {page.items.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={query.q ? 'No estimates match this search' : 'No estimates yet'}
              description={query.q ? 'Try another name, project or city.' : canWrite ? 'Create one, or import a spreadsheet above.' : 'Estimates your team creates appear here.'}
              action={
                canWrite && !query.q ? (
                  <Link href="/estimates/new" className={buttonClass('primary')}>
                    New estimate
                  </Link>
                ) : undefined
              }
            />
          </div>
        ) : (
          <>
            <EstimateTable estimates={page.items} />
            {(page.nextCursor || !isFirstPage) && (
              <nav aria-label="Pages" className="flex justify-end gap-2 border-t border-slate-200 px-4 py-3">
                {!isFirstPage && (
                  <Link href={linkTo(null)} className={buttonClass('ghost', 'sm')}>
                    First page
                  </Link>
                )}
                {page.nextCursor && (
                  <Link href={linkTo(page.nextCursor)} className={buttonClass('secondary', 'sm')}>
                    Next page
                  </Link>
                )}
              </nav>
            )}
          </>
        )}
      </Card>
    </>
  );
}
