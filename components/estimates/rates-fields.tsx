'use client';

import { DraftField } from './draft-field';
import type { TFieldErrors, TRatesDraft } from './draft';

interface TRatesFieldsProps {
  idPrefix: string;
  rates: TRatesDraft;
  onChange: (rates: TRatesDraft) => void;
  currency: string;
  errors: TFieldErrors;
}

/** Labour and equipment: an hourly rate in currency units and a number of hours each (empty means 0). */
export function RatesFields({ idPrefix, rates, onChange, currency, errors }: TRatesFieldsProps) {
  const set = (field: keyof TRatesDraft) => (value: string) => onChange({ ...rates, [field]: value });
  const unit = currency || 'currency';
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
      <DraftField
        id={`${idPrefix}-labor-rate`}
        label={`Labour rate (${unit}/h)`}
        inputMode="decimal"
        value={rates.laborRate}
        onValue={set('laborRate')}
        error={errors.laborRateCents}
      />
      <DraftField id={`${idPrefix}-labor-hours`} label="Labour hours" inputMode="decimal" value={rates.laborHours} onValue={set('laborHours')} error={errors.laborHours} />
      <DraftField
        id={`${idPrefix}-equipment-rate`}
        label={`Equipment rate (${unit}/h)`}
        inputMode="decimal"
        value={rates.equipmentRate}
        onValue={set('equipmentRate')}
        error={errors.equipmentRateCents}
      />
      <DraftField
        id={`${idPrefix}-equipment-hours`}
        label="Equipment hours"
        inputMode="decimal"
        value={rates.equipmentHours}
        onValue={set('equipmentHours')}
        error={errors.equipmentHours}
      />
    </div>
  );
}
