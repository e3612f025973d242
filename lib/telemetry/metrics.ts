import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per process, kept on globalThis so Next's dev reloads do not register metrics twice.
const globalKey = Symbol.for('sitework.metrics');
type TMetrics = {
  registry: Registry;
  requests: Counter<string>;
  requestSeconds: Histogram<string>;
  archivalFiles: Counter<string>;
  archivalBytes: Counter<string>;
  vectorSearchSeconds: Histogram<string>;
  vectorCacheBytes: Gauge<string>;
  vectorCacheEvictions: Counter<string>;
  uncachedVectorSearches: Counter<string>;
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
    vectorCacheBytes: new Gauge({
      name: 'vector_cache_bytes',
      help: "Memory the PostgreSQL vector store's cache holds, as charged against VECTOR_CACHE_MB",
      registers: [registry],
    }),
    vectorCacheEvictions: new Counter({
      name: 'vector_cache_evictions_total',
      help: "Tenants dropped from the PostgreSQL vector store's cache to make room for another",
      registers: [registry],
    }),
    uncachedVectorSearches: new Counter({
      name: 'vector_search_uncached_total',
      help: 'Searches of the PostgreSQL vector store that scanned the tenant because its vectors did not fit the cache',
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

/** The vector cache grew (positive) or shrank (negative) by this many bytes. */
export function adjustVectorCacheBytes(deltaBytes: number): void {
  metrics().vectorCacheBytes.inc(deltaBytes);
}

export function observeVectorCacheEviction(): void {
  metrics().vectorCacheEvictions.inc();
}

export function observeUncachedVectorSearch(): void {
  metrics().uncachedVectorSearches.inc();
}
