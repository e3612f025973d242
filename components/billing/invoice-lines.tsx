import { formatCents } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';

export interface TLineView {
  description: string;
  quantity: string;
  unit: string;
  unitPriceCents: number;
  amountCents: number;
}

/** "1.000000" → "1", "13.333333" → "13.333333", "1.134000" → "1.134": the exact quantity without trailing zeros. */
export const formatQuantity = (quantity: string) => (quantity.includes('.') ? quantity.replace(/\.?0+$/, '') : quantity);

/** Basis points as a percentage: 1000 → "10 %", 825 → "8.25 %". */
export const formatTaxRate = (bps: number) => `${Math.floor(bps / 100)}${bps % 100 ? `.${String(bps % 100).padStart(2, '0').replace(/0$/, '')}` : ''} %`;

/** An invoice's (or estimate's) lines with subtotal, tax and total; every amount is integer cents. */
export function InvoiceLines({
  lines,
  subtotalCents,
  taxRateBps,
  taxCents,
  totalCents,
  caption,
}: {
  lines: TLineView[];
  subtotalCents: number;
  taxRateBps: number;
  taxCents: number;
  totalCents: number;
  caption: string;
}) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Description</Th>
          <Th className="text-right">Quantity</Th>
          <Th className="text-right">Unit price</Th>
          <Th className="text-right">Amount</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {lines.map((line, index) => (
          <tr key={index}>
            <Td className="whitespace-normal">{line.description}</Td>
            <Td className="text-right tabular-nums whitespace-nowrap">
              {formatQuantity(line.quantity)} {line.unit}
            </Td>
            <Td className="text-right tabular-nums">{formatCents(line.unitPriceCents)}</Td>
            <Td className="text-right tabular-nums">{formatCents(line.amountCents)}</Td>
          </tr>
        ))}
      </tbody>
      <tfoot className="border-t border-slate-200">
        <tr>
          <Td colSpan={3} className="text-right font-medium">
            Subtotal
          </Td>
          <Td className="text-right tabular-nums">{formatCents(subtotalCents)}</Td>
        </tr>
        <tr>
          <Td colSpan={3} className="text-right font-medium">
            Tax ({formatTaxRate(taxRateBps)})
          </Td>
          <Td className="text-right tabular-nums">{formatCents(taxCents)}</Td>
        </tr>
        <tr>
          <Td colSpan={3} className="text-right font-semibold text-slate-900">
            Total
          </Td>
          <Td className="text-right font-semibold text-slate-900 tabular-nums">{formatCents(totalCents)}</Td>
        </tr>
      </tfoot>
    </Table>
  );
}
