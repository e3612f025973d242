import 'server-only';
import { logger } from '@/lib/telemetry';
import { runInvoices, type TInvoiceRunResult } from './invoices';
import { pushInvoiceToStripe, pushOpenInvoicesToStripe, stripeEnabled } from './stripe';

export interface TBillingRunResult extends TInvoiceRunResult {
  /** Open invoices pushed to Stripe by this run, including ones an earlier run failed to push. */
  pushedToStripe: number;
}

/**
 * The monthly billing run (the job on the 1st, the operator's button): invoices every tenant for the period
 * and, with Stripe configured, pushes each finalized invoice, then retries any open invoice an earlier run
 * could not push. Safe to repeat: invoices are unique per tenant and period, and Stripe calls carry
 * idempotency keys.
 */
export async function runBilling(options: { period?: string; now?: Date } = {}): Promise<TBillingRunResult> {
  const withStripe = stripeEnabled();
  let pushedToStripe = 0;
  const result = await runInvoices({
    ...options,
    after: withStripe
      ? async (invoiceId) => {
          // A failed push does not make the tenant's billing fail: the invoice exists, and the retry pass below
          // (and every later run) pushes it again with the same idempotency keys.
          try {
            const push = await pushInvoiceToStripe(invoiceId, options.now);
            if (push.outcome === 'synced') pushedToStripe += 1;
          } catch (error) {
            logger.warn({ err: error, invoiceId }, 'stripe push failed: retried at the end of the run');
          }
        }
      : undefined,
  });
  if (withStripe) {
    const retried = await pushOpenInvoicesToStripe(options.now);
    pushedToStripe += retried.pushed;
  }
  logger.info({ ...result, invoiceIds: result.invoiceIds.length, pushedToStripe }, 'billing run finished');
  return { ...result, pushedToStripe };
}
