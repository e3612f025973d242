import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { SectionPlaceholder } from '@/components/portal/section-placeholder';
import { requireMember } from '../../portal-context';

export const metadata: Metadata = { title: 'Files' };

export default async function FilesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('files:read')) return <NoAccess title="Files" permission="files:read" />;
  return <SectionPlaceholder title="Files" description="Upload, browse and download your organisation's drawings, models and documents." />;
}
