import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyPassword } from '@/lib/auth';
import { runToEnd } from './support/app-processes';
import { TEST_NEXTAUTH_SECRET } from './support/secrets';

/**
 * `npm start` against a configured DATABASE_URL (a production database) must not create the demo accounts, whose
 * password is published. Runs the real launcher (`--no-serve`: migrate, seed if asked, print, exit) on a fresh
 * database of the test server, and the real create-operator script.
 */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/tsx/dist/cli.mjs');
const database = `prod_${randomBytes(6).toString('hex')}`;
const adminUrl = inject('adminDatabaseUrl');
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const url = new URL(adminUrl);
url.pathname = `/${database}`;
const productionUrl = url.toString();
const db = postgres(productionUrl, { max: 1, onnotice: () => {} });

function launcherEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bucket = database.replace(/_/g, '-');
  return {
    NODE_ENV: 'production',
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: productionUrl,
    // The app role's password is cluster-wide: the same secret as every other test database uses.
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    S3_ENDPOINT: inject('s3Endpoint'),
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_BUCKET: `files-${bucket}`,
    S3_ARCHIVE_BUCKET: `archive-${bucket}`,
    SITEWORK_DATA_DIR: path.join('/tmp', `${database}-data`),
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

async function start(args: string[] = [], extra: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [tsx, '--conditions=react-server', 'scripts/start.ts', '--no-serve', ...args], {
    env: launcherEnv(extra),
    timeout: 60_000,
  });
  return stdout;
}

const createOperator = (args: string[], stdin: string) =>
  runToEnd(process.execPath, [tsx, '--conditions=react-server', 'scripts/create-operator.ts', ...args], { env: launcherEnv() }, stdin);

const userEmails = async () => (await db<{ email: string }[]>`select email from users order by email`).map((row) => row.email);

beforeAll(async () => {
  await admin.unsafe(`create database ${database}`);
});

afterAll(async () => {
  await db.end();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
  rmSync(path.join('/tmp', `${database}-data`), { recursive: true, force: true });
});

describe('npm start on a configured database', () => {
  it('creates no demo account, prints no password and says how to create the first operator', async () => {
    const output = await start();
    expect(await userEmails()).toEqual([]);
    expect(output).not.toContain('sitework-demo');
    expect(output).not.toContain('operator@sitework.local');
    expect(output).toContain('npm run create-operator -- --email');
  });

  it('creates the first operator from a password read on stdin, and then stops asking for one', async () => {
    const refused = await createOperator(['--email', 'ops@example.test'], 'short\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/password must be at least 10 characters/);
    expect(await userEmails()).toEqual([]);

    const created = await createOperator(['--email', 'Ops@Example.test', '--name', 'Ops Person'], 'a-long-enough-secret\n');
    expect(created).toMatchObject({ code: 0, stdout: 'created platform operator Ops@Example.test\n' });
    const [operator] = await db<{ email: string; is_platform_admin: boolean; password_hash: string }[]>`select email, is_platform_admin, password_hash from users`;
    expect(operator).toMatchObject({ email: 'ops@example.test', is_platform_admin: true });
    expect(await verifyPassword(operator.password_hash, 'a-long-enough-secret')).toBe(true);

    const output = await start();
    expect(output).not.toContain('create-operator');
    expect(await userEmails()).toEqual(['ops@example.test']);
  });

  it('promotes an existing account only when asked, and never one whose email is unconfirmed', async () => {
    await db`insert into users (email, name, password_hash) values ('squatter@example.test', 'Squatter', 'x')`;
    const unasked = await createOperator(['--email', 'squatter@example.test'], 'another-long-secret\n');
    expect(unasked.code).toBe(1);
    expect(unasked.stderr).toMatch(/already exists: pass --promote/);
    const unverified = await createOperator(['--email', 'squatter@example.test', '--promote'], '');
    expect(unverified.code).toBe(1);
    expect(unverified.stderr).toMatch(/has not confirmed its email address/);
    await db`update users set email_verified_at = now() where email = 'squatter@example.test'`;
    const promoted = await createOperator(['--email', 'squatter@example.test', '--promote'], '');
    expect(promoted).toMatchObject({ code: 0, stdout: 'squatter@example.test is now a platform operator (password unchanged)\n' });
    const [row] = await db<{ is_platform_admin: boolean }[]>`select is_platform_admin from users where email = 'squatter@example.test'`;
    expect(row.is_platform_admin).toBe(true);
  });

  it('seeds the demo accounts only when asked with --demo, and warns about them on every later start', async () => {
    const output = await start(['--demo']);
    expect(output).toContain('password for every demo account: sitework-demo');
    expect(await userEmails()).toContain('operator@sitework.local');
    expect(await start()).toMatch(/WARNING: this database has the demo accounts/);
  });
});
