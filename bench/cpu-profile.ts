/**
 * The top functions by self time of a V8 CPU profile (the `.cpuprofile` JSON that `node --cpu-prof` writes):
 * where the server's own CPU went during a load, as a table. Pure: no file or process access.
 */

export interface TCpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string | number };
  children?: number[];
}

export interface TCpuProfile {
  nodes: TCpuProfileNode[];
  /** Microseconds on the machine's monotonic clock (process.hrtime of any process on the same machine). */
  startTime: number;
  endTime: number;
  /** Node id of each sample. */
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

export interface TSelfTimeRow {
  functionName: string;
  /** Where the function is: `package (file)` for node_modules, a path relative to the root, or Node's own url. */
  location: string;
  selfMs: number;
  /** Share of the busy time (every sample but idle). */
  share: number;
}

export interface TSelfTimeSummary {
  rows: TSelfTimeRow[];
  /** Sampled time that was not idle, in the window. */
  busyMs: number;
  idleMs: number;
  /** Whether samples were limited to the window asked for (false: it did not overlap the profile, all were kept). */
  isWindowed: boolean;
}

/** `@scope/name/dist/x.js` → `@scope/name`; `name/lib/x.js` → `name`. */
function packageOf(pathInNodeModules: string): string {
  const parts = pathInNodeModules.split('/');
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * A script url made short enough for a table: the package and file name, or the path below `root`, with the line and
 * column (1-based; the column tells functions apart in a minified bundle's one long line).
 */
export function shortLocation(url: string, lineNumber: number, columnNumber: number, root?: string): string {
  if (!url) return '';
  const line = lineNumber >= 0 ? `:${lineNumber + 1}${columnNumber >= 0 ? `:${columnNumber + 1}` : ''}` : '';
  const filePath = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const marker = filePath.lastIndexOf('/node_modules/');
  if (marker !== -1) {
    const inside = filePath.slice(marker + '/node_modules/'.length);
    return `${packageOf(inside)} (${inside.slice(inside.lastIndexOf('/') + 1)}${line})`;
  }
  if (root && filePath.startsWith(`${root.replace(/\/$/, '')}/`)) return `${filePath.slice(root.replace(/\/$/, '').length + 1)}${line}`;
  return `${filePath}${line}`;
}

/**
 * Self time per function (nodes of the same function, name and position, added up), the `limit` largest first.
 * A sample lasts until the next one (the last until endTime). With `window` (monotonic microseconds, as the
 * profile's clock) only the samples taken inside it count, e.g. the load and not the server's start-up.
 */
export function topSelfTime(
  profile: TCpuProfile,
  options: { limit?: number; window?: { fromMicros: number; toMicros: number }; root?: string } = {},
): TSelfTimeSummary {
  const limit = options.limit ?? 10;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const times: number[] = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) {
    at += delta;
    times.push(at);
  }
  const window = options.window;
  const isWindowed = !!window && window.fromMicros < profile.endTime && window.toMicros > profile.startTime;
  const selfMicros = new Map<string, { functionName: string; location: string; micros: number }>();
  let busyMicros = 0;
  let idleMicros = 0;
  profile.samples.forEach((nodeId, i) => {
    if (isWindowed && (times[i] < window.fromMicros || times[i] > window.toMicros)) return;
    const duration = Math.max(0, (i + 1 < times.length ? times[i + 1] : profile.endTime) - times[i]);
    const frame = nodes.get(nodeId)?.callFrame;
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idleMicros += duration;
      return;
    }
    busyMicros += duration;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    const entry = selfMicros.get(key) ?? {
      functionName: frame.functionName || '(anonymous)',
      location: shortLocation(frame.url, frame.lineNumber, frame.columnNumber, options.root),
      micros: 0,
    };
    entry.micros += duration;
    selfMicros.set(key, entry);
  });
  const rows = [...selfMicros.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, limit)
    .map((e) => ({ functionName: e.functionName, location: e.location, selfMs: e.micros / 1000, share: busyMicros > 0 ? e.micros / busyMicros : 0 }));
  return { rows, busyMs: busyMicros / 1000, idleMs: idleMicros / 1000, isWindowed };
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

/** The summary as a Markdown table (also readable on a terminal). */
export function selfTimeTable(summary: TSelfTimeSummary): string {
  return [
    '| # | function | where | self ms | % of busy time |',
    '| ---: | --- | --- | ---: | ---: |',
    ...summary.rows.map(
      (row, i) =>
        `| ${i + 1} | \`${escapeCell(row.functionName)}\` | ${row.location ? `\`${escapeCell(row.location)}\`` : '(V8 / native)'} | ${row.selfMs.toFixed(1)} | ${(row.share * 100).toFixed(1)} % |`,
    ),
  ].join('\n');
}
