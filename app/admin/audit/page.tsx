import type { Metadata } from 'next';
import { AuditEventTable } from '@/components/audit/audit-event-table';
import { AuditPager } from '@/components/audit/audit-pager';
import { AuditFilterForm } from '@/components/audit/audit-filter-form';
import { AUDIT_PAGE_SIZE, parseAuditQuery, toAuditEventRow } from '@/components/audit/audit-query';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { AUDIT_EVENT_TYPES, listAuditEvents } from '@/lib/audit';
import { withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { PlatformChainVerify } from './platform-chain-verify';

export const metadata: Metadata = { title: 'Platform audit log' };

/**
 * The platform's own chain: what operators did on the apex (tenants, plans, invoices, archival, vector rebuilds),
 * audited job runs and refused Stripe signatures. Tenants never see it; their own logs are on their Audit pages.
 */
export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!(await isOperator())) return null;
  const { filters, values, beforeSeq, period } = parseAuditQuery(await searchParams);
  const events = await withPlatform((tx) => listAuditEvents(tx, null, { ...filters, limit: AUDIT_PAGE_SIZE, beforeSeq }));
  const pageEvents = events.slice(0, AUDIT_PAGE_SIZE);
  const hasOlder = events.length > AUDIT_PAGE_SIZE;
  const isFiltered = Object.keys(values).length > 0;

  return (
    <>
      <PageHeader
        title="Platform audit log"
        description="Operators' actions on the console and the API, audited job runs and refused webhook signatures, in the platform's tamper-evident chain. Operator changes to one tenant are in that tenant's log."
      />
      <section aria-label="Chain verification" className="mb-6">
        <PlatformChainVerify />
      </section>
      <Card title="Events" description={`Newest first, ${AUDIT_PAGE_SIZE} per page.`} isFlush>
        <div className="border-b border-slate-200 p-4 sm:p-5">
          <AuditFilterForm values={values} actions={values.action ? [values.action] : []} types={AUDIT_EVENT_TYPES} period={period} />
        </div>
        {pageEvents.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={beforeSeq !== undefined ? 'No older events' : isFiltered ? 'No events match these filters' : 'No events yet'}
              description={isFiltered ? 'Change or clear the filters.' : 'Operators’ changes and job runs appear here as they happen.'}
            />
          </div>
        ) : (
          <AuditEventTable
            events={pageEvents.map(toAuditEventRow)}
            caption={`Platform audit events${isFiltered ? ' matching the filters' : ''}, newest first${beforeSeq !== undefined ? `, before event #${beforeSeq}` : ''}`}
          />
        )}
        <AuditPager
          values={values}
          period={period}
          beforeSeq={beforeSeq}
          olderThanSeq={hasOlder ? pageEvents[pageEvents.length - 1].seq : undefined}
        />
      </Card>
    </>
  );
}
