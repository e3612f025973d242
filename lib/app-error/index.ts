/**
 * The one error type of Sitework. Business code throws AppError with a code; the wrappers turn it into
 * `{ error: { code, message, details?, requestId } }` with the status from ERROR_STATUS.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  quota_exceeded: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly details?: unknown;
  /** Extra response headers (Retry-After, RateLimit-*). */
  readonly headers?: Record<string, string>;

  constructor(code: TErrorCode, message: string, details?: unknown, headers?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Postgres unique_violation, so callers can turn a race into a clean 409. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint_name?: string; cause?: unknown };
  if (e?.code === '23505') return !constraint || e.constraint_name === constraint;
  return e?.cause ? isUniqueViolation(e.cause, constraint) : false;
}
