import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { SectionPlaceholder } from '@/components/portal/section-placeholder';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Usage' };

export default async function UsagePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('usage:read')) return <NoAccess title="Usage" permission="usage:read" />;
  return <SectionPlaceholder title="Usage" description="API calls, uploads and storage against your plan's limits." />;
}
