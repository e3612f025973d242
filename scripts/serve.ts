/**
 * The HTTP server of a web process: Next's request handler behind a plain Node server, so that every request
 * carries the client's address as this server saw it (lib/client-address). `next start` cannot do this: it keeps
 * a client-sent X-Forwarded-For, and route handlers never see the socket. scripts/package.ts bundles this file as
 * the packaged build's `server.mjs`, which `npm start` runs; `--dev` serves `next dev` (through tsx). PORT chooses
 * the port (all interfaces, as `next start`).
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import next from 'next';
import { parseTrustedProxies, stampClientAddress } from '../lib/client-address';
import { ConfigError, parseConfig } from '../lib/config';
import { runProcessStop } from '../lib/runtime';

const isDev = process.argv.includes('--dev');
// The build to serve. The packaged server.mjs has its build's folder written in when bundled (scripts/package.ts).
const distDir = process.env.NEXT_DIST_DIR || '.next';
/** However long requests or stop hooks take, the process exits this long after the stop signal. */
const HARD_STOP_MS = 10_000;

const say = (line: string) => process.stdout.write(`[sitework] ${line}\n`);
let isStopping = false;

function refuseToStart(sentence: string): never {
  process.stderr.write(`[sitework] ${sentence}\n`);
  process.exit(1);
}

/**
 * The configuration the build was made with, as Next recorded it beside the build. Served with it, the packaged
 * build needs no next.config.ts (nor TypeScript to read one), and a checkout serves its build the same way.
 */
function buildConfigOf(dir: string): unknown {
  const file = path.join(dir, distDir, 'required-server-files.json');
  if (!existsSync(file)) refuseToStart(`there is no build in ${path.join(dir, distDir)}: run npm run build first`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { config: unknown }).config;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let the requests in flight finish (their connections close
 * after the response instead of staying open for keep-alive), then run the stop hooks (buffered usage, errors
 * and failure counts are written, the job queue stops; lib/server-start) and exit 0.
 */
function stopOnSignals(server: http.Server, inFlight: Set<http.ServerResponse>, upgraded: Set<Duplex>): void {
  const stop = async (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    setTimeout(() => {
      process.stderr.write(`[sitework] still stopping ${HARD_STOP_MS / 1000} s after ${signal} (${inFlight.size} requests in flight): exiting anyway\n`);
      process.exit(1);
    }, HARD_STOP_MS).unref();
    say(`${signal}: stopping, ${inFlight.size} requests in flight`);
    // A response not begun yet tells its client the connection ends with it; one already sent closes its
    // connection when it is done (the request handler below).
    for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    for (const socket of upgraded) socket.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    const failures = await runProcessStop();
    for (const { name, error } of failures) {
      process.stderr.write(`[sitework] stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    say('stopped');
    process.exit(failures.length > 0 ? 1 : 0);
  };
  // Kept after the first signal, so that another (Ctrl-C reaches tsx and its child both) does not kill the process.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function main() {
  if (!process.env.DATABASE_URL) {
    refuseToStart('DATABASE_URL is not set: point it at the PostgreSQL database to serve (this server starts no embedded one; npm start does)');
  }
  try {
    parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) refuseToStart(error.message);
    throw error;
  }
  const dir = process.cwd();
  const port = Number(process.env.PORT ?? 3000);
  const trustedProxies = parseTrustedProxies(process.env.TRUSTED_PROXIES);
  if (!isDev) process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(buildConfigOf(dir));

  const app = next({ dev: isDev, dir, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();

  const inFlight = new Set<http.ServerResponse>();
  const upgraded = new Set<Duplex>();
  const server = http.createServer((request, response) => {
    stampClientAddress(request, trustedProxies);
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // The connection is idle now; while stopping it closes instead of waiting for another request.
      if (isStopping) setImmediate(() => server.closeIdleConnections());
    });
    void handle(request, response);
  });
  server.on('upgrade', (request, socket, head) => {
    stampClientAddress(request, trustedProxies);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    void upgrade(request, socket, head);
  });
  // Keep-alive longer than typical proxies' idle timeouts, so a proxy never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  stopOnSignals(server, inFlight, upgraded);
  server.listen(port, () => say(`serving on port ${port}${isDev ? ' (dev)' : ''}`));
}

main().catch((error: unknown) => {
  process.stderr.write(`[sitework] the web server could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
