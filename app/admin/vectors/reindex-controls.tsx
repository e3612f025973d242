'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import { reindexVectorsAction } from './actions';

/** Rebuild one tenant's vectors or everyone's. */
export function ReindexForm({ tenants }: { tenants: { id: string; name: string; slug: string }[] }) {
  const router = useRouter();
  const { run, isPending, error } = useAction(reindexVectorsAction);
  const [tenantId, setTenantId] = useState('');
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void run(tenantId ? { tenantId } : {}, () => router.refresh());
      }}
    >
      <label className="text-xs font-medium text-slate-600">
        Tenant
        <Select aria-label="Tenant to reindex" value={tenantId} onChange={(event) => setTenantId(event.target.value)} className="mt-1 block">
          <option value="">All tenants</option>
          {tenants.map((tenant) => (
            <option key={tenant.id} value={tenant.id}>
              {tenant.name} ({tenant.slug})
            </option>
          ))}
        </Select>
      </label>
      <Button type="submit" isPending={isPending} pendingLabel="Starting…">
        Rebuild vectors
      </Button>
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error.message}
        </p>
      )}
    </form>
  );
}
