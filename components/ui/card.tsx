import type { ReactNode } from 'react';
import { cn } from './cn';

export interface TCardProps {
  title?: ReactNode;
  description?: ReactNode;
  /** Buttons or links shown at the right of the title. */
  actions?: ReactNode;
  className?: string;
  /** Removes the body padding, for tables that run edge to edge. */
  isFlush?: boolean;
  children?: ReactNode;
}

export function Card({ title, description, actions, className, isFlush = false, children }: TCardProps) {
  return (
    <section className={cn('rounded-lg bg-white shadow-sm ring-1 ring-slate-200', className)}>
      {(title || actions) && (
        <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-4 py-3 sm:px-5">
          <div>
            {title && <h2 className="text-base font-semibold text-slate-900">{title}</h2>}
            {description && <p className="mt-0.5 text-sm text-slate-500">{description}</p>}
          </div>
          {actions}
        </header>
      )}
      <div className={isFlush ? undefined : 'p-4 sm:p-5'}>{children}</div>
    </section>
  );
}
