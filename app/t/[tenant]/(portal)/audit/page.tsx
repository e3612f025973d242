import type { Metadata } from 'next';
import { AuditChainVerify } from '@/components/audit/audit-chain-verify';
import { AuditEventTable } from '@/components/audit/audit-event-table';
import { AuditPager } from '@/components/audit/audit-pager';
import { AuditExportLinks } from '@/components/audit/audit-export-links';
import { AuditFilterForm } from '@/components/audit/audit-filter-form';
import { auditPeriodLabel } from '@/components/audit/audit-format';
import { AuditPeriodLinks } from '@/components/audit/audit-period-links';
import { AuditSummaryLoader } from '@/components/audit/audit-summary-loader';
import { QueryProvider } from '@/components/providers/query-provider';
import { NoAccess } from '@/components/portal/no-access';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { AUDIT_EVENT_TYPES, AUDIT_PERIODS, listAuditEvents } from '@/lib/audit';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { AUDIT_PAGE_SIZE, auditExportHref, auditPageHref, parseAuditQuery, toAuditEventRow } from '@/components/audit/audit-query';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('audit:read')) return <NoAccess title="Audit" permission="audit:read" />;

  const { filters, values, beforeSeq, period } = parseAuditQuery(await searchParams);
  // Only the page of events is read here (an index walk); the summary loads in the browser (AuditSummaryLoader).
  const events = await withTenant(tenant.id, (tx) => listAuditEvents(tx, tenant.id, { ...filters, limit: AUDIT_PAGE_SIZE, beforeSeq }));
  const pageEvents = events.slice(0, AUDIT_PAGE_SIZE);
  const hasOlder = events.length > AUDIT_PAGE_SIZE;
  const isFiltered = Object.keys(values).length > 0;
  const periodParam = { period };
  const actionHrefBase = auditPageHref({ ...values, action: undefined }, periodParam).slice(1);
  // The period's top actions are one click away in the summary; the field takes any action name.
  const actionOptions = values.action ? [values.action] : [];

  return (
    <>
      <PageHeader
        title="Audit"
        description="Who did what and when: sign-ins, downloads and changes, in a tamper-evident log."
      />

      <section aria-label="Chain verification" className="mb-6">
        <AuditChainVerify />
      </section>

      <Card
        title="Summary"
        description={`${auditPeriodLabel(period)}, all events (the filters below do not apply).`}
        actions={
          <AuditPeriodLinks
            periods={Object.keys(AUDIT_PERIODS)}
            current={period}
            hrefOf={(p) => auditPageHref(values, { period: p, before: beforeSeq === undefined ? undefined : String(beforeSeq) })}
          />
        }
        className="mb-6"
      >
        <QueryProvider>
          <AuditSummaryLoader period={period} actionHrefBase={actionHrefBase} />
        </QueryProvider>
      </Card>

      <Card
        title="Events"
        description={`Newest first, ${AUDIT_PAGE_SIZE} per page. The exports hold every event matching the filters.`}
        actions={
          <AuditExportLinks csvHref={auditExportHref('csv', filters)} jsonlHref={auditExportHref('jsonl', filters)} isFiltered={isFiltered} />
        }
        isFlush
      >
        <div className="border-b border-slate-200 p-4 sm:p-5">
          <AuditFilterForm values={values} actions={actionOptions} types={AUDIT_EVENT_TYPES} period={period} />
        </div>
        {pageEvents.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState
              title={beforeSeq !== undefined ? 'No older events' : isFiltered ? 'No events match these filters' : 'No events yet'}
              description={isFiltered ? 'Change or clear the filters.' : 'Sign-ins, changes and downloads appear here as they happen.'}
            />
          </div>
        ) : (
          <AuditEventTable
            events={pageEvents.map(toAuditEventRow)}
            caption={`Audit events${isFiltered ? ' matching the filters' : ''}, newest first${beforeSeq !== undefined ? `, before event #${beforeSeq}` : ''}`}
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
