import type { Metadata } from 'next';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatBytes, formatDateTime, formatNumber } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { listArchivalPolicies, listArchivalRuns, type TArchivalRunStatus } from '@/lib/archival';
import { ARCHIVE_STORAGE_CLASSES } from '@/lib/storage';
import { withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { RefreshWhileActive } from '@/components/ui/refresh-while-active';
import { PolicyEditor, RunArchivalButton } from './archival-controls';

export const metadata: Metadata = { title: 'Archival' };

const STATUS_TONE: Record<TArchivalRunStatus, TBadgeTone> = { queued: 'neutral', running: 'blue', succeeded: 'green', failed: 'red' };
const TARGET_LABEL: Record<string, string> = {
  completed: 'Completed files',
  failed: 'Failed files',
  temporary: 'Temporary files',
  audit_export: 'Audit and log exports',
};

export default async function AdminArchivalPage() {
  if (!(await isOperator())) return null;
  const [runs, policies] = await withPlatform(async (tx) => [await listArchivalRuns(tx, 20), await listArchivalPolicies(tx)] as const);
  const isActive = runs.some((r) => r.status === 'queued' || r.status === 'running');

  return (
    <>
      <PageHeader
        title="Archival"
        description="Files move to the archive bucket by policy every night at 02:00 UTC: copied with the storage class, verified by size and SHA-256, then removed from hot storage."
        actions={<RunArchivalButton />}
      />
      <Card title="Runs" description="The 20 most recent runs." actions={<RefreshWhileActive isActive={isActive} />} isFlush className="mb-6">
        {runs.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title="No archival runs yet" description="The first nightly run, or “Run archival now”, will show here." />
          </div>
        ) : (
          <Table caption="Archival runs">
            <thead>
              <tr>
                <Th>Trigger</Th>
                <Th>Started</Th>
                <Th>Finished</Th>
                <Th>Status</Th>
                <Th className="text-right">Considered</Th>
                <Th className="text-right">Archived</Th>
                <Th className="text-right">Failed</Th>
                <Th className="text-right">Bytes</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {runs.map((run) => (
                <tr key={run.id}>
                  <Td>{run.trigger === 'cron' ? 'Nightly' : 'Manual'}</Td>
                  <Td className="whitespace-nowrap">{formatDateTime(run.startedAt)}</Td>
                  <Td className="whitespace-nowrap">{formatDateTime(run.finishedAt)}</Td>
                  <Td>
                    <Badge tone={STATUS_TONE[run.status] ?? 'neutral'}>{run.status}</Badge>
                    {run.error && <p className="mt-1 max-w-sm text-xs text-red-600">{run.error}</p>}
                  </Td>
                  <Td className="text-right tabular-nums">{formatNumber(run.filesConsidered)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(run.filesArchived)}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(run.filesFailed)}</Td>
                  <Td className="text-right tabular-nums">{formatBytes(run.bytesArchived)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <Card title="Policies" description="Which files are archived after how many days, and into which storage class. Changes apply from the next run.">
        <ul className="divide-y divide-slate-100">
          {policies.map((policy) => (
            <li key={policy.id} className="py-4 first:pt-0 last:pb-0">
              <p className="mb-2 text-sm font-medium text-slate-900">{TARGET_LABEL[policy.appliesTo] ?? policy.appliesTo}</p>
              <PolicyEditor
                key={`${policy.id}-${policy.updatedAt.toISOString()}`}
                policy={{
                  id: policy.id,
                  label: TARGET_LABEL[policy.appliesTo] ?? policy.appliesTo,
                  minAgeDays: policy.minAgeDays,
                  storageClass: policy.storageClass,
                  isEnabled: policy.isEnabled,
                }}
                storageClasses={ARCHIVE_STORAGE_CLASSES}
              />
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
