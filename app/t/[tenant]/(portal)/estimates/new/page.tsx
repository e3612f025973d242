import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { emptyEstimateDraft } from '@/components/estimates/draft';
import { EstimateForm } from '@/components/estimates/estimate-form';
import { PageHeader } from '@/components/ui/page-header';
import { ESTIMATE_UNITS } from '@/lib/estimates';
import { requireMember } from '../../../portal-context';
import { createEstimateAction } from '../actions';

export const metadata: Metadata = { title: 'New estimate' };

export default async function NewEstimatePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('estimates:write')) return <NoAccess title="New estimate" permission="estimates:write" />;
  return (
    <>
      <PageHeader title="New estimate" description="Materials, labour and equipment; the total follows as you type and is checked again on save." />
      <EstimateForm initial={emptyEstimateDraft()} units={Object.keys(ESTIMATE_UNITS)} save={{ kind: 'create', action: createEstimateAction }} />
    </>
  );
}
