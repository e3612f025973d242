/**
 * The ILIKE pattern for "contains `text`": LIKE's wildcards in what a user typed (%, _ and the escape \) match
 * themselves, not anything.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
