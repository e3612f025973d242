import path from 'node:path';

/**
 * Where `npm run build` puts the packaged build of a Next build folder (scripts/package.ts): dist/ for .next, else
 * the folder's name with -dist (.next-e2e → .next-e2e-dist). The entry point of its web process is server.mjs.
 */
export function packagedBuildDirOf(distDir: string): string {
  return path.resolve(distDir === '.next' ? 'dist' : `${distDir}-dist`);
}
