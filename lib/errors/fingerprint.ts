import { createHash } from 'node:crypto';

/**
 * Grouping, after Sentry's: the same bug hit with other ids, numbers or addresses, or after the code moved a few
 * lines, must land in one group; the same message thrown from another call site is another group. Pure: no I/O.
 */

export interface TErrorShape {
  type: string;
  message: string;
  stack?: string | null;
}

export interface TStackFrame {
  /** The function as the stack names it, without `async `/`new ` and `[as alias]`; `<anonymous>` when none. */
  fn: string;
  /** The file's basename with bundle hashes replaced, e.g. route.ts or page-<hash>.js. */
  file: string;
  isInApp: boolean;
}

export interface TFingerprint {
  fingerprint: string;
  title: string;
  culprit: string | null;
  normalizedMessage: string;
  inAppFrames: TStackFrame[];
}

const MAX_TITLE_CHARS = 200;
const MAX_MESSAGE_CHARS = 1000;
/** Only the top in-app frames: a deeper recursion or a longer caller chain is still the same bug. */
const MAX_FINGERPRINT_FRAMES = 10;

// Order matters: whole tokens first (a URL contains numbers and maybe an IP, a UUID contains hex runs).
const PLACEHOLDERS: [RegExp, string][] = [
  [/"(?:[^"\\]|\\.)*"|(?<![\w])'(?:[^'\\]|\\.)*'(?![\w])|`[^`]*`/g, '<str>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()]+/gi, '<url>'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '<ip>'],
  // IPv6: the full form, or a compressed one (it has "::"); times such as 12:30:45 match neither.
  [
    /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?|::[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})(?![\w:])/gi,
    '<ip>',
  ],
  // Hex runs of 8 or more with a digit in them (ids, hashes, addresses); English words have no digits.
  [/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  // Numbers, also when a unit follows (5000ms), but not inside identifiers (sha256, v1, E11000).
  [/(?<![A-Za-z_\d.])\d+(?:\.\d+)?/g, '<num>'],
];

/** The message with its values replaced by placeholders, whitespace collapsed. */
export function normalizeMessage(message: string): string {
  let normalized = message.slice(0, MAX_MESSAGE_CHARS * 4);
  for (const [pattern, placeholder] of PLACEHOLDERS) normalized = normalized.replace(pattern, placeholder);
  return normalized.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
}

const V8_FRAME = /^\s*at\s+(?:(.+?)\s+\((.+)\)|(.+))\s*$/;
// Firefox and Safari: fn@url:line:col (fn may be empty).
const GECKO_FRAME = /^\s*([^@\s]*)@(.+:\d+(?::\d+)?)\s*$/;
// Next's own browser chunks: framework code, not the application's.
const FRAMEWORK_CHUNK = /\/_next\/static\/chunks\/(?:framework|main|main-app|webpack|polyfills|pages\/_app|pages\/_error)[-.]/;

function locationOf(raw: string): string {
  return raw
    .trim()
    .replace(/:\d+(?::\d+)?$/, '')
    .replace(/[?#].*$/, '');
}

function isInAppLocation(location: string, projectRoot: string | null): boolean {
  if (location.includes('node_modules')) return false;
  if (/^(?:node:|internal\/|native\b|<anonymous>|bun:|chrome-extension:|moz-extension:|safari-extension:)/.test(location)) return false;
  if (location.startsWith('webpack-internal:///')) return /^webpack-internal:\/\/\/(?:\([^)]*\)\/)?\.\//.test(location);
  if (/^https?:\/\//.test(location)) return !FRAMEWORK_CHUNK.test(location);
  const path = location.replace(/^file:\/\//, '');
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) {
    return projectRoot !== null && path.replace(/\\/g, '/').startsWith(`${projectRoot.replace(/\\/g, '/').replace(/\/$/, '')}/`);
  }
  // Relative paths (source-mapped bundles) are the project's own.
  return path.length > 0;
}

function basenameOf(location: string): string {
  const name = location.split(/[\\/]/).filter(Boolean).pop() ?? location;
  // Bundle names carry content hashes (page-3f2a9c1d8e7b6a5f.js) that change with every release.
  return name.replace(/(?=[0-9a-f]*\d)[0-9a-f]{8,}/gi, '<hash>');
}

function functionNameOf(raw: string | undefined): string {
  const name = (raw ?? '')
    .replace(/^async\s+/, '')
    .replace(/^new\s+/, '')
    .replace(/\s+\[as [^\]]+\]$/, '')
    .trim();
  return name || '<anonymous>';
}

/** The frames of a V8 (Node, Chrome) or Gecko/WebKit (Firefox, Safari) stack, top first. */
export function parseStack(stack: string | null | undefined, projectRoot: string | null): TStackFrame[] {
  if (!stack) return [];
  const lines = stack.split('\n');
  const isV8 = lines.some((line) => /^\s*at\s/.test(line));
  const frames: TStackFrame[] = [];
  for (const line of lines) {
    let fn: string | undefined;
    let location: string;
    if (isV8) {
      const match = V8_FRAME.exec(line);
      if (!match) continue;
      fn = match[1];
      location = locationOf(match[2] ?? match[3]);
    } else {
      const match = GECKO_FRAME.exec(line);
      if (!match) continue;
      fn = match[1];
      location = locationOf(match[2]);
    }
    frames.push({ fn: functionNameOf(fn), file: basenameOf(location), isInApp: isInAppLocation(location, projectRoot) });
  }
  return frames;
}

function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * fingerprint = sha256(type, parameterised message, in-app frames as `file:function`, no line or column), so a
 * deploy that moves code keeps its groups. title = `type: message` (parameterised); culprit = the top in-app frame.
 * projectRoot decides which absolute paths are the application's (null: none are, only relative/bundle paths).
 */
export function fingerprintError(error: TErrorShape, projectRoot: string | null): TFingerprint {
  const type = error.type.trim() || 'Error';
  const normalizedMessage = normalizeMessage(error.message);
  const inAppFrames = parseStack(error.stack, projectRoot).filter((frame) => frame.isInApp);
  const significant: TStackFrame[] = [];
  for (const frame of inAppFrames) {
    const previous = significant[significant.length - 1];
    // Recursion repeats one frame: count it once.
    if (previous && previous.fn === frame.fn && previous.file === frame.file) continue;
    significant.push(frame);
    if (significant.length === MAX_FINGERPRINT_FRAMES) break;
  }
  const material = [type, normalizedMessage, ...significant.map((frame) => `${frame.file}:${frame.fn}`)].join('\n');
  const top = inAppFrames[0];
  return {
    fingerprint: createHash('sha256').update(material).digest('hex'),
    title: truncate(normalizedMessage ? `${type}: ${normalizedMessage}` : type, MAX_TITLE_CHARS),
    culprit: top ? `${top.fn} (${top.file})` : null,
    normalizedMessage,
    inAppFrames,
  };
}
