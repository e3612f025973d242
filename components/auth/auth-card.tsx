import type { ReactNode } from 'react';

/** The centred card of the sign-in, sign-up and invitation pages. */
export function AuthCard({ title, description, footer, children }: { title: string; description?: ReactNode; footer?: ReactNode; children?: ReactNode }) {
  return (
    <div className="flex justify-center px-4 py-12 sm:py-16">
      <div className="w-full max-w-md">
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {description && <div className="mt-1.5 text-sm text-slate-600">{description}</div>}
          {children && <div className="mt-6">{children}</div>}
        </div>
        {footer && <div className="mt-4 text-center text-sm text-slate-600">{footer}</div>}
      </div>
    </div>
  );
}
