import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per process, kept on globalThis so Next's dev reloads do not register metrics twice.
const globalKey = Symbol.for('sitework.metrics');
type TMetrics = {
  registry: Registry;
  requests: Counter<string>;
  requestSeconds: Histogram<string>;
  archivalFiles: Counter<string>;
  archivalBytes: Counter<string>;
  vectorSearchSeconds: Histogram<string>;
};
const holder = globalThis as unknown as Record<symbol, TMetrics | undefined>;

function createMetrics(): TMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'sitework_api_requests_total',
      help: 'API requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'sitework_api_request_duration_seconds',
      help: 'API request latency by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    archivalFiles: new Counter({
      name: 'sitework_archival_files_total',
      help: 'Files the archival job moved to cold storage (outcome archived) or could not (failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    archivalBytes: new Counter({
      name: 'sitework_archival_bytes_total',
      help: 'Bytes the archival job moved to cold storage',
      registers: [registry],
    }),
    vectorSearchSeconds: new Histogram({
      name: 'vector_search_seconds',
      help: 'Similarity search latency of the vector store, by backend (postgres, qdrant)',
      labelNames: ['backend'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export function metrics(): TMetrics {
  holder[globalKey] ??= createMetrics();
  return holder[globalKey]!;
}

export function observeRequest(route: string, method: string, status: number, seconds: number): void {
  const m = metrics();
  const labels = { route, method, status: String(status) };
  m.requests.inc(labels);
  m.requestSeconds.observe(labels, seconds);
}

export function observeArchivedFile(outcome: 'archived' | 'failed', sizeBytes = 0): void {
  const m = metrics();
  m.archivalFiles.inc({ outcome });
  if (outcome === 'archived') m.archivalBytes.inc(sizeBytes);
}

export function observeVectorSearch(backend: 'postgres' | 'qdrant', seconds: number): void {
  metrics().vectorSearchSeconds.observe({ backend }, seconds);
}
