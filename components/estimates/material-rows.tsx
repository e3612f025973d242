'use client';

import { formatCents } from '@/components/ui/format';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, Td, Th } from '@/components/ui/table';
// eslint-disable-next-line no-restricted-imports -- index.ts re-exports server-only modules; model.ts is pure, and the live total must use the server's arithmetic.
import { lineCostCents } from '@/lib/estimates/model';
import { emptyMaterial, type TFieldErrors, type TMaterialDraft } from './draft';
import { parseAmount, parseMoneyToCents } from './money';

interface TMaterialRowsProps {
  /** Prefix of the inputs' ids, unique on the page. */
  idPrefix: string;
  rows: TMaterialDraft[];
  onChange: (rows: TMaterialDraft[]) => void;
  /** Canonical units (ESTIMATE_UNITS' keys). */
  units: readonly string[];
  currency: string;
  errors: TFieldErrors;
  /** Hides the line totals (the similarity search has no total to show). */
  showLineTotals?: boolean;
}

type TColumn = { field: keyof Omit<TMaterialDraft, 'key'>; path: string; label: string; className: string; inputMode?: 'decimal' };

const COLUMNS: TColumn[] = [
  { field: 'name', path: 'name', label: 'name', className: 'min-w-44' },
  { field: 'category', path: 'category', label: 'category', className: 'min-w-32' },
  { field: 'quantity', path: 'quantity', label: 'quantity', className: 'min-w-24', inputMode: 'decimal' },
  { field: 'unit', path: 'unit', label: 'unit', className: 'min-w-28' },
  { field: 'unitCost', path: 'unitCostCents', label: 'unit cost', className: 'min-w-28', inputMode: 'decimal' },
];

/** Editable material lines: add and remove rows, each field's error under it, and each line's cost as typed. */
export function MaterialRows({ idPrefix, rows, onChange, units, currency, errors, showLineTotals = true }: TMaterialRowsProps) {
  const update = (index: number, field: TColumn['field'], value: string) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  const remove = (index: number) => onChange(rows.filter((_, i) => i !== index));

  return (
    <div className="space-y-3">
      <Table caption="Materials">
        <thead>
          <tr>
            <Th>Material</Th>
            <Th>Category</Th>
            <Th>Quantity</Th>
            <Th>Unit</Th>
            <Th>Unit cost ({currency || '—'})</Th>
            {showLineTotals && <Th className="text-right">Line total</Th>}
            <Th>
              <span className="sr-only">Remove</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row, index) => {
            const quantity = parseAmount(row.quantity) ?? 0;
            const unitCostCents = parseMoneyToCents(row.unitCost) ?? 0;
            return (
              <tr key={row.key} className="align-top">
                {COLUMNS.map((column) => {
                  const id = `${idPrefix}-${index}-${column.field}`;
                  const error = errors[`materials.${index}.${column.path}`];
                  const label = `Material ${index + 1} ${column.label}`;
                  const common = {
                    id,
                    'aria-label': label,
                    'aria-invalid': error ? true : undefined,
                    'aria-describedby': error ? `${id}-error` : undefined,
                    value: row[column.field],
                  } as const;
                  return (
                    <Td key={column.field} className={`px-2 py-2 ${column.className}`}>
                      {column.field === 'unit' ? (
                        <Select {...common} onChange={(e) => update(index, column.field, e.target.value)}>
                          {!units.includes(row.unit) && <option value={row.unit}>{row.unit}</option>}
                          {units.map((unit) => (
                            <option key={unit} value={unit}>
                              {unit}
                            </option>
                          ))}
                        </Select>
                      ) : (
                        <Input {...common} inputMode={column.inputMode} onChange={(e) => update(index, column.field, e.target.value)} />
                      )}
                      {error && (
                        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-600">
                          {error}
                        </p>
                      )}
                    </Td>
                  );
                })}
                {showLineTotals && (
                  <Td className="px-2 py-2 pt-4 text-right whitespace-nowrap tabular-nums">
                    {formatCents(lineCostCents(quantity, unitCostCents), currency)}
                  </Td>
                )}
                <Td className="px-2 py-2">
                  <Button variant="ghost" size="sm" aria-label={`Remove material ${index + 1}`} onClick={() => remove(index)} disabled={rows.length === 1}>
                    Remove
                  </Button>
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {errors.materials && <p className="text-xs font-medium text-red-600">Materials: {errors.materials}</p>}
      <Button variant="secondary" size="sm" onClick={() => onChange([...rows, emptyMaterial()])}>
        Add material
      </Button>
    </div>
  );
}
