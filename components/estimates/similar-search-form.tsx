'use client';

import { useState, type FormEvent } from 'react';
import type { TActionResult } from '@/lib/api';
import type { TEstimateMaterial } from '@/lib/estimates';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { useAction } from '@/components/ui/use-action';
import { DraftField } from './draft-field';
import { emptyMaterial, emptyRates, fieldErrorsByPath, readMaterials, readRates, type TFieldErrors, type TMaterialDraft, type TRatesDraft } from './draft';
import { MaterialRows } from './material-rows';
import { RatesFields } from './rates-fields';
import { SimilarResults } from './similar-results';
import type { TSimilarView } from './similar-view';

export interface TSimilarSearchInput {
  materials: TEstimateMaterial[];
  location?: { country: string };
  currency?: string;
  laborRateCents: number;
  laborHours: number;
  equipmentRateCents: number;
  equipmentHours: number;
  limit: number;
}

interface TSimilarSearchFormProps {
  units: readonly string[];
  action: (input: TSimilarSearchInput) => Promise<TActionResult<TSimilarView>>;
}

/** Describe a job (materials, country, rates) and see the tenant's most similar estimates with a cost summary. */
export function SimilarSearchForm({ units, action }: TSimilarSearchFormProps) {
  const [materials, setMaterials] = useState<TMaterialDraft[]>(() => [emptyMaterial()]);
  const [rates, setRates] = useState<TRatesDraft>(emptyRates);
  const [country, setCountry] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [limit, setLimit] = useState('10');
  const [localErrors, setLocalErrors] = useState<TFieldErrors>({});
  const [view, setView] = useState<TSimilarView | null>(null);
  const { run, isPending, error, clearError } = useAction(action);
  const changeMaterials = (rows: TMaterialDraft[]) => {
    // Messages name rows by position: once a row is removed they would point at the wrong ones.
    if (rows.length < materials.length) {
      clearError();
      setLocalErrors({});
    }
    setMaterials(rows);
  };
  const errors = { ...fieldErrorsByPath(error?.fields), ...localErrors };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const read: TFieldErrors = {};
    const input: TSimilarSearchInput = {
      materials: readMaterials(materials, read),
      ...readRates(rates, read),
      location: country.trim() ? { country } : undefined,
      currency: currency.trim() || undefined,
      limit: Number(limit),
    };
    if (!/^\d+$/.test(limit.trim())) read.limit = 'must be a whole number from 1 to 50';
    setLocalErrors(read);
    if (Object.keys(read).length > 0) return;
    const found = await run(input);
    setView(found);
  }

  return (
    <div className="space-y-6">
      <form onSubmit={submit} noValidate aria-label="Find similar estimates" className="space-y-6">
        {error && !error.fields?.length && <Alert>{error.message}</Alert>}
        <Card title="Materials" description="The materials the job needs; names matter most, then each line's share of the cost." isFlush>
          <div className="p-2 sm:p-3">
            <MaterialRows idPrefix="search-material" rows={materials} onChange={changeMaterials} units={units} currency={currency} errors={errors} showLineTotals={false} />
          </div>
        </Card>
        <Card title="Where and how">
          <div className="space-y-4">
            <div className="grid gap-4 sm:grid-cols-3">
              <DraftField
                id="search-country"
                label="Country (optional)"
                hint="Two letters, e.g. DE"
                value={country}
                onValue={(value) => setCountry(value.toUpperCase())}
                error={errors['location.country']}
                maxLength={2}
              />
              <DraftField
                id="search-currency"
                label="Currency"
                hint="The summary's amounts are in it when results have it"
                value={currency}
                onValue={(value) => setCurrency(value.toUpperCase())}
                error={errors.currency}
                maxLength={3}
              />
              <DraftField id="search-limit" label="Results" hint="1 to 50" inputMode="numeric" value={limit} onValue={setLimit} error={errors.limit} />
            </div>
            <RatesFields idPrefix="search" rates={rates} onChange={setRates} currency={currency} errors={errors} />
            <Button type="submit" isPending={isPending} pendingLabel="Searching…">
              Find similar estimates
            </Button>
          </div>
        </Card>
      </form>
      {view && (
        <Card title="Similar estimates" description={`${view.summary.count} found, best first.`}>
          <SimilarResults view={view} caption="Similar estimates found" />
        </Card>
      )}
    </div>
  );
}
