import type { ReactNode } from 'react';
import { cn } from './cn';

export type TAlertTone = 'error' | 'success' | 'info' | 'warning';

const TONES: Record<TAlertTone, string> = {
  error: 'bg-red-50 text-red-800 ring-red-200',
  success: 'bg-green-50 text-green-800 ring-green-200',
  info: 'bg-blue-50 text-blue-800 ring-blue-200',
  warning: 'bg-amber-50 text-amber-900 ring-amber-200',
};

/** Errors are announced at once (role="alert"); other messages politely (role="status"). */
export function Alert({ tone = 'error', title, className, children }: { tone?: TAlertTone; title?: string; className?: string; children?: ReactNode }) {
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={cn('rounded-md px-3 py-2.5 text-sm ring-1 ring-inset', TONES[tone], className)}>
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? 'mt-0.5' : undefined}>{children}</div>}
    </div>
  );
}
