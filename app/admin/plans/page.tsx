import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { formatBytes, formatCents, formatDateTime, formatNumber } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { listPlans } from '@/lib/billing';
import { withPlatform } from '@/lib/tenancy';
import { isOperator } from '../operator';
import { PlanEditor } from './plan-editor';

export const metadata: Metadata = { title: 'Plans' };

export default async function AdminPlansPage() {
  if (!(await isOperator())) return null;
  const plans = await withPlatform((tx) => listPlans(tx));

  return (
    <>
      <PageHeader
        title="Plans"
        description="Prices, limits and overage prices. New tenants and plan changes get the storage and API quotas shown here; tenants already on a plan keep theirs until they change plan. Requests per minute (within a minute), invitations per day and the cap on estimates (at once) apply to every tenant on the plan."
      />
      <Card isFlush className="mb-6">
        <Table caption="Plans">
          <thead>
            <tr>
              <Th>Plan</Th>
              <Th className="text-right">Price / month</Th>
              <Th className="text-right">Files / month</Th>
              <Th className="text-right">Storage</Th>
              <Th className="text-right">API calls / month</Th>
              <Th className="text-right">Extra file</Th>
              <Th className="text-right">GiB-month</Th>
              <Th className="text-right">1,000 calls</Th>
              <Th className="text-right">Requests / min</Th>
              <Th className="text-right">Invitations / day</Th>
              <Th className="text-right">Estimates</Th>
              <Th>Over limit</Th>
              <Th>Updated</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {plans.map((plan) => (
              <tr key={plan.id}>
                <Td className="font-medium text-slate-900">
                  {plan.name} {!plan.isActive && <Badge tone="neutral">Not offered</Badge>}
                </Td>
                <Td className="text-right tabular-nums">{formatCents(plan.priceCents)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(plan.filesPerMonth)}</Td>
                <Td className="text-right tabular-nums">{formatBytes(plan.storageBytes)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(plan.apiCallsPerMonth)}</Td>
                <Td className="text-right tabular-nums">{formatCents(plan.extraFileCents)}</Td>
                <Td className="text-right tabular-nums">{formatCents(plan.storageGibMonthCents)}</Td>
                <Td className="text-right tabular-nums">{formatCents(plan.per1kApiCallsCents)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(plan.requestsPerMinute)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(plan.invitationsPerDay)}</Td>
                <Td className="text-right tabular-nums">{plan.maxEstimates === null ? 'No limit' : formatNumber(plan.maxEstimates)}</Td>
                <Td>{plan.isHardLimit ? <Badge tone="red">Blocked</Badge> : <Badge tone="blue">Billed</Badge>}</Td>
                <Td className="whitespace-nowrap">{formatDateTime(plan.updatedAt)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <Card title="Edit plans" description="Price in dollars, storage in GiB, overage prices in cents.">
        <ul className="divide-y divide-slate-100">
          {plans.map((plan) => (
            <li key={plan.id} className="py-4 first:pt-0 last:pb-0">
              <p className="mb-2 text-sm font-medium text-slate-900">{plan.name}</p>
              <PlanEditor key={`${plan.id}-${plan.updatedAt.toISOString()}`} plan={{ ...plan }} />
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
