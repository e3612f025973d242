import 'server-only';
import { randomUUID } from 'node:crypto';
import { headers } from 'next/headers';
import type { z } from 'zod';
import type { TTx } from '@/db/client';
import type { TPermission } from '@/lib/auth';
import { logger } from '@/lib/telemetry';
import { withPlatform, withTenant } from '@/lib/tenancy';
import {
  assertPermission,
  resolvePlatformCaller,
  resolveTenantCaller,
  type TPlatformCaller,
  type TTenantCaller,
} from './caller';
import { requestAudit, type TEndpointAudit } from './audit';
import type { TAccess, TTransactionScope } from './endpoint';
import { fieldsOf, parseWith, toAppError } from './errors';
import { captureError } from '@/lib/errors';
import { errorUserKeyOf } from './error-capture';
import { assertTrustedOrigin } from './origin';

export type TActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; fields?: { field: string; message: string }[]; requestId: string } };

type TCallerOf<A extends TAccess> = A extends 'tenant' ? TTenantCaller : A extends 'platform' ? TPlatformCaller : null;

interface TActionSpec<S extends z.ZodType, A extends TAccess, T extends TTransactionScope> {
  name: string;
  access: A;
  permission?: TPermission;
  input: S;
  /** Its audit event (every action is one, data_modify named after the action by default); `false`: none. */
  audit?: TEndpointAudit | false;
  /**
   * As for endpoints: `request` (default) runs the handler in one transaction; `handler` holds none (the handler
   * calls out over the network and opens short transactions itself), and the audit event follows in its own.
   */
  transaction?: T;
}

/**
 * The server-action twin of route(): same caller resolution from the browser's Host and session cookie,
 * same permission check, zod validation and transaction, and errors returned as values the form can show.
 *
 * Cross-site forgery: before an action runs, Next (15.5, app-render/action-handler.js) compares the host in
 * its Origin header with X-Forwarded-Host or Host (headers a page cannot set) and refuses a mismatch; we set no
 * `serverActions.allowedOrigins`, so a page of another tenant or site cannot run one. Next lets a request
 * without Origin through, so every action also passes the API's own rule (lib/api/origin.ts, Origin required)
 * once its caller is known and before its input is read.
 */
export function action<S extends z.ZodType, A extends TAccess, R, T extends TTransactionScope = 'request'>(
  spec: TActionSpec<S, A, T>,
  handler: (input: { data: z.infer<S>; caller: TCallerOf<A>; tx: A extends 'public' ? null : T extends 'handler' ? null : TTx }) => Promise<R>,
): (input: z.input<S>) => Promise<TActionResult<R>> {
  return async (raw) => {
    const requestId = randomUUID();
    let tenantId: string | undefined;
    let caller: TTenantCaller | TPlatformCaller | null = null;
    let data: z.infer<S> | undefined;
    const h = await headers();
    const audit = requestAudit(
      { method: 'POST', path: `action:${spec.name}`, access: spec.access, audit: spec.audit ?? { type: 'data_modify', action: spec.name } },
      h,
      requestId,
    );
    try {
      const facts = { host: h.get('host'), tenantIdHeader: null, authorization: null, cookie: h.get('cookie') };
      type TInput = Parameters<typeof handler>[0];
      // The action and its audit event commit together.
      const run = async (tx: TTx) => {
        const result = await handler({ data, caller, tx } as TInput);
        await audit.recordInside(tx, { caller, tenantId, params: data, result });
        return result;
      };
      const runWithoutTransaction = async () => {
        const result = await handler({ data, caller, tx: null } as TInput);
        await audit.recordAfter({ caller, tenantId, params: data, result });
        return result;
      };
      const isHandlerScoped = spec.transaction === 'handler';
      let result: R;
      if (spec.access === 'tenant') {
        const tenantCaller = await resolveTenantCaller(facts);
        caller = tenantCaller;
        tenantId = tenantCaller.tenant.id;
        assertTrustedOrigin(h);
        assertPermission(tenantCaller, spec.permission);
        data = parseWith(spec.input, raw, 'input');
        result = isHandlerScoped ? await runWithoutTransaction() : await withTenant(tenantCaller.tenant.id, run);
      } else if (spec.access === 'platform') {
        caller = await resolvePlatformCaller(facts);
        assertTrustedOrigin(h);
        data = parseWith(spec.input, raw, 'input');
        result = isHandlerScoped ? await runWithoutTransaction() : await withPlatform(run);
      } else {
        assertTrustedOrigin(h);
        data = parseWith(spec.input, raw, 'input');
        result = await runWithoutTransaction();
      }
      return { ok: true, data: result };
    } catch (thrown) {
      const error = toAppError(thrown);
      await audit.recordFailure(error, { caller, tenantId, params: data });
      if (error.status >= 500) {
        logger.error({ err: thrown, requestId, tenantId, action: spec.name }, 'action failed');
        // Error analytics (lib/errors): an in-memory push, written in batches off the response path.
        captureError({
          source: 'action',
          error: thrown,
          tenantId,
          host: h.get('host'),
          route: `action:${spec.name}`,
          method: 'POST',
          status: error.status,
          requestId,
          userAgent: h.get('user-agent'),
          userKey: errorUserKeyOf(caller),
        });
      }
      // Errors name their fields as details.fields (validation) or details.field (a taken slug, a wrong password).
      const details = error.details as { fields?: { field: string; message: string }[]; field?: string } | undefined;
      const fields = details?.fields ?? (details?.field ? [{ field: details.field, message: error.message }] : undefined);
      return { ok: false, error: { code: error.code, message: error.message, fields, requestId } };
    }
  };
}

export { fieldsOf };
