'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { TPlanId } from '@/db/schema/tenancy';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import { changeTenantPlanAction, setTenantActiveAction } from './actions';

export function TenantPlanSelect({ tenantId, slug, plan, plans }: { tenantId: string; slug: string; plan: TPlanId; plans: { id: TPlanId; name: string }[] }) {
  const router = useRouter();
  const [value, setValue] = useState(plan);
  const { run, isPending, error } = useAction(changeTenantPlanAction);
  const id = `plan-${tenantId}`;

  async function change(next: TPlanId) {
    setValue(next);
    if (!(await run({ tenantId, plan: next }, () => router.refresh()))) setValue(plan);
  }

  return (
    <div className="min-w-36">
      <label htmlFor={id} className="sr-only">
        Plan for {slug}
      </label>
      <Select id={id} value={value} disabled={isPending} onChange={(e) => void change(e.target.value as TPlanId)} className="py-1.5">
        {plans.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}

export function TenantActiveButton({ tenantId, isActive }: { tenantId: string; isActive: boolean }) {
  const router = useRouter();
  const { run, isPending, error } = useAction(setTenantActiveAction);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant={isActive ? 'secondary' : 'primary'}
        isPending={isPending}
        pendingLabel={isActive ? 'Deactivating…' : 'Reactivating…'}
        onClick={() => void run({ tenantId, isActive: !isActive }, () => router.refresh())}
      >
        {isActive ? 'Deactivate' : 'Reactivate'}
      </Button>
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}
