import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { errorPeriodLabel, formatInstant } from '@/components/errors/error-format';
import { ErrorFilterLinks } from '@/components/errors/error-filter-links';
import { ErrorGroupStatus } from '@/components/errors/error-group-status';
import { ErrorHourlyChart } from '@/components/errors/error-hourly-chart';
import { NoAccess } from '@/components/portal/no-access';
import { ActionButton } from '@/components/ui/action-button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDateTime, formatNumber } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { AppError } from '@/lib/app-error';
import { ERROR_PERIODS, getErrorGroup, ZErrorGroupDetailQuery, ZErrorGroupParams, type TErrorGroupDetail, type TErrorPeriod } from '@/lib/errors';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../../portal-context';
import { changeErrorGroupStatusAction } from '../actions';

export const metadata: Metadata = { title: 'Error' };

const PERIOD_OPTIONS = (Object.keys(ERROR_PERIODS) as TErrorPeriod[]).map((p) => ({ value: p, label: p, description: errorPeriodLabel(p) }));

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export default async function ErrorGroupPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenant: string; id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenant: slug, id: rawId } = await params;
  const { tenant, permissions } = await requireMember(slug);
  if (!permissions.has('errors:read')) return <NoAccess title="Error" permission="errors:read" />;
  const parsedId = ZErrorGroupParams.safeParse({ id: rawId });
  if (!parsedId.success) notFound();
  const id = parsedId.data.id;
  const rawPeriod = (await searchParams).period;
  const parsedPeriod = ZErrorGroupDetailQuery.safeParse({ period: typeof rawPeriod === 'string' && rawPeriod !== '' ? rawPeriod : undefined });
  const period = parsedPeriod.success ? parsedPeriod.data.period : ZErrorGroupDetailQuery.parse({}).period;

  let detail: TErrorGroupDetail;
  try {
    detail = await withTenant(tenant.id, (tx) => getErrorGroup(tx, tenant.id, id, period));
  } catch (error) {
    // Another tenant's group, or none: the same 404.
    if (error instanceof AppError && error.code === 'not_found') notFound();
    throw error;
  }
  const { group, events, sampleStack, hourly } = detail;
  const canManage = permissions.has('errors:manage');
  const periodText = errorPeriodLabel(period).toLowerCase();
  const statusButton = (status: typeof group.status, label: string, pendingLabel: string) => (
    <ActionButton action={changeErrorGroupStatusAction} input={{ id: group.id, status }} label={label} pendingLabel={pendingLabel} />
  );

  return (
    <div className="space-y-6">
      <Link href={`/errors?period=${period}`} className="text-sm font-medium text-brand hover:underline">
        ← All errors
      </Link>
      <PageHeader
        title={group.title}
        description={group.culprit ? <span className="font-mono">{group.culprit}</span> : 'No application frame in the stack.'}
        actions={
          canManage && (
            <div className="flex flex-wrap items-start gap-2">
              {group.status !== 'resolved' && statusButton('resolved', 'Resolve', 'Resolving…')}
              {group.status !== 'ignored' && statusButton('ignored', 'Ignore', 'Ignoring…')}
              {group.status !== 'unresolved' && statusButton('unresolved', 'Reopen', 'Reopening…')}
            </div>
          )
        }
      />

      <Card>
        <dl className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-6">
          <Fact label="Status">
            <span data-testid="error-group-status">
              <ErrorGroupStatus status={group.status} isRegression={group.isRegression} />
            </span>
          </Fact>
          <Fact label="Type">
            <span className="font-mono">{group.errorType}</span>
          </Fact>
          <Fact label="Events">{formatNumber(group.eventCount)}</Fact>
          <Fact label="Users affected">{formatNumber(group.usersAffected)}</Fact>
          <Fact label="First seen">{formatDateTime(group.firstSeen)}</Fact>
          <Fact label="Last seen">{formatDateTime(group.lastSeen)}</Fact>
          {group.resolvedAt && <Fact label="Resolved">{formatDateTime(group.resolvedAt)}</Fact>}
        </dl>
      </Card>

      <Card
        title="Events per hour"
        description={`This group's events per UTC hour, ${periodText}.`}
        actions={<ErrorFilterLinks label="Period" options={PERIOD_OPTIONS} current={period} hrefOf={(p) => `/errors/${group.id}?period=${p}`} />}
      >
        <ErrorHourlyChart title={`Events per hour, ${periodText}`} points={hourly.map((hour) => ({ hourStart: hour.hourStart, errors: hour.count }))} />
      </Card>

      <Card title="Stack" description="Of the latest event that had one.">
        {sampleStack ? (
          <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-4 text-xs leading-relaxed text-slate-100">{sampleStack}</pre>
        ) : (
          <p className="text-sm text-slate-500">No event of this group carried a stack.</p>
        )}
      </Card>

      <Card title="Recent events" description={`The latest ${events.length === 1 ? 'event' : `${events.length} events`}, newest first (times UTC).`} isFlush>
        {events.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title="No events" />
          </div>
        ) : (
          <Table caption="Recent events">
            <thead>
              <tr>
                <Th>Time</Th>
                <Th>Route</Th>
                <Th>Status</Th>
                <Th>Request id</Th>
                <Th>Release</Th>
                <Th>User agent</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((event) => (
                <tr key={event.id}>
                  <Td className="whitespace-nowrap tabular-nums">{formatInstant(event.occurredAt)}</Td>
                  <Td className="font-mono text-xs">
                    {[event.method, event.route].filter(Boolean).join(' ') || '—'}
                    <p className="font-sans text-slate-500">{event.source}</p>
                  </Td>
                  <Td className="tabular-nums">{event.status ?? '—'}</Td>
                  <Td className="font-mono text-xs">{event.requestId ?? '—'}</Td>
                  <Td className="font-mono text-xs">{event.release ?? '—'}</Td>
                  <Td className="max-w-xs truncate text-xs" title={event.userAgent ?? undefined}>
                    {event.userAgent ?? '—'}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
