import 'server-only';
import { processWide } from '@/lib/runtime';

/**
 * Asks for the vector-index job soon, without a round trip on the request path. lib/jobs registers the sender
 * when the queue starts (lib/estimates cannot import lib/jobs: the jobs import the estimates); without a queue
 * (tests, scripts) nothing is sent and callers drain the outbox themselves. The minute cron catches anything a
 * lost kick left behind.
 */
const kick = processWide('vector-index-kick', () => ({ send: undefined as (() => Promise<unknown>) | undefined, pending: false }));

export function setVectorIndexingSender(send: (() => Promise<unknown>) | undefined): void {
  kick.send = send;
}

export function requestVectorIndexing(): void {
  if (!kick.send || kick.pending) return;
  // One send per tick is enough however many estimates a request wrote; the job drains them all.
  kick.pending = true;
  setImmediate(() => {
    kick.pending = false;
    void kick.send?.().catch(() => undefined);
  });
}
