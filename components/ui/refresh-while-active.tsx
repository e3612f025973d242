'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the page every `intervalMs` while something (a run, a rebuild) is in progress, so its counters move. */
export function RefreshWhileActive({ isActive, intervalMs = 3_000 }: { isActive: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!isActive) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [isActive, intervalMs, router]);
  return isActive ? (
    <span role="status" className="text-xs text-slate-500">
      Updating every {intervalMs / 1000} s while a run is in progress
    </span>
  ) : null;
}
