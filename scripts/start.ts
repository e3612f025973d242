/**
 * `npm start`: runs Sitework on this machine. Starts embedded PostgreSQL and an embedded S3 endpoint unless
 * DATABASE_URL / S3_ENDPOINT name real ones, migrates, seeds the demo once (embedded database only), builds if
 * needed (`npm run build`: into NEXT_DIST_DIR, default .next, then packaged into dist/), serves the packaged
 * build's server.mjs. Flags: --dev (next dev), --fresh (wipe the data directory first), --build (build even if a
 * build exists), --demo (seed the demo accounts on a configured DATABASE_URL too; SITEWORK_DEMO=1 does the same and
 * SITEWORK_DEMO=0 skips them on the embedded one), --no-serve (prepare everything, then exit).
 * The e2e suite uses --fresh, and --build unless `npm test` built already.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type TEmbeddedPostgres } from '../db/embedded';
import { migrateDatabase } from '../db/migrate';
import { startEmbeddedS3, type TEmbeddedS3 } from './embedded-s3';
import { packagedBuildDirOf } from './packaged-build';

const args = new Set(process.argv.slice(2));
const isDev = args.has('--dev');
if (existsSync('.env')) process.loadEnvFile('.env');

const dataDir = path.resolve(process.env.SITEWORK_DATA_DIR ?? '.data');
if (args.has('--fresh')) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const say = (line: string) => process.stdout.write(`[sitework] ${line}\n`);
const stops: (() => Promise<void>)[] = [];
let app: ChildProcess | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (app && app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((resolve) => {
        app!.once('exit', resolve);
        setTimeout(resolve, 10_000).unref();
      });
    }
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** A stable NEXTAUTH_SECRET for this data directory when none is configured (sessions survive restarts). */
function localSecret(): string {
  const file = path.join(dataDir, 'nextauth-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit', env });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code}`))));
  });
}

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Blank values (FOO= copied from .env.example) count as unset.
  for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
  env.PORT ??= '3000';
  env.NEXTAUTH_SECRET ??= localSecret();
  env.AUTH_TRUST_HOST ??= 'true';
  env.NEXT_TELEMETRY_DISABLED ??= '1';
  env.NEXTAUTH_URL ??= env.APP_URL ?? `http://${env.APP_DOMAIN ?? 'localhost'}:${env.PORT}`;

  // The demo accounts share a published password: only on the embedded database, unless asked for explicitly.
  const isEmbeddedDatabase = !env.DATABASE_URL;
  const isDemo = args.has('--demo') || env.SITEWORK_DEMO === '1' || (isEmbeddedDatabase && env.SITEWORK_DEMO !== '0');
  if (!env.DATABASE_URL) {
    const pg: TEmbeddedPostgres = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), ['sitework']);
    stops.push(() => pg.stop());
    env.DATABASE_URL = pg.urlFor('sitework');
    say(`embedded PostgreSQL started (data in ${path.relative(process.cwd(), path.join(dataDir, 'postgres'))})`);
  }
  if (!env.S3_ENDPOINT) {
    const buckets = [env.S3_BUCKET ?? 'sitework-files', env.S3_ARCHIVE_BUCKET ?? 'sitework-archive'];
    const s3: TEmbeddedS3 = await startEmbeddedS3(path.join(dataDir, 's3'), buckets);
    stops.push(() => s3.stop());
    Object.assign(env, { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' });
    say(`embedded S3 endpoint at ${s3.endpoint} (data in ${path.relative(process.cwd(), path.join(dataDir, 's3'))})`);
  }
  Object.assign(process.env, env);

  // Validate every setting before anything else uses it: a bad value stops here, naming the variable.
  const { parseConfig } = await import('../lib/config');
  const config = parseConfig(process.env);

  await migrateDatabase(config.DATABASE_URL, { appRoleSecret: env.DATABASE_APP_URL ? undefined : config.NEXTAUTH_SECRET });
  say('migrations applied');
  const { ensureBuckets } = await import('../lib/storage');
  await ensureBuckets();
  const { seedDemoData, seedDemoEstimates, hasDemoAccounts, DEMO_PASSWORD, DEMO_TENANTS, OPERATOR_EMAIL, demoEmail } = await import('../db/seed');
  const { countPlatformOperators } = await import('../lib/auth');
  if (isDemo) {
    const seeded = await seedDemoData();
    if (seeded) say(`${await seedDemoEstimates()} demo cost estimates added to acme`);
    say(seeded ? 'demo data seeded' : 'demo data already present');
  } else if (await hasDemoAccounts()) {
    say(`WARNING: this database has the demo accounts (${OPERATOR_EMAIL} …) whose password is published: delete them before going live`);
  }
  const operators = await countPlatformOperators();
  const { closeDb } = await import('../db/client');
  await closeDb();

  const port = config.PORT === 80 ? '' : `:${config.PORT}`;
  const apex = config.APP_URL;
  const lines = isDemo
    ? [
        '',
        `Sitework is starting on ${apex}`,
        `  platform console  ${apex}/admin        ${OPERATOR_EMAIL}`,
        ...DEMO_TENANTS.map((t) => `  ${t.name.padEnd(20)} http://${t.slug}.${config.APP_DOMAIN}${port}   ${['owner', 'admin', 'editor', 'viewer'].map((r) => demoEmail(r as 'owner', t.slug)).join(', ')}`),
        `  password for every demo account: ${DEMO_PASSWORD}`,
        '  Ctrl-C stops the app and the embedded services.',
        '',
      ]
    : [
        '',
        `Sitework is starting on ${apex} (platform console ${apex}/admin)`,
        ...(operators === 0
          ? [
              '  No platform operator exists yet. Create the first one:',
              '    npm run create-operator -- --email you@example.com',
              '  (the password is read from stdin, or generated and shown once)',
            ]
          : []),
        '',
      ];
  if (args.has('--no-serve')) {
    process.stdout.write(lines.join('\n').replace('is starting on', 'is ready on') + '\n');
    return shutdown(0);
  }

  // Our own server in front of Next's handler: it tells route handlers the client's real address (scripts/serve.ts),
  // served from the packaged build as a deployment runs it, or through tsx with next dev.
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  const packagedDir = packagedBuildDirOf(distDir);
  if (!isDev && (args.has('--build') || !existsSync(path.join(packagedDir, distDir, 'BUILD_ID')))) {
    say(`building (npm run build: next build into ${distDir}, packaged into ${path.relative(process.cwd(), packagedDir)})…`);
    await run('npm', ['run', 'build', '--silent'], { ...env, NODE_ENV: 'production', NEXT_DIST_DIR: distDir });
  }
  // Errors are attributed to this checkout's commit, which the packaged build (outside .git's reach) cannot read.
  const { currentRelease } = await import('../lib/errors');
  env.SITEWORK_RELEASE ??= currentRelease() ?? undefined;
  app = isDev
    ? // tsx as a loader, not its CLI: the CLI kills a child that does not acknowledge a signal within 30 ms.
      spawn(process.execPath, ['--import', 'tsx', path.resolve('scripts/serve.ts'), '--dev'], {
        stdio: 'inherit',
        env: { ...env, NODE_ENV: 'development' },
      })
    : spawn(process.execPath, ['server.mjs'], { cwd: packagedDir, stdio: 'inherit', env: { ...env, NODE_ENV: 'production' } });
  app.once('exit', (code) => void shutdown(code ?? 0));

  process.stdout.write(lines.join('\n') + '\n');
}

main().catch(async (error) => {
  process.stderr.write(`[sitework] start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
});
