'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useConfirmedAction } from '@/components/ui/use-confirmed-action';
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
  invitationsPerDay: number;
  maxEstimates: number | null;
  isHardLimit: boolean;
  isActive: boolean;
}

type TNumberField = Exclude<keyof TPlanEditorProps, 'id' | 'name' | 'isHardLimit' | 'isActive'>;

/**
 * Each field as typed by the operator (dollars for the price, GiB for storage, cents for overage) and back; a field
 * that may be null (no limit) is left empty for it.
 */
const FIELDS: { key: TNumberField; label: string; unit: number; isNullable?: boolean }[] = [
  { key: 'priceCents', label: 'Price ($/month)', unit: 100 },
  { key: 'filesPerMonth', label: 'Files / month', unit: 1 },
  { key: 'storageBytes', label: 'Storage (GiB)', unit: GiB },
  { key: 'apiCallsPerMonth', label: 'API calls / month', unit: 1 },
  { key: 'extraFileCents', label: 'Extra file (¢)', unit: 1 },
  { key: 'storageGibMonthCents', label: 'GiB-month (¢)', unit: 1 },
  { key: 'per1kApiCallsCents', label: '1,000 calls (¢)', unit: 1 },
  { key: 'requestsPerMinute', label: 'Requests / minute', unit: 1 },
  { key: 'invitationsPerDay', label: 'Invitations / day', unit: 1 },
  { key: 'maxEstimates', label: 'Estimates (empty: no limit)', unit: 1, isNullable: true },
];

const shownValue = (value: number | null, unit: number) => (value === null ? '' : String(value / unit));

/** The edit in the operator's words, one change a line: "Price ($/month): 29 → 39". */
function describeChanges(plan: TPlanEditorProps, changes: Partial<TPlanEditorProps>): string[] {
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  const lines: string[] = [];
  if (changes.name !== undefined) lines.push(`Name: ${plan.name} → ${changes.name}`);
  for (const f of FIELDS) {
    const value = changes[f.key];
    const said = (given: number | null) => (given === null ? 'no limit' : given / f.unit);
    if (value !== undefined) lines.push(`${f.label}: ${said(plan[f.key])} → ${said(value)}`);
  }
  if (changes.isHardLimit !== undefined) lines.push(`Hard limit: ${yesNo(plan.isHardLimit)} → ${yesNo(changes.isHardLimit)}`);
  if (changes.isActive !== undefined) lines.push(`Offered: ${yesNo(plan.isActive)} → ${yesNo(changes.isActive)}`);
  return lines;
}

/** The same fields as they were, to put them back. */
function previousOf(plan: TPlanEditorProps, changes: Partial<TPlanEditorProps>): Partial<TPlanEditorProps> {
  return Object.fromEntries(Object.keys(changes).map((key) => [key, plan[key as keyof TPlanEditorProps]]));
}

/** One plan edited in place; unchanged fields are not sent. Saving asks first, since every tenant on the plan is affected. */
export function PlanEditor({ plan }: { plan: TPlanEditorProps }) {
  const { ask, dialog, isPending } = useConfirmedAction(updatePlanAction);
  const [name, setName] = useState(plan.name);
  const [values, setValues] = useState(() =>
    Object.fromEntries(FIELDS.map((f) => [f.key, shownValue(plan[f.key], f.unit)])) as Record<TNumberField, string>,
  );
  const [isHardLimit, setIsHardLimit] = useState(plan.isHardLimit);
  const [isActive, setIsActive] = useState(plan.isActive);

  function patch(): Partial<TPlanEditorProps> {
    const out: Record<string, unknown> = {};
    if (name !== plan.name) out.name = name;
    for (const f of FIELDS) {
      const text = values[f.key].trim();
      const value = f.isNullable && text === '' ? null : Math.round(Number(text) * f.unit);
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
      aria-label={`Edit the ${plan.id} plan`}
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (!isChanged) return;
        const previous = previousOf(plan, changes);
        ask(
          { planId: plan.id, patch: changes },
          {
            title: `Save the ${plan.name} plan?`,
            description: (
              <>
                <ul className="list-inside list-disc font-mono text-xs text-slate-800">
                  {describeChanges(plan, changes).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <p className="mt-2">
                  Invoices issued from now on price every tenant on this plan with these values, its rate limit applies within a
                  minute and its cap on estimates at once. Storage and monthly API quotas a tenant already has change only when it next changes plan.
                </p>
              </>
            ),
            confirmLabel: 'Save plan',
            pendingLabel: 'Saving…',
            tone: 'primary',
          },
          () => ({
            message: `Saved the ${plan.name} plan.`,
            undo: { run: () => updatePlanAction({ planId: plan.id, patch: previous }), message: `Put the ${plan.name} plan back as it was.` },
          }),
        );
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
      <Button type="submit" size="sm" variant="secondary" disabled={!isChanged || isPending}>
        Save
      </Button>
      {dialog}
    </form>
  );
}
