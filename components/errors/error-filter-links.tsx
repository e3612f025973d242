import Link from 'next/link';
import { cn } from '@/components/ui/cn';

/** A choice kept in the URL (the page renders it on the server) as a row of links; the current one is marked. */
export function ErrorFilterLinks({
  label,
  options,
  current,
  hrefOf,
}: {
  label: string;
  options: readonly { value: string; label: string; description?: string }[];
  current: string;
  hrefOf: (value: string) => string;
}) {
  return (
    <nav aria-label={label} className="flex items-center gap-2">
      <span className="text-xs font-medium text-slate-500">{label}</span>
      <ul className="flex flex-wrap gap-1 rounded-md bg-slate-100 p-1">
        {options.map((option) => (
          <li key={option.value}>
            <Link
              href={hrefOf(option.value)}
              aria-current={option.value === current ? 'true' : undefined}
              className={cn(
                'block rounded px-2.5 py-1 text-xs font-medium',
                option.value === current ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-600 hover:text-slate-900',
              )}
            >
              {option.label}
              {option.description && <span className="sr-only"> ({option.description})</span>}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
