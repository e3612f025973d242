import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { formatCents, formatDate } from '@/components/ui/format';
import { Table, Td, Th } from '@/components/ui/table';
import type { TEstimate } from '@/lib/estimates';
import { placeOf } from './similar-results';

/** The list page's table: one row per estimate, newest (or the chosen order) first. */
export function EstimateTable({ estimates }: { estimates: TEstimate[] }) {
  return (
    <Table caption="Estimates">
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Project</Th>
          <Th>Location</Th>
          <Th className="text-right">Materials</Th>
          <Th className="text-right">Total</Th>
          <Th>Created</Th>
          <Th>Search index</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {estimates.map((estimate) => (
          <tr key={estimate.id}>
            <Td>
              <Link href={`/estimates/${estimate.id}`} className="font-medium text-brand hover:underline">
                {estimate.name}
              </Link>
            </Td>
            <Td>{estimate.project}</Td>
            <Td className="whitespace-nowrap">{placeOf(estimate.location.city, estimate.location.country)}</Td>
            <Td className="text-right tabular-nums">{estimate.materials.length}</Td>
            <Td className="text-right whitespace-nowrap tabular-nums">{formatCents(estimate.totalCostCents, estimate.currency)}</Td>
            <Td className="whitespace-nowrap">{formatDate(estimate.createdAt)}</Td>
            <Td>{estimate.embeddingVersion === null ? <Badge tone="amber">indexing</Badge> : <Badge tone="green">indexed</Badge>}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
