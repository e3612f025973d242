import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { estimateToDraft } from '@/components/estimates/draft';
import { EstimateForm } from '@/components/estimates/estimate-form';
import { PageHeader } from '@/components/ui/page-header';
import { ESTIMATE_UNITS } from '@/lib/estimates';
import { requireMember } from '../../../../portal-context';
import { updateEstimateAction } from '../../actions';
import { loadEstimate } from '../../load-estimate';

export const metadata: Metadata = { title: 'Edit estimate' };

export default async function EditEstimatePage({ params }: { params: Promise<{ tenant: string; id: string }> }) {
  const { tenant: slug, id } = await params;
  const { tenant, permissions } = await requireMember(slug);
  if (!permissions.has('estimates:write')) return <NoAccess title="Edit estimate" permission="estimates:write" />;
  const estimate = await loadEstimate(tenant.id, id);
  return (
    <>
      <PageHeader title={`Edit ${estimate.name}`} description="Saving replaces the estimate; it is re-indexed for similarity search a few seconds later." />
      <EstimateForm
        initial={estimateToDraft(estimate)}
        units={Object.keys(ESTIMATE_UNITS)}
        save={{ kind: 'update', estimateId: estimate.id, action: updateEstimateAction }}
      />
    </>
  );
}
