import { ZodError, type z } from 'zod';
import { AppError } from '@/lib/app-error';

export interface TErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

export function fieldsOf(error: ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: 'is not a known field' }));
    }
    return [{ field: at || '(body)', message: issue.message }];
  });
}

/** A ZodError as the 400 a caller can act on: every offending field named. */
export function validationError(error: ZodError, where: 'body' | 'query' | 'path' | 'input'): AppError {
  const fields = fieldsOf(error);
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new AppError('validation_failed', `Invalid ${where}: ${summary}`, { fields });
}

export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'path' | 'input',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** PostgreSQL cancelled the statement: it ran longer than the pool's statement_timeout. */
function isDatabaseTimeout(error: unknown): boolean {
  const e = error as { code?: string; cause?: unknown };
  if (e?.code === '57014') return true;
  return e?.cause ? isDatabaseTimeout(e.cause) : false;
}

/** Anything thrown becomes an AppError; unknown errors become a 500 that reveals nothing internal. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return validationError(error, 'input');
  if (isDatabaseTimeout(error)) return new AppError('unavailable', 'The database did not answer in time; try again in a moment.');
  return new AppError('internal', 'Something went wrong on our side. Quote the request id when reporting it.');
}

export function errorResponse(error: AppError, requestId: string, headers?: Headers): Response {
  const body: TErrorBody = {
    error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }), requestId },
  };
  const response = Response.json(body, { status: error.status, headers });
  for (const [name, value] of Object.entries(error.headers ?? {})) response.headers.set(name, value);
  return response;
}
