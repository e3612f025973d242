import { exportAuditLogsEndpoint, route, type TAuditExportFormat } from '@/lib/api';
import { streamAuditEvents, type TAuditEntry } from '@/lib/audit';
import { logger } from '@/lib/telemetry';

const CSV_HEADER =
  'seq,occurred_at,type,action,outcome,actor_type,actor_id,actor_name,target_type,target_id,target_name,ip,user_agent,request_id,metadata,hash\r\n';

/** RFC 4180 quoting; text a spreadsheet would run as a formula (CSV injection) is kept text with a leading '. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (e: TAuditEntry): string =>
  [
    e.seq,
    e.occurredAt.toISOString(),
    e.type,
    e.action,
    e.outcome,
    e.actor.type,
    e.actor.id,
    e.actor.name,
    e.target.type,
    e.target.id,
    e.target.name,
    e.ip,
    e.userAgent,
    e.requestId,
    JSON.stringify(e.metadata),
    e.hash,
  ]
    .map(csvField)
    .join(',') + '\r\n';

const jsonLine = (e: TAuditEntry): string => `${JSON.stringify(e)}\n`;

/** 20261122 for a midnight, 20261122T153000Z otherwise: safe in a file name. */
const stampOf = (date: Date): string =>
  date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '').replace(/T000000Z$/, '');

/** One batch per pull: the client's reading paces the queries, and memory holds one batch at a time. */
function exportBody(batches: AsyncGenerator<TAuditEntry[]>, format: TAuditExportFormat, requestId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const lineOf = format === 'csv' ? csvLine : jsonLine;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === 'csv') controller.enqueue(encoder.encode(CSV_HEADER));
      },
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) return controller.close();
          controller.enqueue(encoder.encode(next.value.map(lineOf).join('')));
        } catch (error) {
          logger.error({ err: error, requestId }, 'audit export failed while streaming');
          controller.error(error);
        }
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

export const GET = route(exportAuditLogsEndpoint, async ({ caller, query, inTenant, audit, requestId }) => {
  const { format, ...given } = query;
  // A fixed end: events recorded while the export streams (its own among them) are not part of it.
  const filters = { ...given, to: given.to ?? new Date() };
  const filename = `audit-${caller.tenant.slug}-${filters.from ? stampOf(filters.from) : 'start'}-${stampOf(filters.to)}.${format}`;
  audit.set({
    target: { type: 'audit_log', id: caller.tenant.id, name: filename },
    metadata: { format, filters: { ...filters, from: filters.from?.toISOString(), to: filters.to.toISOString() } },
  });
  return new Response(exportBody(streamAuditEvents(inTenant, caller.tenant.id, filters), format, requestId), {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
});
