import 'server-only';
import { config } from '@/lib/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { processWide } from '@/lib/runtime';

const state = processWide<{ release?: string | null }>('error-release', () => ({}));

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The checked-out commit, read from .git without spawning git (absent in most deployed images). */
function gitSha(root: string): string | null {
  const head = readText(path.join(root, '.git', 'HEAD'));
  if (!head) return null;
  if (/^[0-9a-f]{40}$/.test(head)) return head.slice(0, 12);
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return null;
  const loose = readText(path.join(root, '.git', ref));
  if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose.slice(0, 12);
  const packed = readText(path.join(root, '.git', 'packed-refs'));
  const line = packed?.split('\n').find((entry) => entry.endsWith(` ${ref}`));
  return line ? line.slice(0, 12) : null;
}

function packageVersion(root: string): string | null {
  if (process.env.npm_package_version) return process.env.npm_package_version;
  const text = readText(path.join(root, 'package.json'));
  if (!text) return null;
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/**
 * The release errors are attributed to: SITEWORK_RELEASE (set by the deployment), else the git commit when the
 * checkout is there, else package.json's version. Read once per process, at the first flush, never on a request.
 */
export function currentRelease(): string | null {
  if (state.release === undefined) {
    const root = process.cwd();
    state.release = config().SITEWORK_RELEASE || gitSha(root) || packageVersion(root);
  }
  return state.release;
}
