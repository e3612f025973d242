'use client';

import { Fragment, useState, type ReactNode } from 'react';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Table, Td, Th } from '@/components/ui/table';
import { ACTOR_TYPE_LABELS, formatAuditTime, hashPrefix } from './audit-format';
import type { TAuditEventRow } from './types';

const ACTOR_TONES: Record<TAuditEventRow['actor']['type'], TBadgeTone> = { user: 'blue', api_key: 'amber', system: 'neutral' };
const COLUMNS = 6;

function DetailItem({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{term}</dt>
      <dd className="mt-0.5 font-mono text-xs break-all text-slate-800">{children}</dd>
    </div>
  );
}

/** Audit events newest first; each row opens a second row with where the event came from, its chain link and metadata. */
export function AuditEventTable({ events, caption }: { events: TAuditEventRow[]; caption: string }) {
  const [openIds, setOpenIds] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpenIds((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Time (UTC)</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Outcome</Th>
          <Th>
            <span className="sr-only">Details</span>
          </Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {events.map((event) => {
          const isOpen = openIds.has(event.id);
          const detailsId = `audit-event-${event.id}`;
          return (
            <Fragment key={event.id}>
              <tr>
                <Td className="font-mono text-xs whitespace-nowrap">
                  <time dateTime={event.occurredAt}>{formatAuditTime(event.occurredAt)}</time>
                </Td>
                <Td>
                  <div className="flex flex-wrap items-center gap-1.5">
                    <span className="font-medium text-slate-900">{event.actor.name || '—'}</span>
                    <Badge tone={ACTOR_TONES[event.actor.type]}>{ACTOR_TYPE_LABELS[event.actor.type]}</Badge>
                  </div>
                </Td>
                <Td>
                  <div className="font-mono text-xs text-slate-900">{event.action}</div>
                  <div className="text-xs text-slate-500">{event.type}</div>
                </Td>
                <Td>
                  {event.target.type ? (
                    <>
                      <div className="text-xs text-slate-500">{event.target.type}</div>
                      <div className="max-w-64 truncate" title={event.target.name ?? event.target.id ?? undefined}>
                        {event.target.name ?? <span className="font-mono text-xs">{event.target.id ?? '—'}</span>}
                      </div>
                    </>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </Td>
                <Td>
                  <Badge tone={event.outcome === 'success' ? 'green' : 'red'}>{event.outcome}</Badge>
                </Td>
                <Td className="text-right">
                  <button
                    type="button"
                    onClick={() => toggle(event.id)}
                    aria-expanded={isOpen}
                    aria-controls={detailsId}
                    className="rounded text-xs font-medium whitespace-nowrap text-brand hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand"
                  >
                    {isOpen ? 'Hide details' : 'Details'}
                    <span className="sr-only"> of event #{event.seq}</span>
                  </button>
                </Td>
              </tr>
              <tr id={detailsId} hidden={!isOpen} className="bg-slate-50">
                <td colSpan={COLUMNS} className="px-4 py-3">
                  <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2 lg:grid-cols-4">
                    <DetailItem term="Sequence">#{event.seq}</DetailItem>
                    <DetailItem term="Event id">{event.id}</DetailItem>
                    <DetailItem term="Request id">{event.requestId ?? '—'}</DetailItem>
                    <DetailItem term="Hash">
                      <span title={event.hash}>{hashPrefix(event.hash, 16)}</span>
                    </DetailItem>
                    <DetailItem term="IP address">{event.ip ?? '—'}</DetailItem>
                    <DetailItem term="Actor id">{event.actor.id ?? '—'}</DetailItem>
                    <DetailItem term="Target id">{event.target.id ?? '—'}</DetailItem>
                    <DetailItem term="User agent">{event.userAgent ?? '—'}</DetailItem>
                  </dl>
                  <p className="mt-3 text-xs font-medium text-slate-500">Metadata</p>
                  <pre className="mt-1 max-h-64 overflow-auto rounded bg-white p-2 text-xs text-slate-800 ring-1 ring-slate-200">{event.metadataJson}</pre>
                </td>
              </tr>
            </Fragment>
          );
        })}
      </tbody>
    </Table>
  );
}
