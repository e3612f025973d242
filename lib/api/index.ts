export { route, testRoute, requestFacts, type THandlerInput } from './route';
export { action, type TActionResult } from './action';
export { defineEndpoint, type TEndpoint, type TAccess, type THttpMethod } from './endpoint';
export { resolveTenantCaller, resolvePlatformCaller, authorOf, type TTenantCaller, type TPlatformCaller, type TPrincipal } from './caller';
export { errorResponse, toAppError, parseWith } from './errors';
export { DEFAULT_REQUESTS_PER_MINUTE, consumeRequest } from './rate-limit';
export { resetPlanCache } from './plan-cache';
export {
  pruneIdempotencyKeys,
  claimIdempotencyKey,
  storeIdempotentResponse,
  idempotencyKeyOf,
  requestDigest,
  hashedBody,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_TTL_HOURS,
} from './idempotency';
export { resetQuotaCache } from './quota';
export { openApiDocument } from './openapi';
export { encodeCursor, decodeCursor, page, type TCursor } from './cursor';
export * from './v1';
export { healthEndpoint, readinessEndpoint, metricsEndpoint } from './system';
