'use client';

import { useState } from 'react';
import type { TActionResult } from '@/lib/api';
import { cn } from '@/components/ui/cn';
import { controlClass } from '@/components/ui/input';

export interface TSwitchTarget {
  slug: string;
  name: string;
}

/**
 * Lists the user's organisations; choosing one asks the server for a fresh handoff link (sessions are per
 * host) and goes there signed in.
 */
export function TenantSwitcher({
  current,
  tenants,
  switchTenant,
}: {
  current: string;
  tenants: TSwitchTarget[];
  switchTenant: (input: { slug: string }) => Promise<TActionResult<{ url: string }>>;
}) {
  const [value, setValue] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const [isPending, setIsPending] = useState(false);

  async function change(slug: string) {
    setValue(slug);
    if (slug === current) return;
    setIsPending(true);
    setError(null);
    const result = await switchTenant({ slug }).catch(() => null);
    if (result?.ok) {
      window.location.assign(result.data.url);
      return;
    }
    setError(result ? result.error.message : 'Could not switch organisation. Try again.');
    setValue(current);
    setIsPending(false);
  }

  return (
    <div className="flex min-w-0 flex-1 flex-col sm:flex-none">
      <label htmlFor="tenant-switcher" className="sr-only">
        Switch organisation
      </label>
      <select
        id="tenant-switcher"
        value={value}
        disabled={isPending}
        onChange={(e) => void change(e.target.value)}
        className={cn(controlClass, 'max-w-[16rem] py-1.5 pr-8')}
      >
        {tenants.map((t) => (
          <option key={t.slug} value={t.slug}>
            {t.name}
          </option>
        ))}
      </select>
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
