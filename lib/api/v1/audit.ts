// Endpoint contracts of /api/v1/audit (audit capability). The log's own reads are not audited; an export is.
import { z } from 'zod';
import { AUDIT_PERIODS, ZAuditFilters, type TAuditPeriod } from '@/lib/audit';
import { defineEndpoint } from '../endpoint';

const toNotBeforeFrom = {
  check: (query: { from?: Date; to?: Date }) => !query.from || !query.to || query.from.getTime() <= query.to.getTime(),
  issue: { path: ['to'], message: 'must not be before from' },
};

export const ZAuditLogsQuery = ZAuditFilters.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
})
  .strict()
  .refine(toNotBeforeFrom.check, toNotBeforeFrom.issue);

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type TAuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const ZAuditExportQuery = ZAuditFilters.extend({ format: z.enum(AUDIT_EXPORT_FORMATS).default('csv') })
  .strict()
  .refine(toNotBeforeFrom.check, toNotBeforeFrom.issue);

export const ZAuditSummaryQuery = z
  .object({ period: z.enum(Object.keys(AUDIT_PERIODS) as [TAuditPeriod, ...TAuditPeriod[]]).default('7d') })
  .strict();

const FILTERS_DOC =
  'Filters: actor (an id exactly or part of a display name), action, type (event type), targetType, targetId, ' +
  'outcome (success | failure), from (inclusive) and to (exclusive) as ISO dates, q (free text in action, actor, ' +
  'target and metadata)';

export const listAuditLogsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/audit/logs',
  summary:
    `This tenant's audit events, newest first, keyset-paginated (limit 1–500, default 100; pass nextCursor back as ` +
    `cursor). ${FILTERS_DOC}`,
  tag: 'Audit',
  access: 'tenant',
  permission: 'audit:read',
  query: ZAuditLogsQuery,
  responds: '{ events: [{ id, seq, occurredAt, type, action, outcome, actor, target, ip, userAgent, requestId, metadata, hash }], nextCursor }',
  audit: false,
});

export const auditSummaryEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/audit/summary',
  summary: 'Audit events over the last 24h | 7d | 30d | 90d (default 7d): totals and failures, by type, action, actor and day',
  tag: 'Audit',
  access: 'tenant',
  permission: 'audit:read',
  query: ZAuditSummaryQuery,
  responds: '{ period, from, to, total, failures, byType, byAction, byActor, daily }',
  audit: false,
});

export const exportAuditLogsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/audit/export',
  summary:
    `Download this tenant's audit events, oldest first, streamed as CSV (a header row; values starting with = + - @ ` +
    `prefixed with ') or JSONL (one event per line, with seq and hash). to defaults to now. ${FILTERS_DOC}. ` +
    'Recorded in the audit log as data_access',
  tag: 'Audit',
  access: 'tenant',
  permission: 'audit:read',
  query: ZAuditExportQuery,
  responds: 'text/csv or application/x-ndjson, as an attachment named audit-<slug>-<from>-<to>.<csv|jsonl>',
  // The body streams for as long as the client reads: each batch of 1,000 rows is read in its own short transaction.
  transaction: 'handler',
  audit: { type: 'data_access', action: 'audit.export', target: { type: 'audit_log' } },
});

export const verifyAuditChainEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/audit/verify',
  summary:
    "Walk this tenant's hash chain: each row's hash recomputed from the previous hash and the row, the links and " +
    'sequence numbers checked. ok with the last seq and hash, or the first broken seq and why',
  tag: 'Audit',
  access: 'tenant',
  permission: 'audit:read',
  responds: '{ ok: true, checked, lastSeq, lastHash } | { ok: false, checked, firstBrokenSeq, reason }',
  audit: false,
});
