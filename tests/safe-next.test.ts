import { describe, expect, it } from 'vitest';
// Imported relatively: the lint rule against importing app/ guards lib/, not tests.
import { safeNextPath } from '../app/_lib/safe-next';

const FALLBACK = '/orgs';

describe('the path to continue to after sign-in', () => {
  it.each([
    ['/members', '/members'],
    ['/files?status=completed&q=a%20b', '/files?status=completed&q=a%20b'],
    ['/estimates/42#similar', '/estimates/42#similar'],
    ['/admin/audit?from=2026-01-01#top', '/admin/audit?from=2026-01-01#top'],
    ['/', '/'],
  ])('keeps the same-origin path %s with its query and hash', (given, kept) => {
    expect(safeNextPath(given, FALLBACK)).toBe(kept);
  });

  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash after the slash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a tab between the slashes', '/\t/evil.example'],
    ['a newline between the slashes', '/\n/evil.example'],
    ['a carriage return between the slashes', '/\r/evil.example'],
    ['a tab before the slashes', '\t//evil.example'],
    ['a dot segment that collapses to //', '/.//evil.example'],
    ['an absolute https URL', 'https://evil.example/path'],
    ['an absolute URL on another scheme', 'javascript:alert(1)'],
    ['a relative path', 'members'],
    ['nothing', ''],
  ])('falls back for %s', (_, given) => {
    expect(safeNextPath(given, FALLBACK)).toBe(FALLBACK);
  });

  it.each([
    ['an encoded tab', '/%09/evil.example'],
    ['an encoded backslash', '/%5c/evil.example'],
    ['an encoded slash', '/%2f/evil.example'],
  ])('keeps %s as a path on this origin, still encoded', (_, given) => {
    const path = safeNextPath(given, FALLBACK);
    expect(path).toBe(given);
    expect(new URL(path, 'http://portal.example').host).toBe('portal.example');
  });

  it('returns the parsed path, not the raw text: a tab is dropped as a browser would drop it', () => {
    expect(safeNextPath('/\tjavascript:alert(1)', FALLBACK)).toBe('/javascript:alert(1)');
    expect(safeNextPath('/mem\nbers', FALLBACK)).toBe('/members');
  });

  it('uses the first of repeated next parameters, and the fallback when there is none', () => {
    expect(safeNextPath(['/members', '//evil.example'], FALLBACK)).toBe('/members');
    expect(safeNextPath(['//evil.example', '/members'], FALLBACK)).toBe(FALLBACK);
    expect(safeNextPath(undefined, FALLBACK)).toBe(FALLBACK);
  });
});
