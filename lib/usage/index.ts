export { recordUsageEvents, recordReportedUsageEvents, usageEventId, type TUsageEvent } from './record';
export { meterApiCall, meterUsageEvent, flushUsage, startUsageFlusher, bufferedUsageCount, type TApiCall, type TFlushResult } from './meter';
export {
  getUsageStats,
  getUsageBreakdown,
  periodDays,
  USAGE_PERIODS,
  type TUsagePeriod,
  type TUsageStats,
  type TUsageBreakdown,
  type TUsageAmount,
  type TUsageByType,
} from './stats';
export { ZReportedUsageEvent, ZUsageEventBatch, ZUsagePeriodQuery, MAX_EVENTS_PER_BATCH, type TUsageEventBatch } from './input';
export { readApiCallQuotaUse, type TApiCallQuotaUse } from './month-api-calls';
export { pruneUsageEvents } from './retention';
