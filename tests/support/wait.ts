/**
 * Polls `isDone` every 10 ms until it holds, for what the code deliberately does not wait for (a notice between
 * processes, a background write); returns how long that took. Fails after `timeoutMs`, saying what it waited for.
 */
export async function until(isDone: () => boolean | Promise<boolean>, timeoutMs = 2_000, what = () => ''): Promise<number> {
  const started = Date.now();
  while (!(await isDone())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms${what() ? `: ${what()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
