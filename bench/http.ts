/**
 * Minimal HTTP/1.1 client for the usage benchmarks: keep-alive connections and a Host header of our choosing
 * (fetch would not send a tenant host such as bench-0001.localhost to 127.0.0.1).
 */
import { Agent, request } from 'node:http';

export interface THttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<THttpResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Latency percentile (nearest rank) of sorted milliseconds. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank];
}
