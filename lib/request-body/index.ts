import { AppError } from '@/lib/app-error';

/**
 * Reading request bodies with a hard byte limit, for every handler that reads a body whole (JSON through route(),
 * browser error reports, Stripe's webhook). The limit holds whether or not the client sends Content-Length, and
 * when it sends a false one: bytes are counted as they arrive, and the first chunk past the limit stops the read
 * and cancels the stream, so the rest is never taken into memory. Uploads and imports stream their bodies
 * themselves, with their own limits, and never come here.
 */

/** JSON bodies of the API: the largest contract (a batch of 1,000 usage events, a long estimate) stays well below. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

const tooLarge = (what: string, maxBytes: number) =>
  new AppError('payload_too_large', `${what} are limited to ${maxBytes} bytes`, { maxBytes });

/** Refuses a declared Content-Length over the limit before a byte is read. */
export function assertDeclaredBodySize(request: Request, maxBytes: number, what = 'Request bodies'): void {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge(what, maxBytes);
}

/** The body's bytes, at most `maxBytes` of them; one byte more is a 413 `payload_too_large`. */
export async function readBoundedBody(request: Request, maxBytes: number, what = 'Request bodies'): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) {
    await request.body.cancel().catch(() => undefined);
    throw tooLarge(what, maxBytes);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let sizeBytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sizeBytes += value.byteLength;
    if (sizeBytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(what, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** `application/json` or a JSON-based type (`application/problem+json`), with any parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | null): boolean {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

/**
 * A JSON body, or undefined when there is none. A body must be declared JSON: a Content-Type of another kind is
 * refused with 415 before anything is read, and a body sent without one after reading it. Besides telling a
 * caller what went wrong, this keeps out what a cross-site HTML form or a `no-cors` fetch can send (form
 * encodings, text/plain, no type at all), none of which can be application/json.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_JSON_BODY_BYTES, what = 'JSON bodies'): Promise<unknown> {
  const contentType = request.headers.get('content-type');
  const unsupported = () =>
    new AppError('unsupported_media_type', `Send the body as JSON with Content-Type: application/json (got ${contentType ?? 'none'})`, {
      contentType,
    });
  if (contentType !== null && !isJsonContentType(contentType)) {
    await request.body?.cancel().catch(() => undefined);
    throw unsupported();
  }
  const text = (await readBoundedBody(request, maxBytes, what)).toString('utf8');
  if (text.trim() === '') return undefined;
  if (contentType === null) throw unsupported();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON');
  }
}
