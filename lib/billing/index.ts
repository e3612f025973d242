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
