import { processWide } from './process-wide';

interface TStopHook {
  name: string;
  run: () => Promise<unknown>;
}

const hooks: TStopHook[] = processWide('process-stop-hooks', () => []);

/**
 * Registers work to finish before the process exits: writing buffers, stopping the job queue. The web server
 * (scripts/serve.ts) runs the hooks on SIGTERM/SIGINT once the requests in flight have finished, so what those
 * requests buffered is written too.
 */
export function onProcessStop(name: string, run: () => Promise<unknown>): void {
  hooks.push({ name, run });
}

/** Runs every registered hook at once and waits for all of them; returns the ones that failed. */
export async function runProcessStop(): Promise<{ name: string; error: unknown }[]> {
  const settled = await Promise.allSettled(hooks.map((hook) => hook.run()));
  return settled.flatMap((result, index) => (result.status === 'rejected' ? [{ name: hooks[index].name, error: result.reason as unknown }] : []));
}
