import { z } from 'zod';
import { appDatabaseUrlFor } from '@/db/app-role';
import { parseTrustedProxies } from '@/lib/client-address';

/**
 * Every setting Sitework reads from the environment, validated once. A bad value stops start-up with a
 * message naming the variable (see `.env.example` for what each one means).
 */
// An empty variable (FOO= in .env) means unset.
const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalUrl = (protocol: RegExp) => z.preprocess(blankAsUnset, z.url({ protocol }).optional());
const optionalHttpUrl = optionalUrl(/^https?$/);
const optionalString = z.preprocess(blankAsUnset, z.string().trim().optional());

const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a bare host name such as sitework.example.com or localhost')
    .default('localhost'),
  APP_URL: optionalHttpUrl,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  // The login role request code connects as (RLS applies to it). Unset: the sitework_app role on DATABASE_URL's
  // server and database, with a password derived from NEXTAUTH_SECRET that the migration step sets.
  DATABASE_APP_URL: z.preprocess(blankAsUnset, z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string').optional()),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // PostgreSQL cancels a statement running longer than this: request code (and the sign-in limiter)…
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  // …and platform work (operators, jobs such as archival, invoices and retention, which may run longer statements).
  DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  S3_ENDPOINT: optionalHttpUrl,
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().default('S3RVER'),
  S3_SECRET_ACCESS_KEY: z.string().default('S3RVER'),
  S3_BUCKET: z.string().min(3).default('sitework-files'),
  S3_ARCHIVE_BUCKET: z.string().min(3).default('sitework-archive'),
  // auto: Glacier restore on AWS (no S3_ENDPOINT), immediate copy-back on S3-compatible endpoints.
  S3_ARCHIVE_RESTORE_MODE: z.enum(['auto', 'glacier', 'copy']).default('auto'),
  // How long a presigned upload URL accepts a PUT; S3 checks the expiry when a transfer starts.
  S3_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(300),
  // S3 calls: time to open a connection, and the longest silence on an open one (never a cap on a whole transfer).
  S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  S3_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  ARCHIVAL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)'),
  SMTP_URL: optionalUrl(/^smtps?$/),
  MAIL_FROM: z.string().default('Sitework <no-reply@sitework.local>'),
  // Connecting, the greeting, and each silence within one SMTP conversation.
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  METRICS_TOKEN: optionalString,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalHttpUrl,
  OTEL_SERVICE_NAME: z.string().default('sitework'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated); none by default.
  TRUSTED_PROXIES: optionalString.superRefine((value, context) => {
    try {
      parseTrustedProxies(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^TRUSTED_PROXIES: /, '') });
    }
  }),
  // Password guessing (lib/auth/password-attempts): wrong passwords an account may have before it waits, the
  // longest such wait, and the attempts one client network may make in a window.
  SIGNIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  SIGNIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  SIGNIN_CLIENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(20),
  SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  // Tax on invoices in basis points (1000 = 10 %), an integer so invoice arithmetic stays exact.
  BILLING_TAX_RATE_BPS: z.coerce.number().int().min(0).max(10_000).default(1000),
  BILLING_CURRENCY: z.string().regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code such as usd').default('usd'),
  INVOICE_DUE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  // Another Stripe-compatible API (stripe-mock, a test stand-in); unset means api.stripe.com.
  STRIPE_API_URL: optionalHttpUrl,
  // One Stripe API call (each of its retries gets as long again).
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  // The release errors are attributed to (a git sha or version); unset: the checkout's commit, else package.json's version.
  SITEWORK_RELEASE: optionalString,
  // Raw usage events older than this are pruned nightly; the hourly and daily rollups are kept.
  USAGE_RAW_RETENTION_DAYS: z.coerce.number().int().min(366, 'must be at least 366: scripts may report events up to 366 days old').default(400),
  // Vector search: Qdrant when set, else exact search over vectors stored in PostgreSQL (lib/vectors).
  QDRANT_URL: optionalHttpUrl,
  QDRANT_API_KEY: optionalString,
  QDRANT_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -').default('sitework_estimates'),
  QDRANT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Memory the embedded store may use per process for cached tenant vectors (least recently searched evicted).
  VECTOR_CACHE_MB: z.coerce.number().int().min(16).max(65_536).default(512),
  // An external embedding endpoint replacing the built-in embedding (POST { estimate } → { vector, version }).
  EMBEDDING_URL: optionalHttpUrl,
  EMBEDDING_API_KEY: optionalString,
  EMBEDDING_DIMENSION: z.coerce.number().int().min(16).max(4096).default(256),
  EMBEDDING_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Redis shared by every web process for the per-minute rate limits (lib/cluster); unset: counted in each process.
  REDIS_URL: optionalUrl(/^rediss?$/),
  // Whether a web process also runs the background jobs; false on web replicas when `npm run worker` processes run them.
  RUN_JOBS: z.preprocess(blankAsUnset, z.enum(['true', 'false'], 'must be true or false').default('true')).transform((value) => value === 'true'),
});

export type TConfig = z.infer<typeof ZConfig> & { APP_URL: string; DATABASE_APP_URL: string };

export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): TConfig {
  const result = ZConfig.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const config = result.data;
  const port = config.PORT === 80 ? '' : `:${config.PORT}`;
  return {
    ...config,
    APP_URL: config.APP_URL ?? `http://${config.APP_DOMAIN}${port}`,
    DATABASE_APP_URL: config.DATABASE_APP_URL ?? appDatabaseUrlFor(config.DATABASE_URL, config.NEXTAUTH_SECRET),
  };
}

let cached: TConfig | undefined;

/** The validated configuration of this process; parsed on first use. */
export function config(): TConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
