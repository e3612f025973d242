/**
 * The second half of `npm run build` (after `next build`): assembles the packaged build, a directory that runs
 * on its own, without the checkout, tsx or the devDependencies (it is what the Docker image copies to /app):
 *
 *   server.mjs           the web process (scripts/serve.ts)        node server.mjs   (PORT, default 3000)
 *   worker.mjs           a jobs-only process (scripts/worker.ts)   node worker.mjs
 *   migrate.mjs          migrations + S3 buckets, then exits       node migrate.mjs  (scripts/migrate.ts)
 *   create-operator.mjs  the first platform operator               node create-operator.mjs --email …
 *   <dist dir>/          Next's standalone server files and static assets (the folder's name is the build's)
 *   public/              Next's public files, if any
 *   db/migrations/       the SQL migrations migrate.mjs applies
 *   node_modules/        the packages Next traced for its server, which the bundles load too (next, argon2)
 *
 * NEXT_DIST_DIR names the build to package (default .next); `--out <dir>` the directory (default dist/ for .next,
 * else <dist dir>-dist). Every entry point runs in its own directory whatever the caller's, and needs the real
 * servers' variables (DATABASE_URL, S3_*, NEXTAUTH_SECRET…): there is no embedded PostgreSQL or S3 in here.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packagedBuildDirOf } from './packaged-build';

const ENTRY_POINTS = {
  server: 'scripts/serve.ts',
  worker: 'scripts/worker.ts',
  migrate: 'scripts/migrate.ts',
  'create-operator': 'scripts/create-operator.ts',
};
/**
 * What the bundles load from node_modules, both in the standalone build's node_modules already (Next traces what
 * its server loads): `next` itself, which server.mjs serves Next's build with, and argon2, a native addon (listed
 * in serverExternalPackages). Next's subpaths are bundled (the worker reaches next/headers, unused outside a
 * request): the standalone build holds only the files of `next` its own server needs.
 */
const isKeptOutside = (specifier: string) => specifier === 'next' || packageNameOf(specifier) === '@node-rs/argon2';
const keepOutside: Plugin = {
  name: 'keep-outside',
  setup(build) {
    build.onResolve({ filter: /.*/ }, ({ path: specifier }) => (isKeptOutside(specifier) ? { path: specifier, external: true } : undefined));
  },
};

/**
 * ESM output of bundled CommonJS code still calls require and reads __dirname, which ES modules lack; and every
 * entry point finds its build, migrations and .env beside itself, as Next's own standalone server.js does.
 */
const BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  "import { dirname as __dirnameOf } from 'node:path';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  'const __dirname = __dirnameOf(__filename);',
  'process.chdir(__dirname);',
].join('\n');

const say = (line: string) => process.stdout.write(`[package] ${line}\n`);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * What each bundle imports from the packages kept outside. esbuild leaves other imports outside only when they
 * resolve nowhere, not in the checkout either (optional peers such as pg-native, required lazily in a try).
 */
function externalImportsOf(metafile: Metafile): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const specifiers = output.imports.filter((i) => i.external && !isBuiltin(i.path) && isKeptOutside(i.path));
    imports.set(file, new Set(specifiers.map((i) => i.path)));
  }
  return imports;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  const out = values.out ? path.resolve(values.out) : packagedBuildDirOf(distDir);
  if (!path.relative(out, process.cwd()).startsWith('..')) throw new Error(`--out ${out} holds this checkout: it is emptied first, so choose a directory of its own`);
  const standalone = path.join(distDir, 'standalone');
  if (!existsSync(path.join(standalone, distDir, 'BUILD_ID'))) {
    throw new Error(`${standalone} has no build: run next build first (next.config.ts must keep output: 'standalone')`);
  }
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  cpSync(standalone, out, { recursive: true, verbatimSymlinks: true });
  // Next's own server.js would serve without our server in front (no client address, no draining stop).
  rmSync(path.join(out, 'server.js'));
  cpSync(path.join(distDir, 'static'), path.join(out, distDir, 'static'), { recursive: true });
  if (existsSync('public')) cpSync('public', path.join(out, 'public'), { recursive: true });
  cpSync(path.join('db', 'migrations'), path.join(out, 'db', 'migrations'), { recursive: true });

  const result = await build({
    entryPoints: ENTRY_POINTS,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The server-only package is empty under this condition, as in Next's server bundles and under tsx.
    conditions: ['react-server'],
    plugins: [keepOutside],
    // scripts/serve.ts serves the build it is packaged with, whatever NEXT_DIST_DIR says at run time.
    define: { 'process.env.NEXT_DIST_DIR': JSON.stringify(distDir) },
    banner: { js: BANNER },
    tsconfig: 'tsconfig.json',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });

  // Every import left outside a bundle must resolve from inside the packaged build, not from the checkout.
  for (const [file, specifiers] of externalImportsOf(result.metafile)) {
    const requireFrom = createRequire(path.resolve(file));
    for (const specifier of specifiers) {
      const resolved = requireFrom.resolve(specifier);
      if (!resolved.startsWith(out + path.sep)) throw new Error(`${path.basename(file)} imports ${specifier}, which Next's standalone build lacks (it resolves to ${resolved})`);
    }
  }
  say(`${path.relative(process.cwd(), out) || out}/ packaged from ${distDir} in ${((Date.now() - started) / 1000).toFixed(1)} s: cd into it and run node server.mjs, worker.mjs or migrate.mjs`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[package] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
