import 'server-only';
import { listPlanRows, withPlatform, type TPlan } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';

const PLAN_CACHE_TTL_MS = 60_000;

let plansById: Map<string, TPlan> | null = null;
let loadedAtMs = 0;
let loading: Promise<void> | null = null;

function loadPlans(): Promise<void> {
  loading ??= withPlatform(listPlanRows)
    .then((rows) => {
      plansById = new Map(rows.map((plan) => [plan.id, plan]));
      loadedAtMs = Date.now();
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

/**
 * A tenant's plan from an in-process copy of the plans table: the first request awaits the load, later ones
 * read memory while a refresh runs in the background at most every 60 s (operator edits apply within a minute).
 */
export async function cachedPlan(planId: string): Promise<TPlan | null> {
  if (!plansById) await loadPlans();
  else if (Date.now() - loadedAtMs >= PLAN_CACHE_TTL_MS && !loading) {
    loadPlans().catch((err: unknown) => logger.warn({ err }, 'plan cache refresh failed: keeping the old plans'));
  }
  return plansById?.get(planId) ?? null;
}

/** Forgets the cached plans, so the next request reads the table (tests, after editing a plan). */
export function resetPlanCache(): void {
  plansById = null;
  loadedAtMs = 0;
}
