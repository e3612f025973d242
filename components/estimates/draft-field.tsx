import type { InputHTMLAttributes } from 'react';
import { Field, describedBy } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

interface TDraftFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  value: string;
  onValue: (value: string) => void;
}

/** A labelled text input of an estimate form with its hint and error. */
export function DraftField({ id, label, hint, error, value, onValue, className, ...rest }: TDraftFieldProps) {
  return (
    <Field htmlFor={id} label={label} hint={hint} error={error} className={className}>
      <Input
        id={id}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { hint, error })}
        {...rest}
      />
    </Field>
  );
}
