import 'server-only';
import { eq } from 'drizzle-orm';
import { invoices, type TInvoiceStatus } from '@/db/schema/billing';
import { AppError } from '@/lib/app-error';
import { withPlatform } from '@/lib/tenancy';
import { canMoveInvoice, finalizeInvoice, setInvoiceStatus, type TInvoice } from './invoices';
import { pushInvoiceToStripe, stripeClient, stripeEnabled } from './stripe';

/**
 * An operator moves an invoice (mark paid without Stripe, void, write off). When the invoice was pushed to
 * Stripe, Stripe is told first (paid out of band, voided, marked uncollectible; idempotency keys make a retry
 * safe) so the two never disagree: if Stripe refuses, nothing changes here and the operator sees why.
 */
export async function changeInvoiceStatus(invoiceId: string, status: Exclude<TInvoiceStatus, 'draft'>, now: Date = new Date()): Promise<TInvoice> {
  if (status === 'open') {
    const invoice = await finalizeInvoice(invoiceId, now);
    if (stripeEnabled()) await pushInvoiceToStripe(invoice.id, now);
    return invoice;
  }
  const [current] = await withPlatform((tx) =>
    tx.select({ status: invoices.status, stripeInvoiceId: invoices.stripeInvoiceId }).from(invoices).where(eq(invoices.id, invoiceId)),
  );
  if (!current) throw new AppError('not_found', 'Invoice not found');
  if (!canMoveInvoice(current.status, status)) {
    throw new AppError('conflict', `A ${current.status} invoice cannot become ${status}`, { status: current.status });
  }
  if (current.stripeInvoiceId && stripeEnabled() && current.status !== status) {
    const stripe = stripeClient();
    const idempotencyKey = `sitework-invoice-${invoiceId}-${status}`;
    if (status === 'paid') await stripe.invoices.pay(current.stripeInvoiceId, { paid_out_of_band: true }, { idempotencyKey });
    if (status === 'void') await stripe.invoices.voidInvoice(current.stripeInvoiceId, {}, { idempotencyKey });
    if (status === 'uncollectible') await stripe.invoices.markUncollectible(current.stripeInvoiceId, {}, { idempotencyKey });
  }
  const { changed: _changed, ...invoice } = await withPlatform((tx) => setInvoiceStatus(tx, invoiceId, status, now));
  return invoice;
}
