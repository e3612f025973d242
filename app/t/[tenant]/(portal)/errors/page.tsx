import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { SectionPlaceholder } from '@/components/portal/section-placeholder';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Errors' };

export default async function ErrorsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('errors:read')) return <NoAccess title="Errors" permission="errors:read" />;
  return <SectionPlaceholder title="Errors" description="Errors your organisation's requests ran into, grouped and counted." />;
}
