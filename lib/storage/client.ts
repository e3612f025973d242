import 'server-only';
import { CreateBucketCommand, HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { config } from '@/lib/config';

let client: S3Client | undefined;
let presigningClient: S3Client | undefined;

function newClient(options: Partial<S3ClientConfig> = {}): S3Client {
  const { S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_CONNECT_TIMEOUT_MS, S3_SOCKET_TIMEOUT_MS } = config();
  return new S3Client({
    region: S3_REGION,
    endpoint: S3_ENDPOINT,
    forcePathStyle: Boolean(S3_ENDPOINT),
    credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
    // A silent endpoint fails a call after S3_CONNECT_TIMEOUT_MS (connecting) or S3_SOCKET_TIMEOUT_MS without a byte
    // either way; deliberately no cap on a whole request, which would cut multi-GiB transfers that are progressing.
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS, socketTimeout: S3_SOCKET_TIMEOUT_MS },
    ...options,
  });
}

/** The one S3 client: path-style addressing so S3-compatible endpoints (s3rver, MinIO, R2) work too. */
export function s3(): S3Client {
  client ??= newClient();
  return client;
}

/**
 * The client that signs URLs. By default the SDK signs a CRC32 of the (absent) body into a presigned PUT, the
 * checksum of an empty file, which AWS, R2 and MinIO then hold every real upload to; checksums here are only
 * the ones we sign on purpose.
 */
export function presigner(): S3Client {
  presigningClient ??= newClient({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  return presigningClient;
}

export function bucketNames(): { files: string; archive: string } {
  const { S3_BUCKET, S3_ARCHIVE_BUCKET } = config();
  return { files: S3_BUCKET, archive: S3_ARCHIVE_BUCKET };
}

/** Throws when either bucket is unreachable (readiness probe). */
export async function checkBuckets(): Promise<void> {
  const { files, archive } = bucketNames();
  await Promise.all([files, archive].map((Bucket) => s3().send(new HeadBucketCommand({ Bucket }))));
}

/** Creates the buckets that do not exist yet (start-up against the embedded endpoint). */
export async function ensureBuckets(): Promise<void> {
  const { files, archive } = bucketNames();
  for (const Bucket of [files, archive]) {
    try {
      await s3().send(new HeadBucketCommand({ Bucket }));
    } catch {
      await s3().send(new CreateBucketCommand({ Bucket }));
    }
  }
}
