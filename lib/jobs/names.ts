/** Queue names, apart from the definitions so the schedule catch-up can name the jobs it runs. */
export const ARCHIVAL_RUN_JOB = 'archival-run';
export const RESTORE_TRACKING_JOB = 'archival-restore-tracking';
export const USAGE_WARNINGS_JOB = 'usage-warnings-check';
export const STORAGE_SNAPSHOTS_JOB = 'storage-snapshots';
export const USAGE_RETENTION_JOB = 'usage-retention';
export const INVOICE_RUN_JOB = 'invoice-run';
export const AUDIT_RETENTION_JOB = 'audit-retention';
export const VECTOR_INDEX_JOB = 'vector-index';
export const IDEMPOTENCY_RETENTION_JOB = 'idempotency-retention';
export const VECTOR_REINDEX_JOB = 'vector-reindex';
export const PASSWORD_ATTEMPTS_RETENTION_JOB = 'password-attempts-retention';
export const SCHEDULE_CATCH_UP_JOB = 'schedule-catch-up';
