import path from 'node:path';
import S3rver from 's3rver';
import { freePort } from '../db/embedded';

export interface TEmbeddedS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/** An S3-compatible endpoint (s3rver) on loopback with objects under `directory`, buckets pre-created. */
export async function startEmbeddedS3(directory: string, buckets: string[]): Promise<TEmbeddedS3> {
  const port = await freePort();
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory: path.resolve(directory),
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => server.close() };
}
