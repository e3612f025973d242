import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { NoAccess } from '@/components/portal/no-access';
import { CostSummary } from '@/components/estimates/cost-summary';
import { MaterialTable } from '@/components/estimates/material-table';
import { SimilarCard, SimilarPanel } from '@/components/estimates/similar-panel';
import { placeOf } from '@/components/estimates/similar-results';
import { ConfirmedActionButton } from '@/components/ui/action-button';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { formatDateTime } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { requireMember } from '../../../portal-context';
import { deleteEstimateAction } from '../actions';
import { loadEstimate } from '../load-estimate';

export const metadata: Metadata = { title: 'Estimate' };

export default async function EstimatePage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant: slug, id } = await params;
  const { tenant, permissions } = await requireMember(slug);
  if (!permissions.has('estimates:read')) return <NoAccess title="Estimate" permission="estimates:read" />;
  const canWrite = permissions.has('estimates:write');
  const estimate = await loadEstimate(tenant.id, id);
  const { region } = estimate.location;

  return (
    <>
      <Link href="/estimates" className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
        ← All estimates
      </Link>
      <PageHeader
        title={estimate.name}
        description={
          <>
            {estimate.project} · {placeOf(estimate.location.city, estimate.location.country)}
            {region ? ` (${region})` : ''} · created {formatDateTime(estimate.createdAt)}
          </>
        }
        actions={
          canWrite && (
            <div className="flex items-start gap-2">
              <Link href={`/estimates/${estimate.id}/edit`} className={buttonClass('secondary')}>
                Edit
              </Link>
              <ConfirmedActionButton
                action={deleteEstimateAction}
                input={{ id: estimate.id }}
                label="Delete"
                size="md"
                confirmation={{
                  title: `Delete the estimate ${estimate.name}?`,
                  description: 'It is deleted for everyone in this organisation, with its materials, and no longer appears in similar-estimate searches.',
                  confirmLabel: 'Delete estimate',
                  pendingLabel: 'Deleting…',
                  isIrreversible: true,
                }}
                done={`Deleted the estimate ${estimate.name}.`}
                redirectTo="/estimates"
              />
            </div>
          )
        }
      />
      <div className="mb-6 grid gap-6 lg:grid-cols-3">
        <Card title="Cost" className="lg:col-span-1">
          <CostSummary
            materialsCents={estimate.materialsCostCents}
            laborCents={estimate.laborCostCents}
            equipmentCents={estimate.equipmentCostCents}
            totalCents={estimate.totalCostCents}
            currency={estimate.currency}
          />
          <p className="mt-3 text-xs text-slate-500">
            Labour {estimate.laborHours} h, equipment {estimate.equipmentHours} h.{' '}
            {estimate.embeddingVersion === null ? <Badge tone="amber">indexing</Badge> : <Badge tone="green">indexed</Badge>}
          </p>
        </Card>
        <Card title={`Materials (${estimate.materials.length})`} isFlush className="lg:col-span-2">
          <MaterialTable materials={estimate.materials} currency={estimate.currency} totalCents={estimate.materialsCostCents} />
        </Card>
      </div>
      <Suspense
        fallback={
          <SimilarCard>
            <p role="status" className="text-sm text-slate-500">
              Looking for similar estimates…
            </p>
          </SimilarCard>
        }
      >
        <SimilarPanel tenantId={tenant.id} estimateId={estimate.id} isIndexed={estimate.embeddingVersion !== null} />
      </Suspense>
    </>
  );
}
