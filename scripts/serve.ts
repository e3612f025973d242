/**
 * The HTTP server of a web process: Next's request handler behind a plain Node server, so that every request
 * carries the client's address as this server saw it (lib/client-address). `next start` cannot do this: it keeps
 * a client-sent X-Forwarded-For, and route handlers never see the socket. Run by `npm start` (scripts/start.ts);
 * `--dev` serves `next dev`. PORT chooses the port (all interfaces, as `next start`).
 */
import http from 'node:http';
import next from 'next';
import { parseTrustedProxies, stampClientAddress } from '../lib/client-address';

const isDev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const trustedProxies = parseTrustedProxies(process.env.TRUSTED_PROXIES);

async function main() {
  const app = next({ dev: isDev, dir: process.cwd(), port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((request, response) => {
    stampClientAddress(request, trustedProxies);
    void handle(request, response);
  });
  const upgrade = app.getUpgradeHandler();
  server.on('upgrade', (request, socket, head) => {
    stampClientAddress(request, trustedProxies);
    void upgrade(request, socket, head);
  });
  // Keep-alive longer than typical proxies' idle timeouts, so a proxy never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.listen(port, () => process.stdout.write(`[sitework] serving on port ${port}${isDev ? ' (dev)' : ''}\n`));

  // SIGTERM: stop accepting, let requests in flight finish (the buffered writers flush on the same signal, see
  // lib/server-start), then exit; a stuck request does not hold the process longer than 10 s.
  let isStopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (isStopping) return;
      isStopping = true;
      server.close(() => setTimeout(() => process.exit(0), 1_500));
      server.closeIdleConnections();
      setTimeout(() => process.exit(0), 10_000).unref();
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[sitework] the web server could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
