'use client';

import Link from 'next/link';
import { useSelectedLayoutSegment } from 'next/navigation';
import { cn } from '@/components/ui/cn';

const ITEMS = [
  { href: '/admin', label: 'Tenants', segment: null },
  { href: '/admin/users', label: 'Users', segment: 'users' },
  { href: '/admin/archival', label: 'Archival', segment: 'archival' },
  { href: '/admin/plans', label: 'Plans', segment: 'plans' },
  { href: '/admin/invoices', label: 'Invoices', segment: 'invoices' },
  { href: '/admin/errors', label: 'Errors', segment: 'errors' },
  { href: '/admin/vectors', label: 'Vectors', segment: 'vectors' },
  { href: '/admin/audit', label: 'Audit', segment: 'audit' },
];

export function AdminNav() {
  const segment = useSelectedLayoutSegment();
  const active = segment && !segment.startsWith('__PAGE__') ? segment : null;
  return (
    <nav aria-label="Console sections" className="flex gap-1 text-sm">
      {ITEMS.map((item) => (
        <Link
          key={item.href}
          href={item.href}
          aria-current={item.segment === active ? 'page' : undefined}
          className={cn(
            'rounded-md px-3 py-1.5 font-medium',
            item.segment === active ? 'bg-white/15 text-white' : 'text-slate-300 hover:bg-white/10 hover:text-white',
          )}
        >
          {item.label}
        </Link>
      ))}
    </nav>
  );
}
