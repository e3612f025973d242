'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useAction } from '@/components/ui/use-action';
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

/** Invoices a month that has ended for every active tenant; repeating it creates nothing new. */
export function RunInvoicesForm({ defaultPeriod }: { defaultPeriod: string }) {
  const router = useRouter();
  const [period, setPeriod] = useState(defaultPeriod);
  const [outcome, setOutcome] = useState<TInvoiceRunOutcome | null>(null);
  const { run, isPending, error, fieldErrors } = useAction(runInvoicesAction);
  const periodError = fieldErrors.period;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOutcome(null);
    const result = await run({ period }, () => router.refresh());
    if (result) setOutcome(result);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Run invoices" className="space-y-3">
      <div className="flex flex-wrap items-start gap-3">
        <Field htmlFor="invoice-run-period" label="Month to invoice" error={periodError} hint="YYYY-MM, a month that has ended.">
          <Input
            id="invoice-run-period"
            type="month"
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            placeholder="YYYY-MM"
            pattern="\d{4}-\d{2}"
            required
            aria-invalid={periodError ? true : undefined}
            aria-describedby={describedBy('invoice-run-period', { hint: true, error: periodError })}
            className="w-44"
          />
        </Field>
        {/* Level with the input (below its label), whatever the hint and error under it add. */}
        <div className="pt-6.5">
          <Button type="submit" isPending={isPending} pendingLabel="Running…">
            Run invoices
          </Button>
        </div>
      </div>
      {error && !periodError && <Alert>{error.message}</Alert>}
      {outcome && <Alert tone={!outcome.queued && outcome.failed > 0 ? 'warning' : 'success'}>{describeRun(outcome)}</Alert>}
    </form>
  );
}

const MOVES: { to: TInvoiceMove; label: string; pendingLabel: string }[] = [
  { to: 'open', label: 'Finalize', pendingLabel: 'Finalizing…' },
  { to: 'paid', label: 'Mark paid', pendingLabel: 'Marking…' },
  { to: 'uncollectible', label: 'Uncollectible', pendingLabel: 'Marking…' },
  { to: 'void', label: 'Void', pendingLabel: 'Voiding…' },
];

/**
 * The moves the invoice's state allows (decided on the server with canMoveInvoice). Void cannot be undone,
 * so it asks for a second click first.
 */
export function InvoiceRowActions({ invoiceId, name, moves }: { invoiceId: string; name: string; moves: readonly TInvoiceMove[] }) {
  const router = useRouter();
  const [pendingMove, setPendingMove] = useState<TInvoiceMove | null>(null);
  const [isConfirmingVoid, setIsConfirmingVoid] = useState(false);
  const { run, isPending, error } = useAction(changeInvoiceStatusAction);

  const move = (to: TInvoiceMove) => {
    setPendingMove(to);
    void run({ invoiceId, status: to }, () => router.refresh()).then(() => {
      setPendingMove(null);
      setIsConfirmingVoid(false);
    });
  };
  const available = MOVES.filter((m) => moves.includes(m.to));
  if (available.length === 0) return null;

  return (
    <div className="flex flex-col items-end gap-1">
      {isConfirmingVoid ? (
        <div className="flex items-center gap-2">
          <span className="text-xs whitespace-nowrap text-slate-600">Void {name}? This cannot be undone.</span>
          <Button size="sm" variant="danger" isPending={isPending} pendingLabel="Voiding…" onClick={() => move('void')}>
            Void invoice
          </Button>
          <Button size="sm" variant="ghost" disabled={isPending} onClick={() => setIsConfirmingVoid(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap justify-end gap-2">
          {available.map((m) => (
            <Button
              key={m.to}
              size="sm"
              variant="secondary"
              disabled={isPending}
              isPending={isPending && pendingMove === m.to}
              pendingLabel={m.pendingLabel}
              onClick={m.to === 'void' ? () => setIsConfirmingVoid(true) : () => move(m.to)}
            >
              {m.label}
              <span className="sr-only"> {name}</span>
            </Button>
          ))}
        </div>
      )}
      {error && (
        <p role="alert" className="max-w-64 text-right text-xs text-red-600">
          {error.message}
        </p>
      )}
    </div>
  );
}
