'use client';

import type { TPlanId } from '@/db/schema/tenancy';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/select';
import { useConfirmedAction } from '@/components/ui/use-confirmed-action';
import { changeTenantPlanAction, setTenantActiveAction } from './actions';

type TPlanOption = { id: TPlanId; name: string };

/** The tenant's plan; choosing another asks first, and the message afterwards can move it back. */
export function TenantPlanSelect({ tenantId, slug, plan, plans }: { tenantId: string; slug: string; plan: TPlanId; plans: TPlanOption[] }) {
  const { ask, dialog, isPending } = useConfirmedAction(changeTenantPlanAction);
  const id = `plan-${tenantId}`;
  const nameOf = (planId: TPlanId) => plans.find((p) => p.id === planId)?.name ?? planId;

  function choose(next: TPlanId) {
    ask(
      { tenantId, plan: next },
      {
        title: `Move ${slug} to the ${nameOf(next)} plan?`,
        description: `Its storage and API quotas become the ${nameOf(next)} plan's at once, and this month's invoice charges each plan for the days it was in force.`,
        confirmLabel: `Move to ${nameOf(next)}`,
        pendingLabel: 'Moving…',
        tone: 'primary',
      },
      (moved) => ({
        message: `Moved ${slug} from ${nameOf(moved.previousPlan)} to ${nameOf(moved.plan)}.`,
        undo: moved.previousPlan === moved.plan ? undefined : {
          run: () => changeTenantPlanAction({ tenantId, plan: moved.previousPlan }),
          message: `Moved ${slug} back to ${nameOf(moved.previousPlan)}.`,
        },
      }),
    );
  }

  return (
    <div className="min-w-36">
      <label htmlFor={id} className="sr-only">
        Plan for {slug}
      </label>
      {/* Shows the plan in force: a choice only takes effect once confirmed (and the page refreshes). */}
      <Select id={id} value={plan} disabled={isPending} onChange={(e) => choose(e.target.value as TPlanId)} className="py-1.5">
        {plans.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      {dialog}
    </div>
  );
}

/** Deactivating asks for the tenant's slug to be typed and can be undone; reactivating asks plainly. */
export function TenantActiveButton({ tenantId, slug, memberCount, isActive }: { tenantId: string; slug: string; memberCount: number; isActive: boolean }) {
  const { ask, dialog } = useConfirmedAction(setTenantActiveAction);
  const members = `${memberCount} ${memberCount === 1 ? 'member' : 'members'}`;
  const toggle = () =>
    isActive
      ? ask(
          { tenantId, isActive: false },
          {
            title: `Deactivate ${slug}?`,
            description: `Its portal and API stop answering at once: its ${members} cannot sign in and its API keys stop working. Nothing is deleted; reactivating brings it all back.`,
            confirmLabel: 'Deactivate tenant',
            pendingLabel: 'Deactivating…',
            typeToConfirm: slug,
          },
          () => ({
            message: `Deactivated ${slug}.`,
            undo: { run: () => setTenantActiveAction({ tenantId, isActive: true }), message: `Reactivated ${slug}.` },
          }),
        )
      : ask(
          { tenantId, isActive: true },
          {
            title: `Reactivate ${slug}?`,
            description: `Its portal and API answer again, and its ${members} can sign in with their existing accounts and keys.`,
            confirmLabel: 'Reactivate tenant',
            pendingLabel: 'Reactivating…',
            tone: 'primary',
          },
          // No Undo: deactivating again goes through the typed slug.
          () => ({ message: `Reactivated ${slug}.` }),
        );

  return (
    <>
      <Button size="sm" variant={isActive ? 'secondary' : 'primary'} onClick={toggle}>
        {isActive ? 'Deactivate' : 'Reactivate'}
        <span className="sr-only"> {slug}</span>
      </Button>
      {dialog}
    </>
  );
}
