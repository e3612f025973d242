/**
 * State that must exist once per process. Next bundles instrumentation.ts and each route separately, and every
 * bundle gets its own copy of a module: a plain module-level `let` or Map is then one per bundle (one usage
 * buffer per route that nobody flushes, one rate-limit count per route, one connection pool per route). Such
 * state lives on globalThis under a registered symbol instead, created by the first bundle that asks.
 */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(`sitework.${name}`);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  return (holder[key] ??= create());
}
