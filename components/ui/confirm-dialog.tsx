'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { Alert } from './alert';
import { Button } from './button';
import { Input } from './input';

export interface TConfirmation {
  /** The question: "Revoke the key ci-deploy?" */
  title: string;
  /** What will happen, and to whom. */
  description: ReactNode;
  /** Names the action ("Revoke key"), never "OK". */
  confirmLabel: string;
  pendingLabel: string;
  /** Adds "This cannot be undone." */
  isIrreversible?: boolean;
  /** Keeps the confirm button disabled until exactly this (a tenant's slug) is typed. */
  typeToConfirm?: string;
  /** Red, unless the action only gives or restores something. */
  tone?: 'danger' | 'primary';
}

interface TConfirmDialogProps {
  confirmation: TConfirmation;
  isPending: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question before an action that changes someone else's access or money, or deletes something.
 * A native <dialog> opened with showModal(): the rest of the page is inert, Escape cancels, focus starts on the
 * typed field or on Cancel (never on the action) and goes back to where it was when the dialog closes.
 */
export function ConfirmDialog({ confirmation, isPending, error, onConfirm, onCancel }: TConfirmDialogProps) {
  const { title, description, confirmLabel, pendingLabel, isIrreversible, typeToConfirm, tone = 'danger' } = confirmation;
  const id = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const typedRef = useRef<HTMLInputElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [typed, setTyped] = useState('');
  const isTypedRight = typeToConfirm === undefined || typed === typeToConfirm;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    (typedRef.current ?? cancelRef.current)?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return createPortal(
    <dialog
      ref={dialogRef}
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-description`}
      // Escape: cancel through our own state (or not at all while the action runs), so React stays in charge.
      onCancel={(e) => {
        e.preventDefault();
        if (!isPending) onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-0 text-slate-900 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/50"
    >
      <form
        className="space-y-4 p-5"
        onSubmit={(e) => {
          // The dialog is portalled, but React still bubbles its submit to any form the opener sits in.
          e.preventDefault();
          e.stopPropagation();
          if (isTypedRight && !isPending) onConfirm();
        }}
      >
        <h2 id={`${id}-title`} className="text-base font-semibold">
          {title}
        </h2>
        <div id={`${id}-description`} className="space-y-2 text-sm text-slate-600">
          <div>{description}</div>
          {isIrreversible && <p className="font-medium text-slate-800">This cannot be undone.</p>}
        </div>
        {typeToConfirm !== undefined && (
          <div className="space-y-1.5">
            <label htmlFor={`${id}-typed`} className="block text-sm font-medium text-slate-800">
              Type <span className="font-mono">{typeToConfirm}</span> to confirm
            </label>
            <Input
              ref={typedRef}
              id={`${id}-typed`}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              className="font-mono"
            />
          </div>
        )}
        {error && <Alert>{error}</Alert>}
        <div className="flex flex-wrap justify-end gap-2">
          <Button ref={cancelRef} variant="secondary" disabled={isPending} onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant={tone} disabled={!isTypedRight} isPending={isPending} pendingLabel={pendingLabel}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>,
    document.body,
  );
}
