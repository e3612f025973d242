import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn';
import { Input } from './input';

export interface TFieldProps {
  /** The id of the control inside: the label points at it and the hint and error are named after it. */
  htmlFor: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  className?: string;
  children: ReactNode;
}

/** The ids a control passes as aria-describedby so its hint and error are read with it. */
export function describedBy(id: string, opts: { hint?: unknown; error?: unknown }): string | undefined {
  const ids = [opts.hint ? `${id}-hint` : null, opts.error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** A label, the control, an optional hint and the control's error message. */
export function Field({ htmlFor, label, hint, error, className, children }: TFieldProps) {
  return (
    <div className={cn('space-y-1.5', className)}>
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${htmlFor}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${htmlFor}-error`} className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

type TInputFieldProps = Omit<ComponentProps<typeof Input>, 'id'> & Omit<TFieldProps, 'htmlFor' | 'children' | 'className'> & { id: string };

/** A Field holding one Input, its hint and error wired to it (aria-invalid, aria-describedby). */
export function InputField({ id, label, hint, error, ...inputProps }: TInputFieldProps) {
  return (
    <Field htmlFor={id} label={label} hint={hint} error={error}>
      <Input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, { hint, error })} {...inputProps} />
    </Field>
  );
}
