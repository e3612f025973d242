import { cn } from '@/components/ui/cn';
import { auditPeriodLabel } from './audit-format';

/** The summary's period as links (the page renders it on the server): the current one is marked. */
export function AuditPeriodLinks({ periods, current, hrefOf }: { periods: readonly string[]; current: string; hrefOf: (period: string) => string }) {
  return (
    <nav aria-label="Summary period">
      <ul className="flex flex-wrap gap-1 rounded-md bg-slate-100 p-1">
        {periods.map((period) => (
          <li key={period}>
            <a
              href={hrefOf(period)}
              aria-current={period === current ? 'true' : undefined}
              className={cn(
                'block rounded px-2.5 py-1 text-xs font-medium',
                period === current ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-600 hover:text-slate-900',
              )}
            >
              {period}
              <span className="sr-only"> ({auditPeriodLabel(period)})</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
