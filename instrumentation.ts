import { registerOTel } from '@vercel/otel';

/**
 * Runs once per server process: tracing (exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set), then the
 * start-up checks and background loops of the Node runtime.
 */
export async function register() {
  registerOTel({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'sitework',
    // Spans (and the trace ids in our logs) exist either way; they leave the process only when asked to.
    spanProcessors: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? ['auto'] : [],
  });
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/server-start');
    await startServer();
  }
}
