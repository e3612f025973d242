export { ZPlanPatch, listPlans, getPlan, updatePlan, type TPlanPatch } from './plans';
export { getCurrentUsage, billingPeriod, type TCurrentUsage, type TQuotaUse } from './current-usage';
export type { TPlan } from '@/lib/tenancy';
export {
  checkUsageWarnings,
  checkAllUsageWarnings,
  listActiveWarnings,
  describeUsageWarning,
  type TUsageWarning,
  type TUsageWarningRun,
} from './usage-warnings';
export {
  recordStorageSnapshot,
  recordAllStorageSnapshots,
  readStorageSnapshots,
  type TStorageSnapshot,
  type TStorageSnapshotRun,
} from './storage-snapshots';
export {
  ZInvoicePeriod,
  ZInvoiceStatusChange,
  assertBillablePeriod,
  canMoveInvoice,
  periodBounds,
  periodOf,
  previousPeriod,
  gatherInvoiceInput,
  estimateCurrentInvoice,
  billTenantPeriod,
  finalizeInvoice,
  runInvoices,
  listInvoices,
  getInvoice,
  setInvoiceStatus,
  listAllInvoices,
  openInvoiceTotals,
  type TAdminInvoice,
  type TOpenInvoiceTotals,
  type TInvoice,
  type TInvoiceLine,
  type TInvoiceRunResult,
  type TBillTenantResult,
} from './invoices';
export { computeInvoice, roundHalfUp, toDecimal, storageByDay, GIB_BYTES, type TComputedInvoice, type TComputedLine, type TInvoiceInput, type TPlanPricing } from './invoice-math';
export {
  stripeEnabled,
  stripeClient,
  ensureStripeCustomer,
  pushInvoiceToStripe,
  pushOpenInvoicesToStripe,
  createPlanCheckout,
  handleStripeWebhook,
  type TStripePushResult,
  type TStripePushRun,
  type TStripeWebhookResult,
} from './stripe';
export { runBilling, type TBillingRunResult } from './billing-run';
export { changePlanAsOwner, ZPlanChange, type TPlanChangeResult } from './plan-change';
export { changeInvoiceStatus } from './invoice-status';
export { getBillingSummary, type TBillingSummary } from './summary';
