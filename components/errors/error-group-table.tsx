import Link from 'next/link';
import { formatDateTime, formatNumber } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import type { TAdminErrorGroupListItem, TErrorGroupListItem } from '@/lib/errors';
import { errorPeriodLabel, formatChange } from './error-format';
import { ErrorGroupStatus } from './error-group-status';
import { ErrorSparkline } from './error-sparkline';

interface TErrorGroupTableProps {
  groups: (TErrorGroupListItem | TAdminErrorGroupListItem)[];
  period: string;
  /** The group's detail page; absent: titles are not links. */
  hrefOf?: (id: string) => string;
  /** Operators: a tenant column (the platform's own errors have none). */
  showTenant?: boolean;
}

const tenantOf = (group: TErrorGroupListItem | TAdminErrorGroupListItem) => ('tenantId' in group ? group : null);

/** Error groups with their status, events in the period (and change), users affected, last seen and a sparkline. */
export function ErrorGroupTable({ groups, period, hrefOf, showTenant = false }: TErrorGroupTableProps) {
  return (
    <Table caption={`Error groups, ${errorPeriodLabel(period).toLowerCase()}`}>
      <thead>
        <tr>
          <Th>Error</Th>
          {showTenant && <Th>Tenant</Th>}
          <Th>Status</Th>
          <Th className="text-right">Events</Th>
          <Th className="text-right">Users</Th>
          <Th>Last seen</Th>
          <Th>Trend</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {groups.map((group) => {
          const tenant = tenantOf(group);
          return (
            <tr key={group.id}>
              <Td className="max-w-xl">
                {hrefOf ? (
                  <Link href={hrefOf(group.id)} className="font-medium break-words text-brand hover:underline">
                    {group.title}
                  </Link>
                ) : (
                  <span className="font-medium break-words text-slate-900">{group.title}</span>
                )}
                {group.culprit && <p className="mt-0.5 truncate font-mono text-xs text-slate-500">{group.culprit}</p>}
              </Td>
              {showTenant && (
                <Td>
                  {tenant?.tenantId ? (
                    <>
                      <span className="font-medium text-slate-900">{tenant.tenantName}</span>
                      <p className="text-xs text-slate-500">{tenant.tenantSlug}</p>
                    </>
                  ) : (
                    <span className="text-slate-500 italic">platform (no tenant)</span>
                  )}
                </Td>
              )}
              <Td>
                <ErrorGroupStatus status={group.status} isRegression={group.isRegression} />
              </Td>
              <Td className="text-right tabular-nums">
                {formatNumber(group.trend.current)}
                <p className="text-xs text-slate-500" title={`${formatNumber(group.eventCount)} since first seen`}>
                  {formatChange(group.trend.changePercent)} · {formatNumber(group.eventCount)} all time
                </p>
              </Td>
              <Td className="text-right tabular-nums">{formatNumber(group.usersAffected)}</Td>
              <Td className="whitespace-nowrap">{formatDateTime(group.lastSeen)}</Td>
              <Td>
                <ErrorSparkline series={group.series} label={`Events of ${group.title} over the period: ${group.series.join(', ')}`} />
              </Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
