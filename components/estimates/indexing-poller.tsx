'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';

const POLL_INTERVAL_MS = 2_000;
const MAX_POLLS = 15;

/**
 * Shown while an estimate has no vector yet (indexing runs a few seconds after a save): refreshes the page every
 * 2 s for up to 30 s, then leaves a Refresh button.
 */
export function IndexingPoller() {
  const router = useRouter();
  const [polls, setPolls] = useState(0);
  const isPolling = polls < MAX_POLLS;

  useEffect(() => {
    if (!isPolling) return;
    const timer = setTimeout(() => {
      router.refresh();
      setPolls((n) => n + 1);
    }, POLL_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [isPolling, polls, router]);

  return (
    <div role="status" className="flex flex-wrap items-center gap-3 rounded-md bg-blue-50 px-3 py-2 text-sm text-blue-800 ring-1 ring-blue-200 ring-inset">
      <span>
        Indexing… this estimate is being added to the search index{isPolling ? '; the list updates by itself.' : '. It is taking longer than usual.'}
      </span>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => {
          setPolls(0);
          router.refresh();
        }}
      >
        Refresh
      </Button>
    </div>
  );
}
