import 'server-only';
import { Readable } from 'node:stream';
import type { ReadableStream as TWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { AppError } from '@/lib/app-error';

export interface TUploadBody {
  filename: string | null;
  contentType: string | null;
  /** Known only for a raw body with Content-Length; multipart bodies carry framing around the file. */
  declaredSizeBytes: number | null;
  stream: AsyncIterable<Uint8Array>;
}

const noBody = () => new AppError('unprocessable', 'Send the file as the request body (or as a multipart/form-data file part)');

/**
 * The file of an upload request, as a stream: either the raw body (filename from ?filename=) or the one
 * file part of a multipart/form-data body, parsed as it arrives (never buffered).
 */
export async function readUploadBody(request: Request): Promise<TUploadBody> {
  if (!request.body) throw noBody();
  const url = new URL(request.url);
  const contentType = request.headers.get('content-type');
  const nodeBody = Readable.fromWeb(request.body as unknown as TWebReadableStream<Uint8Array>);

  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    const length = request.headers.get('content-length');
    return {
      filename: url.searchParams.get('filename'),
      contentType,
      declaredSizeBytes: length !== null && /^\d+$/.test(length) ? Number(length) : null,
      stream: nodeBody,
    };
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 20, fieldSize: 10_000 } });
  } catch {
    throw new AppError('bad_request', 'The multipart/form-data body has no boundary');
  }
  return new Promise<TUploadBody>((resolve, reject) => {
    let hasFile = false;
    parser.on('file', (_field, file, info) => {
      hasFile = true;
      // A broken multipart body surfaces as an error of the file stream, which aborts the upload.
      parser.on('error', (err: Error) => file.destroy(new AppError('bad_request', `Malformed multipart body: ${err.message}`)));
      resolve({
        filename: url.searchParams.get('filename') ?? info.filename ?? null,
        contentType: info.mimeType ?? null,
        declaredSizeBytes: null,
        stream: file,
      });
    });
    parser.on('error', (err: Error) => {
      if (!hasFile) reject(new AppError('bad_request', `Malformed multipart body: ${err.message}`));
    });
    parser.on('close', () => {
      if (!hasFile) reject(new AppError('unprocessable', 'The multipart/form-data body has no file part'));
    });
    nodeBody.on('error', (err) => parser.destroy(err));
    nodeBody.pipe(parser);
  });
}
