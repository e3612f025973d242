import { AppError } from '@/lib/app-error';
import { authorOf, importEstimatesEndpoint, route } from '@/lib/api';
import { importBodyOf, importEstimates, importFormatOf } from '@/lib/estimates';

/*
 * No zod body: the estimates stream from request.body and are validated one by one. The answer: 201 when
 * estimates were stored, 200 when none were (an empty body, or skip_invalid with every row rejected), 422 with the
 * same report in error.details.import when all_or_nothing found a rejected row (nothing stored).
 */
export const POST = route(importEstimatesEndpoint, async ({ request, query, caller, inTenant, audit }) => {
  const format = importFormatOf(request.headers.get('content-type'), query.format);
  audit.set({ target: { type: 'estimate_import', id: null, name: `${format} import` }, metadata: { mode: query.mode, format } });
  const report = await importEstimates(inTenant, authorOf(caller), importBodyOf(request), { mode: query.mode, format });
  audit.set({ metadata: { rows: report.rows, accepted: report.accepted, rejected: report.rejected.length, committed: report.committed } });
  if (query.mode === 'all_or_nothing' && report.rejected.length > 0) {
    throw new AppError(
      'unprocessable',
      `${report.rejected.length} of ${report.rows} estimates were rejected (first: line ${report.rejected[0].line}: ${report.rejected[0].reason}); nothing was stored`,
      { import: report },
    );
  }
  return Response.json({ import: report }, { status: report.committed ? 201 : 200 });
});
