import { registerOTel } from '@vercel/otel';
import type { Instrumentation } from 'next';

/**
 * Runs once per server process: tracing (recorded and exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set), then the
 * start-up checks and background loops of the Node runtime.
 */
export async function register() {
  const isExporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  registerOTel({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'sitework',
    // Trace and span ids (which every log line carries) exist either way; spans are recorded only when they have
    // somewhere to go: a recorded span nobody exports would only cost each request its attributes and timings.
    spanProcessors: isExporting ? ['auto'] : [],
    traceSampler: isExporting ? 'auto' : 'always_off',
  });
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/server-start');
    await startServer();
  }
}

const headerOf = (headers: NodeJS.Dict<string | string[]>, name: string): string | null => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
};

/**
 * Errors Next catches itself: server components and pages while rendering, and anything thrown past a handler
 * (route() and action() answer their own errors, so those arrive here only if a wrapper is missing). Captured
 * into the error analytics buffer; the tenant is the one the Host names, resolved when the buffer is written.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { captureError } = await import('./lib/errors');
    const digest = (error as { digest?: unknown } | null)?.digest;
    captureError({
      source: context.routeType === 'render' ? 'render' : context.routeType === 'action' ? 'action' : 'server',
      error,
      host: headerOf(request.headers, 'host'),
      tenantSlug: headerOf(request.headers, 'x-tenant-slug'),
      route: context.routePath,
      method: request.method,
      status: 500,
      requestId: headerOf(request.headers, 'x-request-id'),
      userAgent: headerOf(request.headers, 'user-agent'),
      metadata: {
        path: request.path,
        routerKind: context.routerKind,
        routeType: context.routeType,
        ...(context.renderSource && { renderSource: context.renderSource }),
        ...(typeof digest === 'string' && { digest }),
      },
    });
  }
};
