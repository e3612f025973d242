import 'server-only';
import type { TTx } from '@/db/client';
import type { AppError } from '@/lib/app-error';
import { originOf, recordAudit, type TAuditActor, type TAuditEvent, type TAuditEventType, type TAuditTarget } from '@/lib/audit';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';
import type { TPlatformCaller, TTenantCaller } from './caller';
import type { TEndpoint } from './endpoint';

/**
 * How an endpoint is audited. Every mutating endpoint (not GET) is, by default as `api_call` with its method and
 * path as the action and `params.id` as the target; an endpoint names a more precise type, action and target, and
 * a read worth recording (a download, an export) opts in. `false` turns it off (the audit log's own reads).
 */
export interface TEndpointAudit {
  type: TAuditEventType;
  /** e.g. member.role_change; default "METHOD /path". */
  action?: string;
  /**
   * The target's type; `from`: the key of the response object that holds it; `idParam`: the path parameter or
   * action input field with its id (default `id`).
   */
  target?: { type: string; from?: string; idParam?: string };
  /** Platform endpoints acting on one tenant: params.id is that tenant, whose chain the event goes to. */
  tenantFromParams?: boolean;
}

/** What a handler may add to its request's audit event. */
export interface TAuditDetails {
  target?: TAuditTarget;
  metadata?: Record<string, unknown>;
  /** Public endpoints: the tenant the action happened in (e.g. the invitation's). */
  tenantId?: string;
  actor?: TAuditActor;
}

export interface TRequestAudit {
  /** For the handler: add details to the event. */
  set(details: TAuditDetails): void;
  /** Inside the request's transaction, after the handler (request scope): the event is part of the change. */
  recordInside(tx: TTx, facts: TAuditFacts): Promise<void>;
  /** After a handler that held no transaction (streaming, public): the event in its own transaction. */
  recordAfter(facts: TAuditFacts): Promise<void>;
  /** A refused or failed call, in its own transaction (the change, if any, was rolled back). Never throws. */
  recordFailure(error: AppError, facts: Omit<TAuditFacts, 'result'>): Promise<void>;
}

export interface TAuditFacts {
  caller: TTenantCaller | TPlatformCaller | null;
  tenantId: string | undefined;
  params: unknown;
  result: unknown;
}

export function actorOf(caller: TTenantCaller | TPlatformCaller | null): TAuditActor | null {
  if (!caller) return null;
  if ('principal' in caller) {
    if (caller.principal.kind === 'api_key') return { type: 'api_key', id: caller.principal.keyId, name: caller.principal.keyName };
    return { type: 'user', id: caller.principal.user.id, name: caller.principal.user.name || caller.principal.user.email };
  }
  return { type: 'user', id: caller.user.id, name: caller.user.name || caller.user.email };
}

const NAME_KEYS = ['name', 'filename', 'email', 'slug', 'number'] as const;

function targetFrom(spec: TEndpointAudit, params: unknown, result: unknown, details: TAuditDetails): TAuditTarget | null {
  if (details.target) return details.target;
  const type = spec.target?.type ?? 'resource';
  const holder = spec.target?.from && result && typeof result === 'object' ? (result as Record<string, unknown>)[spec.target.from] : undefined;
  const record = holder && typeof holder === 'object' ? (holder as Record<string, unknown>) : undefined;
  const paramId = params && typeof params === 'object' ? (params as Record<string, unknown>)[spec.target?.idParam ?? 'id'] : undefined;
  const id = (record?.id ?? paramId) as string | undefined;
  if (id === undefined && !spec.target) return null;
  const name = record ? NAME_KEYS.map((key) => record[key]).find((value) => typeof value === 'string') : undefined;
  return { type, id: id === undefined ? null : String(id), name: (name as string | undefined) ?? null };
}

/** Failures worth a row: everything but floods nobody can be held to (no credentials, rate limits). */
const UNRECORDED_FAILURES = new Set(['unauthorized', 'rate_limited']);
/** Quota refusals are recorded at most once an hour per tenant, quota and process: each refusal must stay cheap. */
const QUOTA_EVENT_INTERVAL_MS = 60 * 60 * 1000;
const lastQuotaEventAt = processWide('audit-quota-events', () => new Map<string, number>());
/** The quotas that name themselves in a refusal's details (`quota`); without one it is the monthly API calls. */
const QUOTA_NAMES: Record<string, string> = {
  api_calls_monthly: 'Monthly API calls',
  invitations_per_day: 'Invitations per day',
  max_estimates: 'Estimates held',
};
const quotaOf = (details: unknown): string => {
  const named = (details as { quota?: unknown } | undefined)?.quota;
  return typeof named === 'string' ? named : 'api_calls_monthly';
};

/** What is audited: an endpoint, or a server action (POST "action:<name>", audited as data_modify by default). */
export type TAuditedCall = Pick<TEndpoint, 'method' | 'path' | 'access' | 'audit'>;

export function requestAudit(endpoint: TAuditedCall, requestHeaders: Headers, requestId: string): TRequestAudit {
  const configured = endpoint.audit;
  const spec: TEndpointAudit | null = configured === false ? null : (configured ?? (endpoint.method !== 'GET' ? { type: 'api_call' } : null));
  const details: TAuditDetails = {};
  let recorded = false;

  const eventOf = (facts: TAuditFacts, outcome: 'success' | 'failure', extra: Record<string, unknown> = {}): TAuditEvent | null => {
    if (!spec) return null;
    const actor = details.actor ?? actorOf(facts.caller);
    if (!actor) return null;
    const fromParams = spec.tenantFromParams && facts.params && typeof facts.params === 'object' ? (facts.params as { id?: string }).id : undefined;
    const tenantId = facts.tenantId ?? details.tenantId ?? fromParams ?? null;
    return {
      tenantId,
      type: spec.type,
      action: spec.action ?? `${endpoint.method} ${endpoint.path}`,
      outcome,
      actor,
      target: targetFrom(spec, facts.params, facts.result, details),
      metadata: { ...details.metadata, ...extra },
      ...originOf(requestHeaders, requestId),
    };
  };
  const inOwnTransaction = (event: TAuditEvent, asPlatform: boolean) =>
    asPlatform || event.tenantId === null
      ? withPlatform((tx) => recordAudit(tx, event))
      : withTenant(event.tenantId, (tx) => recordAudit(tx, event));

  return {
    set(more) {
      Object.assign(details, more, { metadata: { ...details.metadata, ...more.metadata } });
    },
    async recordInside(tx, facts) {
      const event = eventOf(facts, 'success');
      if (!event) return;
      // A platform transaction may write any chain; a tenant transaction only its own (RLS).
      await recordAudit(tx, event);
      recorded = true;
    },
    async recordAfter(facts) {
      if (recorded) return;
      const event = eventOf(facts, 'success');
      if (event) await inOwnTransaction(event, endpoint.access !== 'tenant');
    },
    async recordFailure(error, facts) {
      try {
        if (UNRECORDED_FAILURES.has(error.code)) return;
        const outcome = { status: error.status, code: error.code, message: error.message };
        if (error.code === 'quota_exceeded' && facts.tenantId) {
          const now = Date.now();
          const quota = quotaOf(error.details);
          const throttleKey = `${facts.tenantId}:${quota}`;
          if (now - (lastQuotaEventAt.get(throttleKey) ?? 0) < QUOTA_EVENT_INTERVAL_MS) return;
          lastQuotaEventAt.set(throttleKey, now);
          const actor = actorOf(facts.caller);
          if (!actor) return;
          await withTenant(facts.tenantId, (tx) =>
            recordAudit(tx, {
              tenantId: facts.tenantId!,
              type: 'security_event',
              action: 'quota.exceeded',
              outcome: 'failure',
              actor,
              target: { type: 'quota', id: quota, name: QUOTA_NAMES[quota] ?? quota },
              metadata: { ...outcome, details: error.details, route: `${endpoint.method} ${endpoint.path}` },
              ...originOf(requestHeaders, requestId),
            }),
          );
          return;
        }
        const event = eventOf({ ...facts, result: undefined }, 'failure', outcome);
        // A refused permission is a security event whatever the endpoint.
        if (event && error.code === 'forbidden') event.type = 'security_event';
        if (event) await inOwnTransaction(event, endpoint.access !== 'tenant');
      } catch (failure) {
        logger.error({ err: failure, requestId }, 'could not record the failed call in the audit log');
      }
    },
  };
}
