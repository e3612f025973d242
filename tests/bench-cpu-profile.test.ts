import { describe, expect, it } from 'vitest';
import { selfTimeTable, shortLocation, topSelfTime, type TCpuProfile } from '../bench/cpu-profile';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0 });

/**
 * root → handle (server.mjs) → parse (node_modules/next/…) and stringify (V8), plus idle. Samples every 1 ms from
 * 1,000,000 µs: handle, parse, parse, stringify, idle, parse, handle, a second parse node of the same function.
 */
const profile: TCpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5] },
    { id: 2, callFrame: frame('handle', 'file:///srv/app/.next-bench-dist/server.mjs', 41), children: [3, 4, 6] },
    { id: 3, callFrame: frame('parse', 'file:///srv/app/.next-bench-dist/node_modules/next/dist/compiled/next-server/app-route.runtime.prod.js', 9) },
    { id: 4, callFrame: frame('stringify') },
    { id: 5, callFrame: frame('(idle)') },
    { id: 6, callFrame: frame('parse', 'file:///srv/app/.next-bench-dist/node_modules/next/dist/compiled/next-server/app-route.runtime.prod.js', 9) },
  ],
  startTime: 1_000_000,
  endTime: 1_008_000,
  samples: [2, 3, 3, 4, 5, 3, 2, 6],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('CPU profile summary', () => {
  it('adds up the self time of every node of a function and ranks functions by it, idle left out of the busy time', () => {
    const summary = topSelfTime(profile, { root: '/srv/app/.next-bench-dist' });
    expect(summary.isWindowed).toBe(false);
    expect(summary.idleMs).toBe(1);
    expect(summary.busyMs).toBe(7);
    expect(summary.rows).toEqual([
      { functionName: 'parse', location: 'next (app-route.runtime.prod.js:10:1)', selfMs: 4, share: 4 / 7 },
      { functionName: 'handle', location: 'server.mjs:42:1', selfMs: 2, share: 2 / 7 },
      { functionName: 'stringify', location: '', selfMs: 1, share: 1 / 7 },
    ]);
  });

  it('counts only the samples inside the window when one is given, and keeps the first `limit` functions', () => {
    // Samples at 1,004,000 (idle) … 1,007,000 (parse): the start-up part before the load is left out.
    const summary = topSelfTime(profile, { window: { fromMicros: 1_004_000, toMicros: 1_007_500 }, limit: 1 });
    expect(summary.isWindowed).toBe(true);
    expect(summary.idleMs).toBe(1);
    expect(summary.busyMs).toBe(3);
    expect(summary.rows).toEqual([{ functionName: 'parse', location: 'next (app-route.runtime.prod.js:10:1)', selfMs: 2, share: 2 / 3 }]);
  });

  it('keeps every sample when the window does not overlap the profile', () => {
    expect(topSelfTime(profile, { window: { fromMicros: 1, toMicros: 2 } })).toMatchObject({ isWindowed: false, busyMs: 7 });
  });

  it('shortens urls to the package and file, a path below the root, or leaves Node’s own as they are', () => {
    expect(shortLocation('file:///x/node_modules/@opentelemetry/api/build/src/api/context.js', 3, 7)).toBe('@opentelemetry/api (context.js:4:8)');
    expect(shortLocation('file:///srv/dist/.next-bench/server/chunks/812.js', 0, 4521, '/srv/dist/')).toBe('.next-bench/server/chunks/812.js:1:4522');
    expect(shortLocation('node:internal/streams/writable', 10, -1)).toBe('node:internal/streams/writable:11');
    expect(shortLocation('', -1, -1)).toBe('');
  });

  it('renders the table with one numbered row per function, V8’s own work named as such', () => {
    const table = selfTimeTable(topSelfTime(profile));
    expect(table.split('\n')).toEqual([
      '| # | function | where | self ms | % of busy time |',
      '| ---: | --- | --- | ---: | ---: |',
      '| 1 | `parse` | `next (app-route.runtime.prod.js:10:1)` | 4.0 | 57.1 % |',
      '| 2 | `handle` | `/srv/app/.next-bench-dist/server.mjs:42:1` | 2.0 | 28.6 % |',
      '| 3 | `stringify` | (V8 / native) | 1.0 | 14.3 % |',
    ]);
  });
});
