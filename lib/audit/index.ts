export { recordAudit, originOf, SYSTEM_ACTOR, type TAuditEvent, type TAuditActor, type TAuditTarget, type TAuditOrigin } from './record';
export { recordRepeatedFailure, flushRepeatedFailures, startRepeatedFailureFlusher } from './repeated-failures';
export {
  ZAuditFilters,
  listAuditEvents,
  streamAuditEvents,
  summarizeAudit,
  AUDIT_PERIODS,
  type TAuditFilters,
  type TAuditEntry,
  type TAuditSummary,
  type TAuditPeriod,
} from './query';
export { verifyAuditChain, type TAuditVerification } from './verify';
export { AUDIT_EVENT_TYPES, type TAuditEventType } from '@/db/schema/audit';
export { runAuditRetention, archiveAndPurge, auditArchiveKey, AUDIT_RETENTION_DAYS, type TAuditRetentionResult } from './retention';
