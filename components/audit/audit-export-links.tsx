import { buttonClass } from '@/components/ui/button';

/**
 * Downloads of every event matching the current filters from the export endpoint (streamed, so any size). A plain
 * link: the browser sends the session cookie, and the endpoint checks audit:read again.
 */
export function AuditExportLinks({ csvHref, jsonlHref, isFiltered }: { csvHref: string; jsonlHref: string; isFiltered: boolean }) {
  const scope = isFiltered ? 'the events matching the filters' : 'all events';
  return (
    <div className="flex flex-wrap items-center gap-2">
      <a href={csvHref} download className={buttonClass('secondary', 'sm')} title={`Download ${scope} as CSV`}>
        Export CSV
      </a>
      <a href={jsonlHref} download className={buttonClass('secondary', 'sm')} title={`Download ${scope} as JSON Lines`}>
        Export JSONL
      </a>
    </div>
  );
}
