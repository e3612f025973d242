'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { formatBytes, formatCents, formatNumber } from '@/components/ui/format';
import { useConfirmedAction } from '@/components/ui/use-confirmed-action';
import type { TActionResult } from '@/lib/api';
import type { TPlan, TPlanChangeResult } from '@/lib/billing';

/**
 * The plans on offer, the current one marked. Owners switch after confirming: the change is immediate and the
 * next invoice charges each plan for the part of the month it was in force. With Stripe, an upgrade goes
 * through Checkout first (the browser is sent there).
 */
export function PlanPicker({
  plans,
  currentPlanId,
  canChange,
  changePlan,
}: {
  plans: TPlan[];
  currentPlanId: string;
  canChange: boolean;
  changePlan: (input: { plan: TPlan['id'] }) => Promise<TActionResult<TPlanChangeResult>>;
}) {
  const router = useRouter();
  const { ask, dialog, isPending } = useConfirmedAction(changePlan, (result) => {
    if (result.kind === 'checkout') window.location.assign(result.checkoutUrl);
    else router.refresh();
  });
  const current = plans.find((plan) => plan.id === currentPlanId);

  function choose(plan: TPlan) {
    ask(
      { plan: plan.id },
      {
        title: `Switch to ${plan.name}?`,
        description: `${plan.name} costs ${formatCents(plan.priceCents)} a month${current ? ` (${current.name}: ${formatCents(current.priceCents)})` : ''}. Its limits apply to everyone in this organisation at once, and this month's invoice charges each plan for the days it was in force.`,
        confirmLabel: `Switch to ${plan.name}`,
        pendingLabel: 'Switching…',
        tone: 'primary',
      },
      (result) =>
        result.kind === 'checkout' ? null : { message: result.kind === 'changed' ? `You are now on ${plan.name}.` : `You are already on ${plan.name}.` },
    );
  }

  return (
    <div className="space-y-3">
      <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
        {plans.map((plan) => {
          const isCurrent = plan.id === currentPlanId;
          return (
            <li key={plan.id} className={`rounded-lg p-4 ring-1 ${isCurrent ? 'bg-slate-50 ring-brand' : 'ring-slate-200'}`} aria-current={isCurrent ? 'true' : undefined}>
              <h3 className="font-semibold text-slate-900">{plan.name}</h3>
              <p className="mt-1 text-xl font-semibold text-slate-900 tabular-nums">
                {formatCents(plan.priceCents)}
                <span className="text-sm font-normal text-slate-500"> / month</span>
              </p>
              <ul className="mt-2 space-y-0.5 text-sm text-slate-600">
                <li>{formatNumber(plan.filesPerMonth)} files a month</li>
                <li>{formatBytes(plan.storageBytes)} storage</li>
                <li>{formatNumber(plan.apiCallsPerMonth)} API calls a month</li>
                <li className="text-xs text-slate-500">
                  Over: {formatCents(plan.extraFileCents)}/file, {formatCents(plan.storageGibMonthCents)}/GiB-month, {formatCents(plan.per1kApiCallsCents)}/1,000 calls
                  {plan.isHardLimit ? '; API calls stop at the limit' : '; never blocked'}
                </li>
              </ul>
              <div className="mt-3">
                {isCurrent ? (
                  <p className="text-sm font-medium text-brand">Current plan</p>
                ) : canChange ? (
                  <Button variant="secondary" size="sm" disabled={isPending} onClick={() => choose(plan)}>
                    Switch to {plan.name}
                  </Button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
      {!canChange && <p className="text-sm text-slate-500">Only an owner can change the plan.</p>}
      {dialog}
    </div>
  );
}
