export { job, type TJobContext, type TJobDefinition } from './job';
export { startJobs, stopJobs, runningJobs, JOBS_SCHEMA } from './boss';
export {
  ARCHIVAL_RUN_JOB,
  RESTORE_TRACKING_JOB,
  USAGE_WARNINGS_JOB,
  STORAGE_SNAPSHOTS_JOB,
  USAGE_RETENTION_JOB,
  INVOICE_RUN_JOB,
  AUDIT_RETENTION_JOB,
  VECTOR_INDEX_JOB,
  VECTOR_REINDEX_JOB,
  IDEMPOTENCY_RETENTION_JOB,
  PASSWORD_ATTEMPTS_RETENTION_JOB,
  SCHEDULE_CATCH_UP_JOB,
} from './names';
export {
  JOB_DEFINITIONS,
  type TArchivalRunJobData,
  type TInvoiceRunJobData,
} from './definitions';
export { catchUpSchedule, catchUpSchedules, type TScheduleCatchUp } from './schedule-catch-up';
export { requestArchivalRun } from './archival';
export { requestInvoiceRun, type TInvoiceRunRequest } from './billing';
export { requestVectorReindex, connectVectorIndexing } from './estimates';
