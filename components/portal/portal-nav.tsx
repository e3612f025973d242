'use client';

import Link from 'next/link';
import { useSelectedLayoutSegment } from 'next/navigation';
import { useState } from 'react';
import { cn } from '@/components/ui/cn';

export interface TNavItem {
  href: string;
  label: string;
}

/** The portal's section links: a sidebar from md up, a collapsible list under a Menu button on phones. */
export function PortalNav({ items }: { items: TNavItem[] }) {
  const segment = useSelectedLayoutSegment();
  const [isOpen, setIsOpen] = useState(false);
  const active = !segment || segment.startsWith('__PAGE__') ? '/' : `/${segment}`;
  const current = items.find((i) => i.href === active);

  return (
    <nav aria-label="Sections" className="border-b border-slate-200 bg-white md:w-56 md:shrink-0 md:border-r md:border-b-0">
      <button
        type="button"
        className="flex w-full items-center justify-between px-4 py-3 text-sm font-medium text-slate-700 md:hidden"
        aria-expanded={isOpen}
        aria-controls="portal-nav-list"
        onClick={() => setIsOpen((open) => !open)}
      >
        <span>Menu{current ? `: ${current.label}` : ''}</span>
        <svg viewBox="0 0 20 20" className="h-5 w-5" aria-hidden="true">
          {isOpen ? (
            <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          ) : (
            <path d="M3 6h14M3 10h14M3 14h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          )}
        </svg>
      </button>
      <ul id="portal-nav-list" className={cn('space-y-0.5 px-2 pb-3 md:block md:py-4', isOpen ? 'block' : 'hidden')}>
        {items.map((item) => {
          const isActive = item.href === active;
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={isActive ? 'page' : undefined}
                onClick={() => setIsOpen(false)}
                className={cn(
                  'block rounded-md px-3 py-2 text-sm font-medium',
                  isActive ? 'bg-brand/10 text-brand' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900',
                )}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
