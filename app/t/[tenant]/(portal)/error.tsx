'use client';

import { ErrorFallback } from '@/components/errors/error-fallback';

/** The portal's segment error boundary: the header and navigation stay, the page shows the fallback. */
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorFallback error={error} reset={reset} title="This page could not be shown" />;
}
