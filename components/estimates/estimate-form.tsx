'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import type { TActionResult } from '@/lib/api';
import type { TCostEstimate } from '@/lib/estimates';
// eslint-disable-next-line no-restricted-imports -- index.ts re-exports server-only modules; model.ts is pure, and the live total must use the server's arithmetic.
import { equipmentCostCents, laborCostCents, materialsCostCents, totalCostCents } from '@/lib/estimates/model';
import { Alert } from '@/components/ui/alert';
import { Button, buttonClass } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { useAction } from '@/components/ui/use-action';
import { CostSummary } from './cost-summary';
import { DraftField } from './draft-field';
import { fieldErrorsByPath, readEstimateDraft, type TEstimateDraft, type TFieldErrors } from './draft';
import { MaterialRows } from './material-rows';
import { RatesFields } from './rates-fields';

type TSaved = { estimate: { id: string } };

/** How the form saves: a new estimate, or a replacement of an existing one (the action takes its id). */
export type TEstimateSave =
  | { kind: 'create'; action: (input: TCostEstimate) => Promise<TActionResult<TSaved>> }
  | { kind: 'update'; estimateId: string; action: (input: { id: string; estimate: TCostEstimate }) => Promise<TActionResult<TSaved>> };

const SHOWN_PATHS = /^(project|name|currency|location\.(country|region|city)|(labor|equipment)(RateCents|Hours)|materials(\.\d+\.(name|category|quantity|unit|unitCostCents))?|totalCostCents)$/;

/** Creates or edits an estimate: material rows, rates and a total that follows the typing. */
export function EstimateForm({ initial, units, save }: { initial: TEstimateDraft; units: readonly string[]; save: TEstimateSave }) {
  const router = useRouter();
  const [draft, setDraft] = useState(initial);
  const [localErrors, setLocalErrors] = useState<TFieldErrors>({});
  const { run, isPending, error, clearError } = useAction((estimate: TCostEstimate) =>
    save.kind === 'create' ? save.action(estimate) : save.action({ id: save.estimateId, estimate }),
  );

  const serverErrors = fieldErrorsByPath(error?.fields, save.kind === 'update' ? 'estimate.' : '');
  const errors = { ...serverErrors, ...localErrors };
  const unshown = Object.keys(serverErrors).filter((path) => !SHOWN_PATHS.test(path));

  const { estimate } = useMemo(() => readEstimateDraft(draft), [draft]);
  const setMaterials = (materials: TEstimateDraft['materials']) => {
    // Messages name rows by position: once a row is removed they would point at the wrong ones.
    if (materials.length < draft.materials.length) {
      clearError();
      setLocalErrors({});
    }
    setDraft((prev) => ({ ...prev, materials }));
  };
  const set = (field: keyof TEstimateDraft) => (value: string) => setDraft((prev) => ({ ...prev, [field]: value }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const read = readEstimateDraft(draft);
    setLocalErrors(read.errors);
    if (Object.keys(read.errors).length > 0) return;
    await run(read.estimate, (saved) => router.push(`/estimates/${saved.estimate.id}`));
  }

  const hasErrors = Object.keys(errors).length > 0;
  return (
    <form onSubmit={submit} noValidate aria-label={save.kind === 'create' ? 'New estimate' : 'Edit estimate'} className="space-y-6">
      {(error || hasErrors) && (
        <Alert title={hasErrors ? 'Some fields need attention' : undefined}>
          {unshown.length > 0 || !hasErrors ? error?.message : 'See the messages next to the fields below.'}
        </Alert>
      )}
      <Card title="Project">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <DraftField id="estimate-project" label="Project" value={draft.project} onValue={set('project')} error={errors.project} maxLength={200} />
          <DraftField id="estimate-name" label="Estimate name" value={draft.name} onValue={set('name')} error={errors.name} maxLength={200} />
          <DraftField
            id="estimate-currency"
            label="Currency"
            hint="ISO 4217 code, e.g. EUR"
            value={draft.currency}
            onValue={(value) => set('currency')(value.toUpperCase())}
            error={errors.currency}
            maxLength={3}
            className="max-w-40"
          />
          <DraftField
            id="estimate-country"
            label="Country"
            hint="Two letters, e.g. DE"
            value={draft.country}
            onValue={(value) => set('country')(value.toUpperCase())}
            error={errors['location.country']}
            maxLength={2}
            className="max-w-40"
          />
          <DraftField id="estimate-region" label="Region" value={draft.region} onValue={set('region')} error={errors['location.region']} maxLength={100} />
          <DraftField id="estimate-city" label="City" value={draft.city} onValue={set('city')} error={errors['location.city']} maxLength={100} />
        </div>
      </Card>
      <Card title="Materials" isFlush>
        <div className="p-2 sm:p-3">
          <MaterialRows
            idPrefix="estimate-material"
            rows={draft.materials}
            onChange={setMaterials}
            units={units}
            currency={draft.currency}
            errors={errors}
          />
        </div>
      </Card>
      <Card title="Labour and equipment">
        <RatesFields idPrefix="estimate" rates={draft} onChange={(rates) => setDraft((prev) => ({ ...prev, ...rates }))} currency={draft.currency} errors={errors} />
      </Card>
      <Card title="Total">
        <CostSummary
          materialsCents={materialsCostCents(estimate)}
          laborCents={laborCostCents(estimate)}
          equipmentCents={equipmentCostCents(estimate)}
          totalCents={totalCostCents(estimate)}
          currency={draft.currency}
          isLive
          className="max-w-sm"
        />
        {errors.totalCostCents && <p className="mt-2 text-xs font-medium text-red-600">{errors.totalCostCents}</p>}
        <div className="mt-5 flex gap-3">
          <Button type="submit" isPending={isPending} pendingLabel="Saving…">
            {save.kind === 'create' ? 'Create estimate' : 'Save changes'}
          </Button>
          <Link href={save.kind === 'create' ? '/estimates' : `/estimates/${save.estimateId}`} className={buttonClass('ghost')}>
            Cancel
          </Link>
        </div>
      </Card>
    </form>
  );
}
