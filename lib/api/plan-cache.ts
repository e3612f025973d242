import 'server-only';
import { onChange } from '@/lib/cluster';
import { processWide } from '@/lib/runtime';
import { listPlanRows, withPlatform, type TPlan } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';

// A safety net only: an operator's edit reaches every process at once through the change notice.
const PLAN_CACHE_TTL_MS = 60_000;

interface TPlanCache {
  plansById: Map<string, TPlan> | null;
  loadedAtMs: number;
  loading: Promise<void> | null;
  /** Bumped by every change notice: a load that started before it must not install what it read. */
  generation: number;
}

const cache = processWide<TPlanCache>('plan-cache', () => {
  onChange('plans', () => {
    cache.generation += 1;
    cache.loading = null;
    loadPlans().catch((err: unknown) => logger.warn({ err }, 'plan cache reload failed: the next request reads the plans'));
  });
  return { plansById: null, loadedAtMs: 0, loading: null, generation: 0 };
});

function loadPlans(): Promise<void> {
  const generation = cache.generation;
  const loading = (cache.loading ??= withPlatform(listPlanRows)
    .then((rows) => {
      if (generation !== cache.generation && cache.plansById) return;
      cache.plansById = new Map(rows.map((plan) => [plan.id, plan]));
      cache.loadedAtMs = Date.now();
    })
    .finally(() => {
      if (cache.loading === loading) cache.loading = null;
    }));
  return loading;
}

/**
 * A tenant's plan from an in-process copy of the plans table: the first request awaits the load, later ones read
 * memory. An operator's edit is announced to every process (lib/cluster) and reloads the copy within moments; a
 * refresh every 60 s covers a notice lost with the listening connection.
 */
export async function cachedPlan(planId: string): Promise<TPlan | null> {
  if (!cache.plansById) await loadPlans();
  else if (Date.now() - cache.loadedAtMs >= PLAN_CACHE_TTL_MS && !cache.loading) {
    loadPlans().catch((err: unknown) => logger.warn({ err }, 'plan cache refresh failed: keeping the old plans'));
  }
  return cache.plansById?.get(planId) ?? null;
}

/** Forgets the cached plans, so the next request reads the table (tests, after editing a plan). */
export function resetPlanCache(): void {
  cache.plansById = null;
  cache.loadedAtMs = 0;
  cache.generation += 1;
  cache.loading = null;
}
