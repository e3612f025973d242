// Endpoint contracts of billing: plans console, invoices, plan changes; usage/current lives with usage.
import { z } from 'zod';
import { INVOICE_STATUSES } from '@/db/schema/billing';
import { ZInvoicePeriod, ZInvoiceStatusChange, ZPlanChange, ZPlanPatch } from '@/lib/billing';
import { ZPlanId } from '@/lib/tenancy';
import { defineEndpoint } from '../endpoint';

export const adminListPlansEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/plans',
  summary: 'Plans with price, limits (monthly quotas, requests per minute, invitations per day) and overage prices, money in integer cents and storage in bytes (platform operators)',
  tag: 'Admin',
  access: 'platform',
  responds: '{ plans: Plan[] }',
});

export const adminUpdatePlanEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/admin/plans/{id}',
  summary:
    "Change a plan's name, price, limits, overage prices or flags (platform operators). New tenants and plan changes get the new storage and API quotas; tenants already on the plan keep theirs until they change plan. Requests per minute (within a minute) and invitations per day (at once) apply to every tenant on the plan",
  tag: 'Admin',
  access: 'platform',
  params: z.object({ id: ZPlanId }),
  body: ZPlanPatch,
  responds: '{ plan: Plan }',
  audit: { type: 'config_change', action: 'plan.update', target: { type: 'plan', from: 'plan' } },
});

export const ZListInvoicesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(24),
    cursor: z.string().max(200).optional(),
    status: z.enum(INVOICE_STATUSES).optional(),
  })
  .strict();

const ZInvoiceId = z.object({ id: z.uuid('must be an invoice id') });

export const listInvoicesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/invoices',
  summary:
    'Invoices of this tenant, newest period first (keyset pagination: pass nextCursor back as cursor). Amounts in ' +
    'integer cents; isOverdue = open past dueAt',
  tag: 'Billing',
  access: 'tenant',
  permission: 'billing:read',
  query: ZListInvoicesQuery,
  responds: '{ invoices: Invoice[], nextCursor }',
});

export const getInvoiceEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/invoices/{id}',
  summary:
    'One invoice with its lines (base plan, prorated per plan in force; extra files; storage GiB-months from daily ' +
    'snapshots; extra API calls per 1,000), each rounded once half up to cents, and tax on the subtotal',
  tag: 'Billing',
  access: 'tenant',
  permission: 'billing:read',
  params: ZInvoiceId,
  responds: '{ invoice: Invoice & { lines: InvoiceLine[] } }',
});

export const billingSummaryEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/billing/summary',
  summary: "The tenant's plan, this period's invoice estimate so far (same arithmetic as the invoice run), and the plans on offer",
  tag: 'Billing',
  access: 'tenant',
  permission: 'billing:read',
  responds: '{ plan, estimate: { period, lines, subtotalCents, taxCents, totalCents }, plans }',
});

export const changePlanEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/billing/plan',
  summary:
    'Move the tenant to another plan (owners). Takes effect at once and is prorated on the next invoice. With Stripe ' +
    'configured, an upgrade to a dearer plan answers { kind: "checkout", checkoutUrl } and happens when Checkout completes',
  tag: 'Billing',
  access: 'tenant',
  permission: 'billing:manage',
  body: ZPlanChange,
  transaction: 'handler',
  responds: '{ result: { kind: "changed" | "unchanged" | "checkout", plan, previousPlan?, checkoutUrl? } }',
  audit: { type: 'config_change', action: 'billing.plan_change', target: { type: 'plan' } },
});

export const adminListInvoicesEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/invoices',
  summary:
    'Invoices of every tenant, newest period first and by tenant name, optionally for one period (YYYY-MM) or status, ' +
    'in keyset pages (pass nextCursor back as cursor) (platform operators)',
  tag: 'Admin',
  access: 'platform',
  query: z
    .object({
      period: ZInvoicePeriod.optional(),
      status: z.enum(INVOICE_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z.string().max(300).optional(),
    })
    .strict(),
  responds: '{ invoices: (Invoice & { tenantName, tenantSlug })[], nextCursor }',
});

export const adminRunInvoicesEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/admin/invoices/run',
  summary:
    'Invoice a month that has ended (default: last month) for every active tenant, now (platform operators). Idempotent: ' +
    'tenants already invoiced for the period get nothing new',
  tag: 'Admin',
  access: 'platform',
  successStatus: 202,
  body: z.object({ period: ZInvoicePeriod.optional() }).strict(),
  transaction: 'handler',
  responds: '{ run: { period, queued, jobId } | { period, queued: false, tenants, created, existing, failed } }',
  audit: { type: 'workflow_execution', action: 'invoices.run_requested', target: { type: 'invoice_run' } },
});

export const adminUpdateInvoiceEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/admin/invoices/{id}',
  summary:
    'Move an invoice: draft → open (finalize), open → paid | void | uncollectible, uncollectible → paid | void (platform ' +
    'operators; how invoices are marked paid without Stripe). Other moves are 409',
  tag: 'Admin',
  access: 'platform',
  params: ZInvoiceId,
  body: ZInvoiceStatusChange,
  // Stripe is told before the row changes: no transaction is held across that call.
  transaction: 'handler',
  responds: '{ invoice: Invoice }',
  audit: { type: 'data_modify', action: 'invoice.status_change', target: { type: 'invoice', from: 'invoice' } },
});
