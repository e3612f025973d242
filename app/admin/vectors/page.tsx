import type { Metadata } from 'next';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDateTime, formatNumber } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { vectorIndexStatus, type TReindexRun } from '@/lib/estimates';
import { listAllTenants, withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { ProgressBar } from '@/components/ui/progress-bar';
import { RefreshWhileActive } from '@/components/ui/refresh-while-active';
import { ReindexForm } from './reindex-controls';

export const metadata: Metadata = { title: 'Vector index' };

const STATUS_TONE: Record<TReindexRun['status'], TBadgeTone> = { queued: 'neutral', running: 'blue', done: 'green', failed: 'red' };

function Progress({ run }: { run: TReindexRun }) {
  // A finished run of an empty scope is complete, not at 0 %.
  const isEmptyAndDone = run.totalEstimates === 0 && run.status === 'done';
  return (
    <div className="flex items-center gap-2">
      <ProgressBar label="Reindex progress" value={isEmptyAndDone ? 1 : run.indexedEstimates} max={isEmptyAndDone ? 1 : run.totalEstimates} className="w-32" />
      <span className="text-xs tabular-nums text-slate-600">
        {formatNumber(run.indexedEstimates)} / {formatNumber(run.totalEstimates)}
      </span>
    </div>
  );
}

export default async function AdminVectorsPage() {
  if (!(await isOperator())) return null;
  const [status, tenants] = await Promise.all([vectorIndexStatus(), withPlatform((tx) => listAllTenants(tx, { limit: 500 }))]);
  const tenantName = new Map(tenants.map((t) => [t.id, t.name]));
  const isActive = status.runs.some((run) => run.status === 'queued' || run.status === 'running');
  const stale = status.estimates - status.indexedCurrent;

  return (
    <>
      <PageHeader
        title="Vector index"
        description="Cost estimates are embedded and indexed for similarity search. Changes reach the index through an outbox within seconds; a rebuild re-embeds everything, e.g. after the embedding version changed."
      />
      <div className="mb-6 grid gap-4 sm:grid-cols-4">
        <Card title="Backend">
          <p className="text-lg font-semibold text-slate-900">{status.backend === 'qdrant' ? 'Qdrant' : 'PostgreSQL (exact)'}</p>
          <p className="text-xs text-slate-500">
            {status.embedderVersion}, {status.dimension} dimensions
          </p>
        </Card>
        <Card title="Estimates">
          <p className="text-lg font-semibold tabular-nums text-slate-900">{formatNumber(status.estimates)}</p>
          <p className="text-xs text-slate-500">{formatNumber(status.indexedCurrent)} indexed with the current version</p>
        </Card>
        <Card title="Not current">
          <p className="text-lg font-semibold tabular-nums text-slate-900">{formatNumber(stale)}</p>
          <p className="text-xs text-slate-500">{stale > status.pendingChanges ? 'Rebuild to bring them to the current version' : 'Waiting in the outbox'}</p>
        </Card>
        <Card title="Pending changes">
          <p className="text-lg font-semibold tabular-nums text-slate-900">{formatNumber(status.pendingChanges)}</p>
          <p className="text-xs text-slate-500">{status.failingChanges > 0 ? `${formatNumber(status.failingChanges)} retrying after failures` : 'None failing'}</p>
        </Card>
      </div>
      <Card title="Rebuild" description="Re-embeds and upserts every estimate of the chosen scope; search keeps working meanwhile." className="mb-6">
        <ReindexForm tenants={tenants.map((t) => ({ id: t.id, name: t.name, slug: t.slug }))} />
      </Card>
      <Card title="Rebuilds" description="The 10 most recent." isFlush actions={<RefreshWhileActive isActive={isActive} intervalMs={2_000} />}>
        {status.runs.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title="No rebuilds yet" description="“Rebuild vectors” starts one." />
          </div>
        ) : (
          <Table caption="Vector rebuilds">
            <thead>
              <tr>
                <Th>Scope</Th>
                <Th>Requested</Th>
                <Th>Finished</Th>
                <Th>Status</Th>
                <Th>Progress</Th>
                <Th>Version</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {status.runs.map((run) => (
                <tr key={run.id}>
                  <Td>{run.tenantId ? (tenantName.get(run.tenantId) ?? run.tenantId) : 'All tenants'}</Td>
                  <Td className="whitespace-nowrap">{formatDateTime(run.createdAt)}</Td>
                  <Td className="whitespace-nowrap">{formatDateTime(run.finishedAt)}</Td>
                  <Td>
                    <Badge tone={STATUS_TONE[run.status]}>{run.status}</Badge>
                    {run.error && <p className="mt-1 max-w-sm text-xs text-red-600">{run.error}</p>}
                  </Td>
                  <Td>
                    <Progress run={run} />
                  </Td>
                  <Td className="text-xs text-slate-500">{run.embeddingVersion}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
