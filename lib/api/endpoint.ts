import type { z } from 'zod';
import type { TPermission } from '@/lib/auth';
import type { TEndpointAudit } from './audit';

export type THttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Who may call an endpoint:
 * - tenant: a member's session or an API key of the tenant the request names (subdomain, X-Tenant-ID or key);
 * - platform: a signed-in platform operator, no tenant;
 * - public: anyone (health checks, the OpenAPI document).
 */
export type TAccess = 'tenant' | 'platform' | 'public';

/** One endpoint's contract: the wrapper enforces it and the OpenAPI document is generated from it. */
/**
 * How a tenant handler meets the database:
 * - request (default): the whole handler runs in one withTenant transaction (`tx`);
 * - handler: no transaction is held; the handler opens short ones with `inTenant` (streaming endpoints must
 *   not keep a pooled connection while bytes flow).
 */
export type TTransactionScope = 'request' | 'handler';

export interface TEndpoint<
  A extends TAccess = TAccess,
  TBody extends z.ZodType | undefined = z.ZodType | undefined,
  TQuery extends z.ZodType | undefined = z.ZodType | undefined,
  TParams extends z.ZodType | undefined = z.ZodType | undefined,
  TScope extends TTransactionScope = TTransactionScope,
> {
  method: THttpMethod;
  /** OpenAPI-style path, e.g. /api/v1/members/{id}. */
  path: string;
  summary: string;
  tag: string;
  access: A;
  /** Required permission (tenant endpoints); absent means any member or key of the tenant. */
  permission?: TPermission;
  body?: TBody;
  query?: TQuery;
  params?: TParams;
  /** Status of a successful response with a body (default 200; 204 when the handler returns nothing). */
  successStatus?: number;
  /** Description of the success response, for the OpenAPI document. */
  responds?: string;
  transaction?: TScope;
  /** How calls are recorded in the audit log (lib/api/audit.ts); mutations are by default, `false` turns it off. */
  audit?: TEndpointAudit | false;
  /**
   * Honours an Idempotency-Key header (lib/api/idempotency.ts): the wrapper claims and answers it in the request's
   * transaction; a `transaction: 'handler'` endpoint does so itself, in the transaction that writes.
   */
  idempotency?: boolean;
}

export function defineEndpoint<
  A extends TAccess,
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TParams extends z.ZodType | undefined = undefined,
  TScope extends TTransactionScope = 'request',
>(endpoint: TEndpoint<A, TBody, TQuery, TParams, TScope>): TEndpoint<A, TBody, TQuery, TParams, TScope> {
  return endpoint;
}
