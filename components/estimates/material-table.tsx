import { EmptyState } from '@/components/ui/empty-state';
import { formatCents } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import { lineCostCents, type TEstimateMaterial } from '@/lib/estimates';

/** An estimate's material lines with each line's cost (rounded per line, as the total is). */
export function MaterialTable({ materials, currency, totalCents }: { materials: TEstimateMaterial[]; currency: string; totalCents: number }) {
  if (materials.length === 0) {
    return (
      <div className="p-4 sm:p-5">
        <EmptyState title="No material lines" description="This estimate is labour and equipment only." />
      </div>
    );
  }
  return (
    <Table caption="Materials">
      <thead>
        <tr>
          <Th>Material</Th>
          <Th>Category</Th>
          <Th className="text-right">Quantity</Th>
          <Th className="text-right">Unit cost</Th>
          <Th className="text-right">Line total</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {materials.map((material, index) => (
          <tr key={index}>
            <Td className="font-medium text-slate-900">{material.name}</Td>
            <Td>{material.category}</Td>
            <Td className="text-right whitespace-nowrap tabular-nums">
              {material.quantity} {material.unit}
            </Td>
            <Td className="text-right whitespace-nowrap tabular-nums">{formatCents(material.unitCostCents, currency)}</Td>
            <Td className="text-right whitespace-nowrap tabular-nums">{formatCents(lineCostCents(material.quantity, material.unitCostCents), currency)}</Td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="border-t border-slate-200">
          <Td colSpan={4} className="font-semibold text-slate-900">
            Materials total
          </Td>
          <Td className="text-right font-semibold whitespace-nowrap text-slate-900 tabular-nums">{formatCents(totalCents, currency)}</Td>
        </tr>
      </tfoot>
    </Table>
  );
}
