import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { InvoiceStatusBadge } from '@/components/billing/invoice-status-badge';
import { Button, buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatCents, formatDate, formatNumber } from '@/components/ui/format';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Select } from '@/components/ui/select';
import { Table, Td, Th } from '@/components/ui/table';
import { INVOICE_STATUSES } from '@/db/schema/billing';
import { ZInvoicePeriod, canMoveInvoice, listAllInvoices, openInvoiceTotals, previousPeriod } from '@/lib/billing';
import { withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { InvoiceRowActions, RunInvoicesForm, type TInvoiceMove } from './invoice-controls';

export const metadata: Metadata = { title: 'Invoices' };

const PAGE_SIZE = 200;
const MOVES: readonly TInvoiceMove[] = ['open', 'paid', 'uncollectible', 'void'];
const ZStatus = z.enum(INVOICE_STATUSES);

export default async function AdminInvoicesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await isOperator())) return null;

  // Filters come from the URL (a GET form); a value that does not parse is ignored rather than failing the page.
  const query = await searchParams;
  const parsedPeriod = ZInvoicePeriod.safeParse(query.period);
  const parsedStatus = ZStatus.safeParse(query.status);
  const period = parsedPeriod.success ? parsedPeriod.data : undefined;
  const status = parsedStatus.success ? parsedStatus.data : undefined;

  const cursor = typeof query.cursor === 'string' && query.cursor.length <= 300 ? query.cursor : undefined;
  // A cursor from an old or edited link cannot be continued: the first page is shown instead.
  const [page, totals] = await withPlatform(async (tx) => {
    const list = await listAllInvoices(tx, { limit: PAGE_SIZE, period, status, cursor }).catch(() => listAllInvoices(tx, { limit: PAGE_SIZE, period, status }));
    return [list, await openInvoiceTotals(tx, { period })] as const;
  });
  const invoices = page.items;
  const nextHref = (() => {
    if (!page.nextCursor) return null;
    const search = new URLSearchParams();
    if (period) search.set('period', period);
    if (status) search.set('status', status);
    search.set('cursor', page.nextCursor);
    return `/admin/invoices?${search.toString()}`;
  })();
  const isFiltered = Boolean(period || status);

  return (
    <>
      <PageHeader
        title="Invoices"
        description="Monthly invoices of every tenant. The run on the 1st bills last month; run a month again here to bill tenants it missed (it never duplicates an invoice)."
      />
      <Card title="Run invoices" description="Invoice a month that has ended for every active tenant that existed in it." className="mb-6">
        <RunInvoicesForm defaultPeriod={previousPeriod()} />
      </Card>
      <Card
        title="All invoices"
        description={
          <span>
            {formatNumber(totals.open.count)} open {totals.open.count === 1 ? 'invoice' : 'invoices'}
            {period ? ` for ${period}` : ''} totalling {formatCents(totals.open.totalCents)}, of which {formatNumber(totals.overdue.count)} overdue (
            {formatCents(totals.overdue.totalCents)}).
          </span>
        }
        isFlush
        actions={
          <form method="get" action="/admin/invoices" className="flex flex-wrap items-end gap-2" aria-label="Filter invoices">
            <Input
              name="period"
              type="month"
              defaultValue={period ?? ''}
              placeholder="YYYY-MM"
              aria-label="Period (YYYY-MM)"
              className="w-40 py-1.5"
            />
            <Select name="status" defaultValue={status ?? ''} aria-label="Status" className="w-40 py-1.5">
              <option value="">Any status</option>
              {INVOICE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
            <Button type="submit" size="sm" variant="secondary">
              Filter
            </Button>
            {isFiltered && (
              <Link href="/admin/invoices" className={buttonClass('ghost', 'sm')}>
                Clear
              </Link>
            )}
          </form>
        }
      >
        {invoices.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={isFiltered ? 'No invoices match these filters' : 'No invoices yet'}
              description={isFiltered ? 'Change or clear the filters.' : 'The run on the 1st of each month, or “Run invoices” above, creates them.'}
            />
          </div>
        ) : (
          <Table caption="Invoices">
            <thead>
              <tr>
                <Th>Tenant</Th>
                <Th>Period</Th>
                <Th>Number</Th>
                <Th>Status</Th>
                <Th className="text-right">Subtotal</Th>
                <Th className="text-right">Tax</Th>
                <Th className="text-right">Total</Th>
                <Th>Due</Th>
                <Th>Stripe</Th>
                <Th className="text-right">Actions</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {invoices.map((invoice) => {
                const moves = MOVES.filter((to) => to !== invoice.status && canMoveInvoice(invoice.status, to));
                const periodLabel = invoice.periodStart.slice(0, 7);
                return (
                  <tr key={invoice.id}>
                    <Td>
                      <p className="font-medium text-slate-900">{invoice.tenantName}</p>
                      <p className="font-mono text-xs text-slate-500">{invoice.tenantSlug}</p>
                    </Td>
                    <Td className="whitespace-nowrap tabular-nums">{periodLabel}</Td>
                    <Td className="font-mono text-xs whitespace-nowrap">{invoice.number ?? '—'}</Td>
                    <Td>
                      <InvoiceStatusBadge status={invoice.status} isOverdue={invoice.isOverdue} />
                    </Td>
                    <Td className="text-right tabular-nums">{formatCents(invoice.subtotalCents)}</Td>
                    <Td className="text-right tabular-nums">{formatCents(invoice.taxCents)}</Td>
                    <Td className="text-right font-medium text-slate-900 tabular-nums">{formatCents(invoice.totalCents)}</Td>
                    <Td className="whitespace-nowrap">
                      {formatDate(invoice.dueAt)}
                      {invoice.paidAt && <p className="text-xs text-slate-500">Paid {formatDate(invoice.paidAt)}</p>}
                    </Td>
                    <Td className="font-mono text-xs">{invoice.stripeInvoiceId ?? '—'}</Td>
                    <Td className="text-right">
                      <InvoiceRowActions
                        invoiceId={invoice.id}
                        name={`${invoice.number ?? 'draft invoice'} of ${invoice.tenantSlug} for ${periodLabel}`}
                        moves={moves}
                      />
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        {(nextHref || cursor) && (
          <nav aria-label="Invoice pages" className="flex justify-between gap-2 border-t border-slate-200 px-4 py-3 sm:px-5">
            {cursor ? (
              <Link href={`/admin/invoices?${new URLSearchParams({ ...(period && { period }), ...(status && { status }) }).toString()}`} className={buttonClass('secondary', 'sm')}>
                First page
              </Link>
            ) : (
              <span />
            )}
            {nextHref && (
              <Link href={nextHref} className={buttonClass('secondary', 'sm')}>
                Next {formatNumber(PAGE_SIZE)}
              </Link>
            )}
          </nav>
        )}
      </Card>
    </>
  );
}
