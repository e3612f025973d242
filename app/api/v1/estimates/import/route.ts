import { AppError } from '@/lib/app-error';
import {
  authorOf,
  claimIdempotencyKey,
  hashedBody,
  idempotencyKeyOf,
  importEstimatesEndpoint,
  requestDigest,
  route,
  storeIdempotentResponse,
} from '@/lib/api';
import { importBodyOf, importEstimates, importFormatOf, type TImportReport, type TImportWriteHooks } from '@/lib/estimates';

/*
 * No zod body: the estimates stream from request.body and are validated one by one. The answer: 201 when
 * estimates were stored, 200 when none were (an empty body, or skip_invalid with every row rejected), 422 with the
 * same report in error.details.import when all_or_nothing found a rejected row (nothing stored), 429 quota_exceeded
 * when all_or_nothing would pass the plan's cap on estimates (nothing stored; skip_invalid reports the rows beyond it).
 * Idempotency-Key: the key is claimed and the report stored in the import's write transaction (the wrapper holds
 * none here), keyed by a digest of the mode, format and body bytes; a retry gets the first import's report.
 */
export const POST = route(importEstimatesEndpoint, async ({ request, query, caller, inTenant, audit }) => {
  const format = importFormatOf(request.headers.get('content-type'), query.format);
  const key = idempotencyKeyOf(request.headers);
  audit.set({ target: { type: 'estimate_import', id: null, name: `${format} import` }, metadata: { mode: query.mode, format } });
  const body = hashedBody(importBodyOf(request));
  const claim = key ? { tenantId: caller.tenant.id, key } : undefined;
  const hooks: TImportWriteHooks | undefined = claim && {
    claim: async (tx) => {
      const requestSha256 = requestDigest({ mode: query.mode, format, body: body.sha256() });
      const outcome = await claimIdempotencyKey(tx, { ...claim, operation: 'POST /api/v1/estimates/import', requestSha256 });
      return outcome.kind === 'replay' ? ((outcome.body as { import: TImportReport }).import) : undefined;
    },
    record: (tx, report) => storeIdempotentResponse(tx, claim, { status: report.committed ? 201 : 200, body: { import: report } }),
  };
  const { isReplay, ...report } = await importEstimates(inTenant, authorOf(caller), body.body, { mode: query.mode, format, hooks });
  audit.set({
    metadata: { rows: report.rows, accepted: report.accepted, rejected: report.rejected.length, committed: report.committed, ...(isReplay && { replayed: true }) },
  });
  if (query.mode === 'all_or_nothing' && report.rejected.length > 0) {
    throw new AppError(
      'unprocessable',
      `${report.rejected.length} of ${report.rows} estimates were rejected (first: line ${report.rejected[0].line}: ${report.rejected[0].reason}); nothing was stored`,
      { import: report },
    );
  }
  const response = Response.json({ import: report }, { status: report.committed ? 201 : 200 });
  if (isReplay) response.headers.set('idempotent-replayed', 'true');
  return response;
});
