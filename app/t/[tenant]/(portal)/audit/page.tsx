import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { SectionPlaceholder } from '@/components/portal/section-placeholder';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('audit:read')) return <NoAccess title="Audit" permission="audit:read" />;
  return <SectionPlaceholder title="Audit" description="Who did what and when: sign-ins, downloads and changes." />;
}
