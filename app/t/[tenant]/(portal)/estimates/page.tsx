import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { SectionPlaceholder } from '@/components/portal/section-placeholder';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Estimates' };

export default async function EstimatesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('estimates:read')) return <NoAccess title="Estimates" permission="estimates:read" />;
  return <SectionPlaceholder title="Estimates" description="Cost estimates with materials, labour and equipment, and similar past projects." />;
}
