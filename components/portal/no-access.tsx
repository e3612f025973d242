import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

/** What a page shows to a member whose role does not allow it (the server refuses the actions anyway). */
export function NoAccess({ title, permission }: { title: string; permission: string }) {
  return (
    <>
      <PageHeader title={title} />
      <EmptyState
        title="You don't have access to this page"
        description={`Your role does not include ${permission}. Ask an owner or admin of this organisation if you need it.`}
      />
    </>
  );
}
