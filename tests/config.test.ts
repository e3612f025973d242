import { describe, expect, it } from 'vitest';
import { appRolePasswordFor } from '@/db/app-role';
import { ConfigError, parseConfig } from '@/lib/config';

const SECRET = 'a-perfectly-long-secret-of-32-chars!';
const minimal = { DATABASE_URL: 'postgres://sitework@db.internal:5432/sitework', NEXTAUTH_SECRET: SECRET };

function problemsOf(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('parseConfig', () => {
  it('applies the defaults to a minimal environment', () => {
    expect(parseConfig(minimal)).toEqual({
      ...minimal,
      NODE_ENV: 'development',
      PORT: 3000,
      APP_DOMAIN: 'localhost',
      APP_URL: 'http://localhost:3000',
      DATABASE_APP_URL: `postgres://sitework_app:${appRolePasswordFor(SECRET)}@db.internal:5432/sitework`,
      DATABASE_POOL_MAX: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
      DATABASE_PLATFORM_STATEMENT_TIMEOUT_MS: 300_000,
      S3_ENDPOINT: undefined,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_BUCKET: 'sitework-files',
      S3_ARCHIVE_BUCKET: 'sitework-archive',
      S3_ARCHIVE_RESTORE_MODE: 'auto',
      S3_UPLOAD_URL_TTL_SECONDS: 300,
      S3_CONNECT_TIMEOUT_MS: 5_000,
      S3_SOCKET_TIMEOUT_MS: 60_000,
      ARCHIVAL_CONCURRENCY: 8,
      SMTP_URL: undefined,
      MAIL_FROM: 'Sitework <no-reply@sitework.local>',
      SMTP_TIMEOUT_MS: 10_000,
      METRICS_TOKEN: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_SERVICE_NAME: 'sitework',
      LOG_LEVEL: 'info',
      TRUSTED_PROXIES: undefined,
      SIGNIN_MAX_ATTEMPTS: 5,
      SIGNIN_BACKOFF_MAX_SECONDS: 900,
      SIGNIN_CLIENT_MAX_ATTEMPTS: 20,
      SIGNIN_WINDOW_SECONDS: 900,
      BILLING_TAX_RATE_BPS: 1000,
      BILLING_CURRENCY: 'usd',
      INVOICE_DUE_DAYS: 30,
      STRIPE_SECRET_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      STRIPE_API_URL: undefined,
      STRIPE_TIMEOUT_MS: 20_000,
      SITEWORK_RELEASE: undefined,
      USAGE_RAW_RETENTION_DAYS: 400,
      QDRANT_URL: undefined,
      QDRANT_API_KEY: undefined,
      QDRANT_COLLECTION: 'sitework_estimates',
      QDRANT_TIMEOUT_MS: 10_000,
      VECTOR_CACHE_MB: 512,
      EMBEDDING_URL: undefined,
      EMBEDDING_API_KEY: undefined,
      EMBEDDING_DIMENSION: 256,
      EMBEDDING_TIMEOUT_MS: 10_000,
      RUN_JOBS: true,
    });
  });

  it('turns numbers given as strings into numbers', () => {
    const config = parseConfig({ ...minimal, PORT: '8080', DATABASE_POOL_MAX: '25', SIGNIN_MAX_ATTEMPTS: '3' });
    expect(config).toMatchObject({ PORT: 8080, DATABASE_POOL_MAX: 25, SIGNIN_MAX_ATTEMPTS: 3 });
  });

  it('reads a blank optional variable (FOO= in .env) as unset', () => {
    const config = parseConfig({ ...minimal, S3_ENDPOINT: '', SMTP_URL: '  ', METRICS_TOKEN: '' });
    expect(config).toMatchObject({ S3_ENDPOINT: undefined, SMTP_URL: undefined, METRICS_TOKEN: undefined });
  });

  it.each([
    [{ APP_DOMAIN: 'sitework.example.com', PORT: '8080' }, 'http://sitework.example.com:8080'],
    [{ APP_DOMAIN: 'sitework.example.com', PORT: '80' }, 'http://sitework.example.com'],
    [{ PORT: '4000' }, 'http://localhost:4000'],
    [{ APP_DOMAIN: 'sitework.example.com', APP_URL: 'https://sitework.example.com' }, 'https://sitework.example.com'],
  ])('derives APP_URL from %j as %s', (env, appUrl) => {
    expect(parseConfig({ ...minimal, ...env }).APP_URL).toBe(appUrl);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NEXTAUTH_SECRET', 'short'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_POOL_MAX', '0'],
    ['APP_DOMAIN', 'https://sitework.example.com'],
    ['APP_URL', 'not a url'],
    ['S3_ENDPOINT', '//minio:9000'],
    ['LOG_LEVEL', 'verbose'],
    ['NODE_ENV', 'staging'],
  ])('refuses %s=%j with an error that names the variable', (name, value) => {
    const message = problemsOf({ ...minimal, [name]: value });
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(new RegExp(`^  - ${name}: `, 'm'));
  });

  it('keeps a DATABASE_APP_URL that is given, and refuses one that is not a postgres URL', () => {
    const given = 'postgres://app:pw@db.internal:5432/sitework';
    expect(parseConfig({ ...minimal, DATABASE_APP_URL: given }).DATABASE_APP_URL).toBe(given);
    expect(problemsOf({ ...minimal, DATABASE_APP_URL: 'mysql://x' })).toMatch(/^ {2}- DATABASE_APP_URL: /m);
  });

  it('names a TRUSTED_PROXIES entry that is not an address or range', () => {
    expect(parseConfig({ ...minimal, TRUSTED_PROXIES: '10.0.0.0/8,::1' }).TRUSTED_PROXIES).toBe('10.0.0.0/8,::1');
    expect(problemsOf({ ...minimal, TRUSTED_PROXIES: '10.0.0.0/8,lb.internal' })).toMatch(/TRUSTED_PROXIES: "lb.internal" is not an IP address/);
  });

  it('names a required variable that is missing', () => {
    expect(problemsOf({ NEXTAUTH_SECRET: SECRET })).toMatch(/^ {2}- DATABASE_URL: /m);
    expect(problemsOf({ DATABASE_URL: minimal.DATABASE_URL })).toMatch(/^ {2}- NEXTAUTH_SECRET: /m);
  });

  it('lists every bad variable at once, and says how to fix the secret without echoing it', () => {
    const message = problemsOf({ DATABASE_URL: 'mysql://x', NEXTAUTH_SECRET: 'hunter2-but-short', PORT: 'abc' });
    for (const name of ['DATABASE_URL', 'NEXTAUTH_SECRET', 'PORT']) expect(message).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    expect(message).toMatch(/at least 32 characters/);
    expect(message).not.toContain('hunter2');
  });
});
