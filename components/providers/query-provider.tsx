'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

/**
 * A react-query client for the client part of one page. Created in state, not at module level, so a server
 * render never shares a cache between requests (and so tenants).
 */
export function QueryProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // Pages seed their queries with server-rendered data: no refetch the moment they mount.
          queries: { staleTime: 15_000, retry: 1 },
        },
      }),
  );
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
