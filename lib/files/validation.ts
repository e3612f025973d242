import { AppError } from '@/lib/app-error';

/** Bytes read from the start of a file to recognise its format. */
export const SNIFF_BYTES = 16;

const MAX_FILENAME_LENGTH = 255;

/**
 * Formats with a recognisable start. Extensions not listed here (e.g. a tenant that allows txt) are accepted
 * by extension alone.
 */
const SIGNATURES: Record<string, { describe: string; matches: (start: Buffer) => boolean }> = {
  pdf: { describe: '%PDF-', matches: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  ifc: { describe: 'ISO-10303-21', matches: (b) => b.subarray(0, 12).toString('latin1') === 'ISO-10303-21' },
  dwg: { describe: 'AC10 and two digits', matches: (b) => /^AC10\d\d$/.test(b.subarray(0, 6).toString('latin1')) },
  // Revit files are OLE compound documents.
  rvt: {
    describe: 'an OLE compound file header',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
  },
};

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  ifc: 'application/x-step',
  dwg: 'image/vnd.dwg',
  rvt: 'application/octet-stream',
};

/**
 * A filename we store and later send back in Content-Disposition: no path, no control characters, a name
 * and an extension. Refused with 422 otherwise.
 */
export function checkFilename(raw: string | null | undefined): { filename: string; extension: string } {
  const filename = (raw ?? '').normalize('NFC').trim();
  if (!filename) throw new AppError('unprocessable', 'Name the file: send ?filename=… (or a multipart file part with a filename)');
  if (filename.length > MAX_FILENAME_LENGTH) {
    throw new AppError('unprocessable', `The filename is ${filename.length} characters long; the limit is ${MAX_FILENAME_LENGTH}`);
  }
  if (/[\u0000-\u001f\u007f/\\]/.test(filename) || filename === '.' || filename === '..') {
    throw new AppError('unprocessable', 'The filename may not contain slashes or control characters');
  }
  const dot = filename.lastIndexOf('.');
  const extension = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  if (!/^[a-z0-9]{1,10}$/.test(extension)) {
    throw new AppError('unprocessable', `"${filename}" has no file extension; name it like drawing.pdf`);
  }
  return { filename, extension };
}

/** The key part made of the filename: letters, digits, dot, dash and underscore only. */
export function safeKeyName(filename: string): string {
  const safe = filename.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return (safe || 'file').slice(0, 200);
}

export function storageKeyOf(tenantId: string, fileId: string, filename: string): string {
  return `tenants/${tenantId}/files/${fileId}/${safeKeyName(filename)}`;
}

/**
 * Where a presigned upload's PUT lands. Completion copies it to the file's key, which no URL we hand out can
 * write: a PUT through the old URL after completion only rewrites this key, which nothing reads.
 */
export function stagingKeyOf(tenantId: string, fileId: string): string {
  return `tenants/${tenantId}/uploads/${fileId}`;
}

export function contentTypeOf(extension: string, declared: string | null | undefined): string {
  const known = CONTENT_TYPES[extension];
  if (known) return known;
  const clean = declared?.split(';')[0].trim().toLowerCase();
  return clean && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(clean) ? clean : 'application/octet-stream';
}

export function assertTypeAllowed(extension: string, allowedFileTypes: readonly string[]): void {
  if (!allowedFileTypes.includes(extension)) {
    throw new AppError(
      'unsupported_media_type',
      `.${extension} files are not allowed here; allowed types: ${allowedFileTypes.map((t) => `.${t}`).join(', ')}`,
      { extension, allowedFileTypes },
    );
  }
}

/** Refuses content whose first bytes are not those of the format its extension claims (415). */
export function assertSignature(extension: string, start: Buffer): void {
  const signature = SIGNATURES[extension];
  if (signature && !signature.matches(start)) {
    throw new AppError(
      'unsupported_media_type',
      `The content is not a .${extension} file: a .${extension} file starts with ${signature.describe}`,
      { extension },
    );
  }
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 5368709120 → "5 GiB", for messages a person reads. */
export function formatBytes(sizeBytes: number): string {
  let value = sizeBytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${sizeBytes} bytes` : `${Number(value.toFixed(value < 10 ? 2 : 1))} ${UNITS[unit]}`;
}

export function tooLarge(sizeBytes: number | null, maxFileSizeBytes: number): AppError {
  const over = sizeBytes === null ? '' : ` (${formatBytes(sizeBytes)}, ${formatBytes(sizeBytes - maxFileSizeBytes)} over)`;
  return new AppError(
    'payload_too_large',
    `The file is larger than this organisation's limit of ${formatBytes(maxFileSizeBytes)} per file${over}`,
    { maxFileSizeBytes, sizeBytes },
  );
}

export function emptyFile(): AppError {
  return new AppError('unprocessable', 'The file is empty');
}
