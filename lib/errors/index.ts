export { captureError, flushErrors, startErrorFlusher, bufferedErrorCount, describeThrown, type TErrorCapture, type TErrorFlushResult } from './capture';
export { fingerprintError, normalizeMessage, parseStack, type TErrorShape, type TFingerprint, type TStackFrame } from './fingerprint';
export { currentRelease } from './release';
export { storeErrorEvents, type TErrorEventRow, type TStoreResult } from './store';
export {
  listErrorGroups,
  listAllErrorGroups,
  getErrorGroup,
  changeErrorGroupStatus,
  type TErrorGroup,
  type TErrorGroupListItem,
  type TAdminErrorGroupListItem,
  type TErrorGroupDetail,
  type TErrorEvent,
} from './groups';
export { getErrorStats, getErrorAnalysis, type TErrorStats, type TErrorAnalysis } from './stats';
export {
  detectSpikes,
  concentrationOf,
  recommend,
  sampleConfidence,
  RECOMMENDATION_RULES,
  type TAnalysisFacts,
  type TRecommendation,
  type TSpikes,
  type TConcentration,
} from './analysis';
export { ERROR_PERIODS, errorWindow, type TErrorPeriod } from './periods';
export {
  ZErrorPeriodQuery,
  ZErrorGroupsQuery,
  ZAdminErrorGroupsQuery,
  ZErrorGroupParams,
  ZErrorGroupDetailQuery,
  ZErrorGroupPatch,
  ZClientErrorReport,
  type TErrorGroupsQuery,
  type TAdminErrorGroupsQuery,
  type TErrorGroupPatch,
  type TClientErrorReport,
} from './input';
export {
  reportClientError,
  clientReportLimitKeys,
  assertClientReportSize,
  MAX_CLIENT_REPORT_BYTES,
  CLIENT_REPORTS_PER_MINUTE,
  CLIENT_REPORTS_PER_TENANT_PER_MINUTE,
} from './client-report';
