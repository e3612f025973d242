import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { TEST_NEXTAUTH_SECRET } from './secrets';

/**
 * Runs before each test file: a fresh database cloned from the migrated template, and the environment the
 * app reads, set before any app module is imported.
 */
const TEMPLATE_DATABASE = 'sitework_template';
const adminUrl = inject('adminDatabaseUrl');
const database = `test_${randomBytes(6).toString('hex')}`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${database} template ${TEMPLATE_DATABASE}`);

const url = new URL(adminUrl);
url.pathname = `/${database}`;
Object.assign(process.env, {
  DATABASE_URL: url.toString(),
  DATABASE_POOL_MAX: '6',
  NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
  APP_DOMAIN: 'localhost',
  APP_URL: 'http://localhost:3000',
  S3_ENDPOINT: inject('s3Endpoint'),
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  S3_BUCKET: `files-${database.replace(/_/g, '-')}`,
  S3_ARCHIVE_BUCKET: `archive-${database.replace(/_/g, '-')}`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
});

afterAll(async () => {
  const { closeDb } = await import('@/db/client');
  await closeDb();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
});
