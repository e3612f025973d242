import 'server-only';
import { randomUUID } from 'node:crypto';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { z } from 'zod';
import type { TTx } from '@/db/client';
import { logger, observeRequest } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { meterApiCall } from '@/lib/usage';
import {
  assertPermission,
  resolvePlatformCaller,
  resolveTenantCaller,
  type TPlatformCaller,
  type TRequestFacts,
  type TTenantCaller,
} from './caller';
import type { TAccess, TEndpoint } from './endpoint';
import { errorResponse, parseWith, toAppError } from './errors';
import { admitTenantRequest } from './quota';
import { requestAudit, type TRequestAudit } from './audit';
import { captureError } from '@/lib/errors';
import { errorUserKeyOf } from './error-capture';
import { claimIdempotencyKey, idempotencyKeyOf, requestDigest, storeIdempotentResponse } from './idempotency';
import { assertTrustedOrigin, isStateChanging } from './origin';
import { readJsonBody } from '@/lib/request-body';

type TInfer<T> = [NonNullable<T>] extends [never]
  ? undefined
  : NonNullable<T> extends z.ZodType
    ? z.infer<NonNullable<T>>
    : undefined;

interface THandlerBase<E extends TEndpoint> {
  body: TInfer<E['body']>;
  query: TInfer<E['query']>;
  params: TInfer<E['params']>;
  request: Request;
  requestId: string;
}

type TCallerOf<A extends TAccess> = A extends 'tenant' ? TTenantCaller : A extends 'platform' ? TPlatformCaller : null;

export type THandlerInput<E extends TEndpoint> = THandlerBase<E> & {
  caller: TCallerOf<E['access']>;
  /**
   * The transaction: tenant-scoped (RLS) for tenant endpoints, platform for operators; absent for public
   * endpoints and for those with `transaction: 'handler'`.
   */
  tx: E['access'] extends 'public' ? null : E['transaction'] extends 'handler' ? null : TTx;
  /** A short transaction in the caller's tenant (tenant endpoints), for handlers that hold none. */
  inTenant: <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>;
  /** Details for this call's audit event (target, metadata; the tenant, for public endpoints). */
  audit: Pick<TRequestAudit, 'set'>;
};

type TRouteContext = { params: Promise<Record<string, string | string[]>> };

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,128}$/;
const tracer = trace.getTracer('sitework');

export function requestFacts(request: Request): TRequestFacts {
  const h = request.headers;
  return {
    host: h.get('host'),
    tenantIdHeader: h.get('x-tenant-id'),
    authorization: h.get('authorization'),
    cookie: h.get('cookie'),
  };
}

function successStatusOf(result: unknown, successStatus: number | undefined): number {
  return result === undefined ? 204 : (successStatus ?? 200);
}

function toResponse(result: unknown, successStatus: number | undefined): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, { status: 204 });
  return Response.json(result, { status: successStatusOf(result, successStatus) });
}

/**
 * The one wrapper of every route handler. In order: request id → span → tenant and caller → Origin of a
 * signed-in browser's change (lib/api/origin.ts) → permission → monthly quota and rate limit (both in memory) →
 * JSON body (declared JSON, at most 1 MiB, lib/request-body) → validation → handler in withTenant (or
 * withPlatform) → uniform JSON errors → metrics and logs.
 */
export function route<E extends TEndpoint>(
  endpoint: E,
  handler: (input: THandlerInput<E>) => Promise<unknown>,
): (request: Request, context: TRouteContext) => Promise<Response> {
  const routeLabel = endpoint.path;
  return async (request, context) => {
    const started = performance.now();
    const given = request.headers.get('x-request-id');
    const requestId = given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    return tracer.startActiveSpan(`${endpoint.method} ${routeLabel}`, async (span) => {
      let status = 500;
      let tenantId: string | undefined;
      // API-key calls are metered (a browser session's are the portal itself, not API use); calls refused by the
      // monthly quota did no work and are not metered either.
      let isMetered = false;
      const headers = new Headers({ 'x-request-id': requestId });
      const audit = requestAudit(endpoint, request.headers, requestId);
      let caller: TTenantCaller | TPlatformCaller | null = null;
      let params: unknown;
      try {
        const facts = requestFacts(request);
        if (endpoint.access === 'tenant') {
          const tenantCaller = await resolveTenantCaller(facts);
          tenantId = tenantCaller.tenant.id;
          span.setAttribute('tenant.id', tenantId);
          isMetered = tenantCaller.principal.kind === 'api_key';
          caller = tenantCaller;
          if (tenantCaller.principal.kind === 'user' && isStateChanging(endpoint.method)) assertTrustedOrigin(request.headers);
          assertPermission(tenantCaller, endpoint.permission);
          for (const [name, value] of Object.entries(await admitTenantRequest(tenantCaller))) headers.set(name, value);
        } else if (endpoint.access === 'platform') {
          caller = await resolvePlatformCaller(facts);
          if (isStateChanging(endpoint.method)) assertTrustedOrigin(request.headers);
        }

        const rawParams = (await context?.params) ?? {};
        params = endpoint.params ? parseWith(endpoint.params, rawParams, 'path') : rawParams;
        const query = endpoint.query
          ? parseWith(endpoint.query, Object.fromEntries(new URL(request.url).searchParams), 'query')
          : undefined;
        const hasBody = endpoint.method !== 'GET' && endpoint.method !== 'DELETE';
        const body = hasBody && endpoint.body ? parseWith(endpoint.body, await readJsonBody(request), 'body') : undefined;

        const inTenant = <T>(fn: (tx: TTx) => Promise<T>): Promise<T> => {
          if (!tenantId) throw new Error(`${routeLabel} has no tenant: inTenant is for tenant endpoints`);
          return withTenant(tenantId, fn);
        };
        // Idempotency-Key (creating endpoints that declare it): claimed and answered in the handler's transaction.
        const idempotency =
          endpoint.idempotency && tenantId && endpoint.transaction !== 'handler' ? idempotencyKeyOf(request.headers) : undefined;
        let replayed: { status: number; body: unknown } | undefined;
        const run = async (tx: TTx | null) => {
          const claim = idempotency && tx ? { tenantId: tenantId!, key: idempotency } : undefined;
          if (claim && tx) {
            const operation = `${endpoint.method} ${routeLabel}`;
            const outcome = await claimIdempotencyKey(tx, { ...claim, operation, requestSha256: requestDigest({ body, params, query }) });
            if (outcome.kind === 'replay') {
              replayed = outcome;
              return undefined;
            }
          }
          const result = await handler({ body, query, params, request, requestId, caller, tx, inTenant, audit } as unknown as THandlerInput<E>);
          // The audit event commits with the change it describes (or neither does).
          if (tx) await audit.recordInside(tx, { caller, tenantId, params, result });
          if (claim && tx) await storeIdempotentResponse(tx, claim, { status: successStatusOf(result, endpoint.successStatus), body: result ?? null });
          return result;
        };
        const result =
          endpoint.access === 'tenant' && endpoint.transaction !== 'handler'
            ? await withTenant(tenantId!, run)
            : endpoint.access === 'platform' && endpoint.transaction !== 'handler'
              ? await withPlatform(run)
              : await run(null);
        if (replayed) {
          // The first call's answer again; nothing changed, so nothing is recorded.
          const response =
            replayed.status === 204 ? new Response(null, { status: 204 }) : Response.json(replayed.body, { status: replayed.status });
          headers.forEach((value, name) => response.headers.set(name, value));
          response.headers.set('idempotent-replayed', 'true');
          status = response.status;
          return response;
        }
        // Endpoints that hold no transaction (streams, public calls): the event follows in its own.
        await audit.recordAfter({ caller, tenantId, params, result });
        const response = toResponse(result, endpoint.successStatus);
        headers.forEach((value, name) => response.headers.set(name, value));
        status = response.status;
        return response;
      } catch (thrown) {
        const error = toAppError(thrown);
        status = error.status;
        if (error.code === 'quota_exceeded') isMetered = false;
        await audit.recordFailure(error, { caller, tenantId, params });
        if (status >= 500) {
          logger.error({ err: thrown, requestId, tenantId, route: routeLabel, method: endpoint.method }, 'request failed');
          span.recordException(thrown as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          // Error analytics (lib/errors): an in-memory push, written in batches off the response path.
          captureError({
            source: 'server',
            error: thrown,
            tenantId,
            host: request.headers.get('host'),
            route: routeLabel,
            method: endpoint.method,
            status,
            requestId,
            userAgent: request.headers.get('user-agent'),
            userKey: errorUserKeyOf(caller),
          });
        }
        return errorResponse(error, requestId, headers);
      } finally {
        const seconds = (performance.now() - started) / 1000;
        span.setAttribute('http.response.status_code', status);
        span.end();
        observeRequest(routeLabel, endpoint.method, status, seconds);
        // Every admitted request of a known tenant counts, 4xx included; a buffered push, flushed in batches (lib/usage).
        if (tenantId && isMetered) meterApiCall({ tenantId, route: routeLabel, method: endpoint.method, status, occurredAt: new Date() });
        // One access-log line per request; the mixin adds the trace and span ids.
        logger.info({ requestId, tenantId, method: endpoint.method, route: routeLabel, status, ms: Math.round(seconds * 1000) }, 'request');
      }
    });
  };
}

/** A route of the test suites: route() behind a gate that answers 404 unless the server runs with SITEWORK_TEST_ROUTES=1. */
export function testRoute<E extends TEndpoint>(
  endpoint: E,
  handler: (input: THandlerInput<E>) => Promise<unknown>,
): (request: Request, context: TRouteContext) => Promise<Response> {
  const wrapped = route(endpoint, handler);
  return async (request, context) =>
    process.env.SITEWORK_TEST_ROUTES === '1' ? wrapped(request, context) : new Response('Not found', { status: 404 });
}
