// Any origin will do: only whether `next` stays on it matters.
const PLACEHOLDER_ORIGIN = 'http://sitework.invalid';

/**
 * A same-origin path to continue to after sign-in; anything else becomes the fallback. The value is parsed the
 * way a browser would (which drops tabs and newlines and reads `\` as `/`), so `/\t/evil.example` or `/\evil`
 * cannot slip through as a path; the path returned is the parsed one, never the raw text.
 */
export function safeNextPath(value: string | string[] | undefined, fallback: string): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next?.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" parses to the path "//evil.example", which a browser would read as another host.
  return path.startsWith('//') ? fallback : path;
}
