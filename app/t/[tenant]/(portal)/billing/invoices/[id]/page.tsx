import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { InvoiceLines } from '@/components/billing/invoice-lines';
import { InvoiceStatusBadge } from '@/components/billing/invoice-status-badge';
import { PrintButton } from '@/components/billing/print-button';
import { NoAccess } from '@/components/portal/no-access';
import { formatDate } from '@/components/ui/format';
import { AppError } from '@/lib/app-error';
import { getInvoice } from '@/lib/billing';
import { withTenant } from '@/lib/tenancy';
import { brandingOf, requireMember } from '../../../../portal-context';

export const metadata: Metadata = { title: 'Invoice' };

/** One invoice, laid out to print (the portal's chrome is hidden when printing): the PDF is the browser's. */
export default async function InvoicePage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant: slug, id } = await params;
  const { tenant, permissions } = await requireMember(slug);
  if (!permissions.has('billing:read')) return <NoAccess title="Invoice" permission="billing:read" />;
  if (!z.uuid().safeParse(id).success) notFound();
  const invoice = await withTenant(tenant.id, (tx) => getInvoice(tx, tenant.id, id)).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') notFound();
    throw error;
  });
  const branding = brandingOf(tenant);

  return (
    <article className="mx-auto max-w-3xl space-y-6 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200 print:max-w-none print:p-0 print:shadow-none print:ring-0">
      <div className="flex items-center justify-between print:hidden">
        <Link href="/billing" className="text-sm text-brand hover:underline">
          ← Billing
        </Link>
        <PrintButton />
      </div>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">Sitework</p>
          <h1 className="text-2xl font-semibold text-slate-900">Invoice {invoice.number ?? '(draft)'}</h1>
          <p className="mt-1">
            <InvoiceStatusBadge status={invoice.status} isOverdue={invoice.isOverdue} />
          </p>
        </div>
        <dl className="grid grid-cols-[auto_auto] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">Billed to</dt>
          <dd className="font-medium text-slate-900">{branding.displayName}</dd>
          <dt className="text-slate-500">Period</dt>
          <dd>
            {invoice.periodStart} – {formatDate(new Date(new Date(`${invoice.periodEnd}T00:00:00Z`).getTime() - 1))}
          </dd>
          <dt className="text-slate-500">Issued</dt>
          <dd>{formatDate(invoice.issuedAt)}</dd>
          <dt className="text-slate-500">Due</dt>
          <dd>{formatDate(invoice.dueAt)}</dd>
          {invoice.paidAt && (
            <>
              <dt className="text-slate-500">Paid</dt>
              <dd>{formatDate(invoice.paidAt)}</dd>
            </>
          )}
          <dt className="text-slate-500">Currency</dt>
          <dd className="uppercase">{invoice.currency}</dd>
        </dl>
      </header>
      <InvoiceLines
        caption={`Lines of invoice ${invoice.number ?? ''}`}
        lines={invoice.lines}
        subtotalCents={invoice.subtotalCents}
        taxRateBps={invoice.taxRateBps}
        taxCents={invoice.taxCents}
        totalCents={invoice.totalCents}
      />
      <footer className="text-xs text-slate-500">
        Each line is its exact amount rounded once to the cent (halves up); tax is the rounded subtotal times the rate, rounded the
        same way. Storage is billed in GiB-months: the daily stored bytes above the plan&apos;s allowance, averaged over the month.
      </footer>
    </article>
  );
}
