'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { TConfirmation } from '@/components/ui/confirm-dialog';
import { useConfirmedAction } from '@/components/ui/use-confirmed-action';
import { changeInvoiceStatusAction, runInvoicesAction, type TInvoiceRunOutcome } from './actions';

export type TInvoiceMove = 'open' | 'paid' | 'void' | 'uncollectible';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function describeRun(outcome: TInvoiceRunOutcome): string {
  if (outcome.queued) return `Queued the run for ${outcome.period}. Invoices appear here as the worker creates them.`;
  const parts = [
    `${plural(outcome.created, 'invoice')} created`,
    `${outcome.existing} already invoiced`,
    ...(outcome.failed > 0 ? [`${outcome.failed} failed (see the server log)`] : []),
    ...(outcome.pushedToStripe > 0 ? [`${outcome.pushedToStripe} pushed to Stripe`] : []),
  ];
  return `Ran ${outcome.period} for ${plural(outcome.tenants, 'tenant')}: ${parts.join(', ')}.`;
}

/** Invoices a month that has ended for every active tenant, after confirming; repeating it creates nothing new. */
export function RunInvoicesForm({ defaultPeriod }: { defaultPeriod: string }) {
  const router = useRouter();
  const [period, setPeriod] = useState(defaultPeriod);
  const [outcome, setOutcome] = useState<TInvoiceRunOutcome | null>(null);
  const { ask, dialog, isPending } = useConfirmedAction(runInvoicesAction, (result) => {
    setOutcome(result);
    router.refresh();
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOutcome(null);
    ask(
      { period },
      {
        title: `Invoice ${period} for every tenant?`,
        description: `Every active tenant that existed in ${period} gets its invoice for the month, issued today and sent to Stripe when Stripe is set up. Tenants already invoiced for ${period} are skipped.`,
        confirmLabel: 'Run invoices',
        pendingLabel: 'Running…',
        tone: 'primary',
      },
      // Told below the form, where the run's counts fit.
      () => null,
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Run invoices" className="space-y-3">
      <div className="flex flex-wrap items-start gap-3">
        <Field htmlFor="invoice-run-period" label="Month to invoice" hint="YYYY-MM, a month that has ended.">
          <Input
            id="invoice-run-period"
            type="month"
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            placeholder="YYYY-MM"
            pattern="\d{4}-\d{2}"
            required
            aria-describedby={describedBy('invoice-run-period', { hint: true })}
            className="w-44"
          />
        </Field>
        {/* Level with the input (below its label), whatever the hint under it adds. */}
        <div className="pt-6.5">
          <Button type="submit" disabled={isPending}>
            Run invoices
          </Button>
        </div>
      </div>
      {outcome && <Alert tone={!outcome.queued && outcome.failed > 0 ? 'warning' : 'success'}>{describeRun(outcome)}</Alert>}
      {dialog}
    </form>
  );
}

const MOVES: Record<TInvoiceMove, { label: string; confirmation: (name: string) => TConfirmation; done: (name: string) => string }> = {
  open: {
    label: 'Finalize',
    confirmation: (name) => ({
      title: `Finalize ${name}?`,
      description: 'It gets its number, is issued today and falls due for payment; with Stripe it is sent to the tenant. It cannot go back to draft.',
      confirmLabel: 'Finalize invoice',
      pendingLabel: 'Finalizing…',
      tone: 'primary',
    }),
    done: (name) => `Finalized ${name}.`,
  },
  paid: {
    label: 'Mark paid',
    confirmation: (name) => ({
      title: `Mark ${name} paid?`,
      description: 'The tenant owes nothing more for it; with Stripe, Stripe records it as paid outside Stripe.',
      confirmLabel: 'Mark paid',
      pendingLabel: 'Marking…',
      isIrreversible: true,
      tone: 'primary',
    }),
    done: (name) => `Marked ${name} paid.`,
  },
  uncollectible: {
    label: 'Uncollectible',
    confirmation: (name) => ({
      title: `Mark ${name} uncollectible?`,
      description: 'The tenant is no longer asked to pay it (Stripe too). It can still be marked paid or voided later.',
      confirmLabel: 'Mark uncollectible',
      pendingLabel: 'Marking…',
    }),
    done: (name) => `Marked ${name} uncollectible.`,
  },
  void: {
    label: 'Void',
    confirmation: (name) => ({
      title: `Void ${name}?`,
      description: 'The invoice is cancelled: the tenant owes nothing for it (Stripe too).',
      confirmLabel: 'Void invoice',
      pendingLabel: 'Voiding…',
      isIrreversible: true,
    }),
    done: (name) => `Voided ${name}.`,
  },
};

const MOVE_ORDER: readonly TInvoiceMove[] = ['open', 'paid', 'uncollectible', 'void'];

/** The moves the invoice's state allows (decided on the server with canMoveInvoice), each confirmed first. */
export function InvoiceRowActions({ invoiceId, name, moves }: { invoiceId: string; name: string; moves: readonly TInvoiceMove[] }) {
  const { ask, dialog, isPending } = useConfirmedAction(changeInvoiceStatusAction);
  const available = MOVE_ORDER.filter((to) => moves.includes(to));
  if (available.length === 0) return null;

  return (
    <div className="flex flex-wrap justify-end gap-2">
      {available.map((to) => (
        <Button
          key={to}
          size="sm"
          variant="secondary"
          disabled={isPending}
          onClick={() => ask({ invoiceId, status: to }, MOVES[to].confirmation(name), () => ({ message: MOVES[to].done(name) }))}
        >
          {MOVES[to].label}
          <span className="sr-only"> {name}</span>
        </Button>
      ))}
      {dialog}
    </div>
  );
}
