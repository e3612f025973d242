import 'server-only';
import type { TEmbedder } from './embedding';
import type { TCostEstimate } from './model';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface TRemoteEmbedderOptions {
  /** POST { estimate } → { vector: number[], version: string }. */
  url: string;
  apiKey?: string;
  dimension: number;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/**
 * An embedder behind an HTTP endpoint. TEmbedder.version is read before any call (it is stored with vectors and
 * compared in searches), so it cannot be the endpoint's own version: it is `remote:<host>-d<dimension>`. Pointing
 * EMBEDDING_URL at another host or changing the dimension thus starts a new version (a reindex); a model change
 * behind the same URL needs a new URL (e.g. /v2/embed on another host name) or a reindex started by an operator.
 * The endpoint's own `version` is checked to be present, not stored.
 * Every failure throws; the indexing job keeps the outbox row and retries.
 */
export function createRemoteEmbedder(options: TRemoteEmbedderOptions): TEmbedder {
  const { url, apiKey, dimension, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const endpoint = new URL(url);
  return {
    version: `remote:${endpoint.host}-d${dimension}`,
    dimension,
    embed: async (estimate: TCostEstimate) => {
      const timedOut = (error: unknown) => error instanceof Error && error.name === 'TimeoutError';
      const timeoutError = () => new Error(`embedding endpoint ${endpoint.host} did not answer within ${timeoutMs} ms`);
      let response: Response;
      try {
        // The signal covers the whole exchange: connecting, the headers and reading the body.
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
          body: JSON.stringify({ estimate }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if (timedOut(error)) throw timeoutError();
        throw new Error(`embedding endpoint ${endpoint.host} unreachable: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!response.ok) {
        const detail = (await response.text().catch(() => '')).slice(0, 200);
        throw new Error(`embedding endpoint ${endpoint.host} answered ${response.status}${detail ? `: ${detail}` : ''}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        if (timedOut(error)) throw timeoutError();
        throw new Error(`embedding endpoint ${endpoint.host} answered with invalid JSON`);
      }
      const { vector, version } = (body ?? {}) as { vector?: unknown; version?: unknown };
      // The endpoint's version is required by the protocol but not stored: see the comment above.
      if (typeof version !== 'string' || version === '') throw new Error(`embedding endpoint ${endpoint.host} returned no version`);
      if (!Array.isArray(vector) || vector.length !== dimension) {
        throw new Error(
          `embedding endpoint ${endpoint.host} returned ${Array.isArray(vector) ? `${vector.length} numbers` : 'no vector'}, expected ${dimension}`,
        );
      }
      let norm = 0;
      for (const value of vector) {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`embedding endpoint ${endpoint.host} returned a non-finite number`);
        norm += value * value;
      }
      if (norm === 0) throw new Error(`embedding endpoint ${endpoint.host} returned a zero vector`);
      norm = Math.sqrt(norm);
      return (vector as number[]).map((value) => value / norm);
    },
  };
}
