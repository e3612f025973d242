import type { ComponentProps } from 'react';
import { cn } from './cn';

export type TButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';
export type TButtonSize = 'sm' | 'md';

const VARIANTS: Record<TButtonVariant, string> = {
  primary: 'bg-brand text-white shadow-sm hover:brightness-110 focus-visible:outline-brand',
  secondary: 'bg-white text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-brand',
  danger: 'bg-red-600 text-white shadow-sm hover:bg-red-500 focus-visible:outline-red-600',
  ghost: 'text-slate-700 hover:bg-slate-100 focus-visible:outline-brand',
};

const SIZES: Record<TButtonSize, string> = {
  sm: 'px-2.5 py-1.5 text-xs',
  md: 'px-3.5 py-2 text-sm',
};

/** The classes of a button, for links that should look like one. */
export function buttonClass(variant: TButtonVariant = 'primary', size: TButtonSize = 'md', className?: string): string {
  return cn(
    'inline-flex items-center justify-center gap-1.5 rounded-md font-medium whitespace-nowrap transition',
    'focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50',
    VARIANTS[variant],
    SIZES[size],
    className,
  );
}

export interface TButtonProps extends ComponentProps<'button'> {
  variant?: TButtonVariant;
  size?: TButtonSize;
  /** Shows the pending label and disables the button while an action runs. */
  isPending?: boolean;
  pendingLabel?: string;
}

export function Button({
  variant = 'primary',
  size = 'md',
  isPending = false,
  pendingLabel,
  className,
  type = 'button',
  disabled,
  children,
  ...rest
}: TButtonProps) {
  return (
    <button
      type={type}
      className={buttonClass(variant, size, className)}
      disabled={disabled || isPending}
      aria-busy={isPending || undefined}
      {...rest}
    >
      {isPending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
