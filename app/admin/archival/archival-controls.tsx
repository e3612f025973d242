'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useAction } from '@/components/ui/use-action';
import type { TArchiveStorageClass } from '@/lib/storage';
import { runArchivalNowAction, updateArchivalPolicyAction } from './actions';

export function RunArchivalButton() {
  const router = useRouter();
  const { run, isPending, error } = useAction(runArchivalNowAction);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button isPending={isPending} pendingLabel="Starting…" onClick={() => void run({}, () => router.refresh())}>
        Run archival now
      </Button>
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}

export interface TPolicyRowProps {
  id: string;
  /** What the policy applies to, for the controls' labels. */
  label: string;
  minAgeDays: number;
  storageClass: string;
  isEnabled: boolean;
}

/** One policy, edited in place: age in days, storage class and on/off, saved together. */
export function PolicyEditor({ policy, storageClasses }: { policy: TPolicyRowProps; storageClasses: readonly TArchiveStorageClass[] }) {
  const router = useRouter();
  const { run, isPending, error, fieldErrors } = useAction(updateArchivalPolicyAction);
  const [minAgeDays, setMinAgeDays] = useState(String(policy.minAgeDays));
  const [storageClass, setStorageClass] = useState(policy.storageClass);
  const [isEnabled, setIsEnabled] = useState(policy.isEnabled);
  const isChanged = minAgeDays !== String(policy.minAgeDays) || storageClass !== policy.storageClass || isEnabled !== policy.isEnabled;

  function save() {
    const patch = { minAgeDays: Number(minAgeDays), storageClass: storageClass as TArchiveStorageClass, isEnabled };
    void run({ policyId: policy.id, patch }, () => router.refresh());
  }

  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <label className="text-xs font-medium text-slate-600">
        Minimum age (days)
        <Input
          type="number"
          min={1}
          value={minAgeDays}
          onChange={(e) => setMinAgeDays(e.target.value)}
          className="mt-1 w-28 py-1.5"
          aria-label={`Minimum age in days for ${policy.label}`}
        />
      </label>
      <label className="text-xs font-medium text-slate-600">
        Storage class
        <Select
          value={storageClass}
          onChange={(e) => setStorageClass(e.target.value)}
          className="mt-1 py-1.5"
          aria-label={`Storage class for ${policy.label}`}
        >
          {storageClasses.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
        <input type="checkbox" checked={isEnabled} onChange={(e) => setIsEnabled(e.target.checked)} aria-label={`Archive ${policy.label.toLowerCase()}`} />
        Enabled
      </label>
      <Button type="submit" size="sm" variant="secondary" disabled={!isChanged} isPending={isPending} pendingLabel="Saving…">
        Save
      </Button>
      {error && (
        <p role="alert" className="w-full text-xs text-red-600">
          {fieldErrors['patch'] ?? error.message}
        </p>
      )}
    </form>
  );
}
