import type { Metadata } from 'next';
import Link from 'next/link';
import { EstimateCard } from '@/components/billing/estimate-card';
import { InvoiceStatusBadge } from '@/components/billing/invoice-status-badge';
import { PlanPicker } from '@/components/billing/plan-picker';
import { NoAccess } from '@/components/portal/no-access';
import { QueryProvider } from '@/components/providers/query-provider';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatCents, formatDate } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { getBillingSummary, listInvoices } from '@/lib/billing';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { changePlanAction } from './actions';

export const metadata: Metadata = { title: 'Billing' };

const INVOICES_SHOWN = 24;

export default async function BillingPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('billing:read')) return <NoAccess title="Billing" permission="billing:read" />;
  const checkout = (await searchParams).checkout;

  const { summary, invoices } = await withTenant(tenant.id, async (tx) => ({
    summary: await getBillingSummary(tx, tenant.id),
    invoices: (await listInvoices(tx, tenant.id, { limit: INVOICES_SHOWN })).slice(0, INVOICES_SHOWN),
  }));
  const outstanding = invoices.filter((invoice) => invoice.status === 'open');

  return (
    <div className="space-y-6">
      <PageHeader
        title="Billing"
        description={`${summary.plan.name} plan, ${formatCents(summary.plan.priceCents)} a month. Invoices are issued on the 1st for the month before and due in 30 days.`}
      />
      {checkout === 'success' && <Alert tone="success">Payment details saved: your new plan applies as soon as Stripe confirms it (usually seconds).</Alert>}
      {checkout === 'cancelled' && <Alert tone="info">Checkout was cancelled: your plan has not changed.</Alert>}
      {outstanding.length > 0 && (
        <Alert tone={outstanding.some((i) => i.isOverdue) ? 'error' : 'info'}>
          {outstanding.length === 1 ? 'One invoice is' : `${outstanding.length} invoices are`} open, {formatCents(outstanding.reduce((sum, i) => sum + i.totalCents, 0))} in all
          {outstanding.some((i) => i.isOverdue) ? ', some past their due date.' : '.'}
        </Alert>
      )}

      <QueryProvider>
        <EstimateCard initial={summary} />
      </QueryProvider>

      <Card title="Invoices" description="Every invoice of this organisation, newest first." isFlush>
        {invoices.length === 0 ? (
          <div className="p-4">
            <EmptyState title="No invoices yet" description="Your first invoice is issued on the 1st of next month." />
          </div>
        ) : (
          <Table caption="Invoices">
            <thead>
              <tr>
                <Th>Invoice</Th>
                <Th>Period</Th>
                <Th>Status</Th>
                <Th className="text-right">Total</Th>
                <Th>Issued</Th>
                <Th>Due</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <Td>
                    <Link href={`/billing/invoices/${invoice.id}`} className="font-medium text-brand hover:underline">
                      {invoice.number ?? 'Draft'}
                    </Link>
                  </Td>
                  <Td>{invoice.periodStart.slice(0, 7)}</Td>
                  <Td>
                    <InvoiceStatusBadge status={invoice.status} isOverdue={invoice.isOverdue} />
                  </Td>
                  <Td className="text-right tabular-nums">{formatCents(invoice.totalCents)}</Td>
                  <Td>{formatDate(invoice.issuedAt)}</Td>
                  <Td>{formatDate(invoice.dueAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <Card title="Plan" description="Changes apply at once; the next invoice charges each plan for the part of the month it was in force.">
        <PlanPicker plans={summary.plans} currentPlanId={summary.plan.id} canChange={permissions.has('billing:manage')} changePlan={changePlanAction} />
      </Card>
    </div>
  );
}
