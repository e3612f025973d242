import type { Metadata } from 'next';
import Link from 'next/link';
import { NoAccess } from '@/components/portal/no-access';
import { SimilarSearchForm } from '@/components/estimates/similar-search-form';
import { PageHeader } from '@/components/ui/page-header';
import { ESTIMATE_UNITS } from '@/lib/estimates';
import { requireMember } from '../../../portal-context';
import { searchSimilarAction } from '../actions';

export const metadata: Metadata = { title: 'Find similar estimates' };

export default async function SimilarSearchPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { permissions } = await requireMember((await params).tenant);
  if (!permissions.has('estimates:read')) return <NoAccess title="Find similar estimates" permission="estimates:read" />;
  return (
    <>
      <Link href="/estimates" className="mb-2 inline-block text-sm font-medium text-brand hover:underline">
        ← All estimates
      </Link>
      <PageHeader
        title="Find similar estimates"
        description="Describe a job to see the most similar past estimates, what they cost and how far to trust that."
      />
      <SimilarSearchForm units={Object.keys(ESTIMATE_UNITS)} action={searchSimilarAction} />
    </>
  );
}
