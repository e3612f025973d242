import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../db/embedded';
import { packagedBuildDirOf } from '../../scripts/packaged-build';

/**
 * Real Sitework processes for tests that need more than one: web servers and workers started the way a
 * deployment starts them, on the test file's database and S3 endpoint, and a real redis-server.
 */
export const E2E_DIST_DIR = '.next-e2e';

export interface TAppProcess {
  name: string;
  child: ChildProcess;
  /** Every line the process printed (stdout and stderr). */
  lines: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface TWebProcess extends TAppProcess {
  port: number;
  /** http://127.0.0.1:port: Node's fetch cannot resolve *.localhost, so callers send a Host header. */
  baseUrl: string;
}

export { freePort };

/**
 * Builds the app into .next-e2e and packages it into .next-e2e-dist unless they are there (`npm test` builds them
 * once, before the tests). Test files that need them at once take turns: one builds, the others wait for it.
 */
export async function ensureBuild(): Promise<void> {
  const lock = `${E2E_DIST_DIR}.building`;
  const deadline = Date.now() + 15 * 60_000;
  while (!existsSync(path.join(packagedBuildDirOf(E2E_DIST_DIR), 'server.mjs'))) {
    if (Date.now() > deadline) throw new Error(`${lock} is still there after 15 minutes: a build hangs, or one died and left it (delete it)`);
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    try {
      // Not spawnSync: a worker blocked for the build's minute misses vitest's calls and fails the run.
      const build = spawn('npm', ['run', 'test:build'], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' });
      const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
      if (code !== 0) throw new Error(`npm run test:build exited with ${code}`);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** The environment of an app process: the test file's database, S3 and secret, plus `extra`. */
export function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const names = ['PATH', 'HOME', 'DATABASE_URL', 'NEXTAUTH_SECRET', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET', 'S3_ARCHIVE_BUCKET'];
  const env = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  return { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', AUTH_TRUST_HOST: 'true', LOG_LEVEL: 'info', APP_DOMAIN: 'localhost', ...extra };
}

export function track(name: string, child: ChildProcess): TAppProcess {
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    lines,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitFor(what: string, process: TAppProcess, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) throw new Error(`${process.name} exited with ${process.child.exitCode}:\n${process.lines.slice(-30).join('\n')}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${process.name}: ${what} within ${timeoutMs} ms; it printed:\n${process.lines.slice(-30).join('\n')}`);
}

/** What a deployment runs: the packaged build's entry points (`npm run build`'s output, as in the image). */
const packaged = () => path.resolve(packagedBuildDirOf(E2E_DIST_DIR));

/** A web process (`node server.mjs` of the packaged .next-e2e build), ready when /api/health/ready answers 200. */
export async function startWeb(name: string, extraEnv: Record<string, string>): Promise<TWebProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: packaged(),
    env: appEnv({ PORT: String(port), APP_URL: `http://localhost:${port}`, NEXTAUTH_URL: `http://localhost:${port}`, ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const web = { ...track(name, child), port, baseUrl: `http://127.0.0.1:${port}` };
  await waitFor('ready', web, async () => {
    try {
      return (await fetch(`${web.baseUrl}/api/health/ready`)).status === 200;
    } catch {
      return false;
    }
  }, 90_000);
  return web;
}

/** A worker process (`node worker.mjs` of the packaged build), ready when it says so. */
export async function startWorker(name: string, extraEnv: Record<string, string>): Promise<TAppProcess> {
  const child = spawn(process.execPath, ['worker.mjs'], { cwd: packaged(), env: appEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  const worker = track(name, child);
  await waitFor('started', worker, () => worker.lines.some((line) => line.includes('sitework worker started')), 60_000);
  return worker;
}

/** A throwaway redis-server (Debian's package) on a free port, with no persistence. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const found = spawnSync('redis-server', ['--version']);
  if (found.error) throw new Error('redis-server is not installed: `apt-get install redis-server` (Debian) provides it');
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sitework-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const redis = track('redis', child);
  await waitFor('ready', redis, () => redis.lines.some((line) => line.includes('Ready to accept connections')), 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON log lines (pino) a process printed, parsed; other lines are skipped. */
export function logRecords(process: TAppProcess): Record<string, unknown>[] {
  return process.lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Runs a command to its end with `stdin` written to it: its exit code and everything it printed. */
export function runToEnd(
  command: string,
  args: string[],
  options: SpawnOptions,
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}
