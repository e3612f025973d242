/** A same-origin path to continue to after sign-in; anything else (//evil.example, https://…) becomes the fallback. */
export function safeNextPath(value: string | string[] | undefined, fallback: string): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
