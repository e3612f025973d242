'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
import type { TPlanId } from '@/db/schema/tenancy';
import { updatePlanAction } from './actions';

const GiB = 1024 ** 3;

export interface TPlanEditorProps {
  id: TPlanId;
  name: string;
  priceCents: number;
  filesPerMonth: number;
  storageBytes: number;
  apiCallsPerMonth: number;
  extraFileCents: number;
  storageGibMonthCents: number;
  per1kApiCallsCents: number;
  requestsPerMinute: number;
  isHardLimit: boolean;
  isActive: boolean;
}

type TNumberField = Exclude<keyof TPlanEditorProps, 'id' | 'name' | 'isHardLimit' | 'isActive'>;

/** Each field as typed by the operator (dollars for the price, GiB for storage, cents for overage) and back. */
const FIELDS: { key: TNumberField; label: string; unit: number }[] = [
  { key: 'priceCents', label: 'Price ($/month)', unit: 100 },
  { key: 'filesPerMonth', label: 'Files / month', unit: 1 },
  { key: 'storageBytes', label: 'Storage (GiB)', unit: GiB },
  { key: 'apiCallsPerMonth', label: 'API calls / month', unit: 1 },
  { key: 'extraFileCents', label: 'Extra file (¢)', unit: 1 },
  { key: 'storageGibMonthCents', label: 'GiB-month (¢)', unit: 1 },
  { key: 'per1kApiCallsCents', label: '1,000 calls (¢)', unit: 1 },
  { key: 'requestsPerMinute', label: 'Requests / minute', unit: 1 },
];

/** One plan edited in place; unchanged fields are not sent. */
export function PlanEditor({ plan }: { plan: TPlanEditorProps }) {
  const router = useRouter();
  const { run, isPending, error, fieldErrors } = useAction(updatePlanAction);
  const [name, setName] = useState(plan.name);
  const [values, setValues] = useState(() =>
    Object.fromEntries(FIELDS.map((f) => [f.key, String(plan[f.key] / f.unit)])) as Record<TNumberField, string>,
  );
  const [isHardLimit, setIsHardLimit] = useState(plan.isHardLimit);
  const [isActive, setIsActive] = useState(plan.isActive);

  function patch() {
    const out: Record<string, unknown> = {};
    if (name !== plan.name) out.name = name;
    for (const f of FIELDS) {
      const value = Math.round(Number(values[f.key]) * f.unit);
      if (value !== plan[f.key]) out[f.key] = value;
    }
    if (isHardLimit !== plan.isHardLimit) out.isHardLimit = isHardLimit;
    if (isActive !== plan.isActive) out.isActive = isActive;
    return out;
  }
  const changes = patch();
  const isChanged = Object.keys(changes).length > 0;

  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void run({ planId: plan.id, patch: changes }, () => router.refresh());
      }}
    >
      <label className="text-xs font-medium text-slate-600">
        Name
        <Input value={name} onChange={(e) => setName(e.target.value)} className="mt-1 w-36 py-1.5" aria-label={`Name of the ${plan.id} plan`} />
      </label>
      {FIELDS.map((f) => (
        <label key={f.key} className="text-xs font-medium text-slate-600">
          {f.label}
          <Input
            type="number"
            min={0}
            step="any"
            value={values[f.key]}
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
            className="mt-1 w-32 py-1.5"
            aria-label={`${f.label} for the ${plan.id} plan`}
          />
        </label>
      ))}
      <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
        <input type="checkbox" checked={isHardLimit} onChange={(e) => setIsHardLimit(e.target.checked)} aria-label={`Hard limit for the ${plan.id} plan`} />
        Hard limit
      </label>
      <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
        <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} aria-label={`Offer the ${plan.id} plan`} />
        Offered
      </label>
      <Button type="submit" size="sm" variant="secondary" disabled={!isChanged} isPending={isPending} pendingLabel="Saving…">
        Save
      </Button>
      {error && (
        <p role="alert" className="w-full text-xs text-red-600">
          {Object.values(fieldErrors)[0] ?? error.message}
        </p>
      )}
    </form>
  );
}
