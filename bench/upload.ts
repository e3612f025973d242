/**
 * Upload throughput of one large file through POST /api/v1/files of a running server, and the server's
 * memory meanwhile: the body is generated on the fly (never held here either) and the server's resident
 * memory is sampled from /proc/<pid>/status (Linux; elsewhere the memory figures are 0).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

export interface TUploadBenchOptions {
  baseUrl: string;
  apiKey: string;
  sizeBytes: number;
  /** The server process to watch (VmRSS); without it memory is not measured. */
  pid?: number;
}

export interface TUploadBenchResult {
  mbPerSecond: number;
  peakRssMiB: number;
  rssGrowthMiB: number;
}

const MiB = 1024 * 1024;
const SAMPLE_EVERY_MS = 50;

function residentMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function benchUpload(opts: TUploadBenchOptions): Promise<TUploadBenchResult> {
  const url = new URL(`/api/v1/files?filename=${encodeURIComponent(`bench-${Date.now()}.pdf`)}`, opts.baseUrl);
  const chunk = randomBytes(MiB);
  // Only the first chunk carries the PDF signature the server sniffs.
  const firstChunk = Buffer.concat([Buffer.from('%PDF-1.7\n'), chunk]).subarray(0, MiB);
  const baselineMiB = residentMiB(opts.pid);
  let peakMiB = baselineMiB;
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, residentMiB(opts.pid))), SAMPLE_EVERY_MS);
  const started = performance.now();
  try {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${opts.apiKey}`,
            'content-type': 'application/pdf',
            'content-length': String(opts.sizeBytes),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (part: string) => (text += part));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      let sentBytes = 0;
      // Writes until the socket pushes back, then waits for drain: the body is never held in memory.
      const pump = () => {
        while (sentBytes < opts.sizeBytes) {
          const size = Math.min(chunk.length, opts.sizeBytes - sentBytes);
          const piece = (sentBytes === 0 ? firstChunk : chunk).subarray(0, size);
          sentBytes += size;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    if (status !== 201) throw new Error(`upload answered ${status}: ${body.slice(0, 300)}`);
    const seconds = (performance.now() - started) / 1000;
    const stored = (JSON.parse(body) as { file: { sizeBytes: number } }).file.sizeBytes;
    if (stored !== opts.sizeBytes) throw new Error(`the server stored ${stored} bytes of ${opts.sizeBytes}`);
    return {
      mbPerSecond: Math.round((opts.sizeBytes / 1e6 / seconds) * 10) / 10,
      peakRssMiB: Math.round(peakMiB),
      rssGrowthMiB: Math.round(peakMiB - baselineMiB),
    };
  } finally {
    clearInterval(sampler);
  }
}
