import { registerOTel } from '@vercel/otel';

/**
 * Runs once per server process: tracing (exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set), then the
 * start-up checks and background loops of the Node runtime.
 */
export async function register() {
  registerOTel({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'sitework' });
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/server-start');
    await startServer();
  }
}
