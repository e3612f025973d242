'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZInvoicePeriod, ZInvoiceStatusChange, changeInvoiceStatus } from '@/lib/billing';
import { requestInvoiceRun } from '@/lib/jobs';

export type TInvoiceRunOutcome =
  | { period: string; queued: true }
  | { period: string; queued: false; tenants: number; created: number; existing: number; failed: number; pushedToStripe: number };

// Both hold no transaction: the run and the status change open their own short ones (and both may call Stripe,
// which must not happen inside one).

export const runInvoicesAction = action(
  { name: 'adminRunInvoices', access: 'platform', input: z.object({ period: ZInvoicePeriod }), transaction: 'handler' },
  async ({ data }): Promise<TInvoiceRunOutcome> => {
    const run = await requestInvoiceRun(data.period);
    if (run.queued) return { period: run.period, queued: true };
    return {
      period: run.period,
      queued: false,
      tenants: run.tenants,
      created: run.created,
      existing: run.existing,
      failed: run.failed.length,
      pushedToStripe: run.pushedToStripe,
    };
  },
);

export const changeInvoiceStatusAction = action(
  {
    name: 'adminChangeInvoiceStatus',
    access: 'platform',
    input: z.object({ invoiceId: z.uuid('must be an invoice id'), status: ZInvoiceStatusChange.shape.status }),
    transaction: 'handler',
  },
  async ({ data }) => {
    const invoice = await changeInvoiceStatus(data.invoiceId, data.status);
    return { id: invoice.id, status: invoice.status, number: invoice.number };
  },
);
