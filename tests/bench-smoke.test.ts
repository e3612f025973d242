import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2E_DIST_DIR, ensureBuild } from './support/app-processes';

/**
 * `npm run bench -- --smoke` in `npm test`, so that the bench never rots: every part for a few seconds with tiny
 * sizes, on its own embedded PostgreSQL and S3, serving the packaged build `npm test` made (test:build). `npm run
 * test:unit` runs it after the other files, alone: its load would disturb timing-sensitive tests running beside it.
 */
const SHELL_VARIABLES = new Set(['PATH', 'HOME', 'TMPDIR', 'BENCH_DIST_DIR', 'NEXT_TELEMETRY_DISABLED']);
const PARTS = ['wrapper', 'upload', 'ingest', 'usage-stats', 'pages', 'audit', 'estimates', 'invoices', 'archival'];

/** Processes whose command line mentions `text` (Linux). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return commandLine.includes(text) ? [`${pid}: ${commandLine}`] : [];
      } catch {
        return [];
      }
    });
}

beforeAll(async () => {
  await ensureBuild();
}, 900_000);

describe('npm run bench -- --smoke', () => {
  it('runs every part, says each is done, exits 0 and leaves no data directory or PostgreSQL behind', async () => {
    // Only what a shell would have: not the test file's database, S3 endpoint or log level (nor vitest's NODE_ENV).
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DIST_DIR: E2E_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' };
    for (const name of Object.keys(env)) if (!SHELL_VARIABLES.has(name)) delete env[name];
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['--conditions=react-server', 'scripts/bench.ts', '--smoke'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code, `stderr:\n${stderr.slice(-3000)}\nstdout:\n${stdout.slice(-3000)}`).toBe(0);
    for (const part of PARTS) expect(stdout).toMatch(new RegExp(`^\\[bench\\] done: ${part} — `, 'm'));
    expect(stdout).toMatch(/reusing the packaged build in \.next-e2e-dist/);
    expect(stderr).not.toMatch(/INVALID/);

    const dataDir = /fresh cluster in (\S+)\/postgres/.exec(stdout)?.[1];
    expect(dataDir).toMatch(/^\.data\/bench-smoke-\d+$/);
    expect(existsSync(dataDir!)).toBe(false);
    expect(processesMentioning(path.resolve(dataDir!))).toEqual([]);
  }, 600_000);
});
