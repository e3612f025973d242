import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as models from 'kubernetes-models';

/** The repository's root, where the Dockerfile and deploy/ are. */
export const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs a command-line tool the deploy tests need. A missing tool fails the test with one sentence naming the
 * Debian package to install (.ci/run installs them); a failing run throws with what the tool said.
 */
export function runTool(command: string, args: string[], debianPackage: string, env?: Record<string, string | undefined>): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: env as NodeJS.ProcessEnv | undefined, maxBuffer: 16 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${command} is not installed: install Debian's ${debianPackage} package (apt-get install -y ${debianPackage}), as .ci/run does.`);
  }
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? 1 };
}

export interface TKubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

type TModelClass = { apiVersion: string; kind: string; prototype: { validate(): void } };

/** The kubernetes-models class of an object's apiVersion and kind (`networking.k8s.io/v1` → networkingK8sIo.v1). */
export function modelClassOf(object: TKubernetesObject): TModelClass | undefined {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [undefined, object.apiVersion];
  const groups = models as unknown as Record<string, Record<string, Record<string, TModelClass> | undefined> | undefined>;
  const versions = group === undefined ? { [version]: groups[version] as unknown as Record<string, TModelClass> } : groups[group.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase())];
  const modelClass = versions?.[version]?.[object.kind];
  return modelClass?.apiVersion === object.apiVersion && modelClass.kind === object.kind ? modelClass : undefined;
}

/**
 * Validates an object against its Kubernetes schema and returns the problems: the schema's own errors, and the
 * fields it does not define (a misspelt `readinesProbe` is valid JSON schema, but the API server refuses it). The
 * generated validators read every property their schema defines and enumerate only free-form maps (labels,
 * ConfigMap data…), so a field that was present but never read is one the schema does not know.
 */
export function schemaProblemsOf(object: TKubernetesObject): string[] {
  const modelClass = modelClassOf(object);
  if (!modelClass) return [`${object.apiVersion} ${object.kind} is not a kind of this Kubernetes version`];
  const readKeys = new Map<object, Set<PropertyKey>>();
  const enumerated = new Set<object>();
  const proxies = new WeakMap<object, object>();
  const watch = (value: unknown): unknown => {
    if (!value || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known;
    readKeys.set(value, new Set());
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        readKeys.get(target)!.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
      ownKeys(target) {
        enumerated.add(target);
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  try {
    modelClass.prototype.validate.call(watch(object));
  } catch (error) {
    return [`${object.kind} ${object.metadata?.name}: ${(error as Error).message}`];
  }
  const unknown: string[] = [];
  const walk = (value: unknown, where: string) => {
    if (!value || typeof value !== 'object') return;
    const read = readKeys.get(value);
    // Never looked into: its schema accepts anything there.
    if (!read || (read.size === 0 && !enumerated.has(value))) return;
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, `${where.replace(/\.$/, '')}[${index}].`));
    for (const [key, child] of Object.entries(value)) {
      if (!enumerated.has(value) && !read.has(key)) unknown.push(`${object.kind} ${object.metadata?.name}: ${where}${key} is not a field of ${object.apiVersion} ${object.kind}`);
      else walk(child, `${where}${key}.`);
    }
  };
  walk(object, '');
  return unknown;
}

export interface TDockerfileInstruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  value: string;
}

export interface TDockerfileStage {
  name: string;
  /** The image or earlier stage it starts from. */
  from: string;
  instructions: TDockerfileInstruction[];
}

/** A Dockerfile's stages in order, each with its instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): TDockerfileStage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: TDockerfileStage[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [, keyword, value] = /^(\S+)\s*(.*)$/.exec(trimmed)!;
    const instruction = { keyword: keyword.toUpperCase(), value: value.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.value.replace(/--\S+\s+/g, '').split(' ');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : String(stages.length), from, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The working directory a stage ends with, following the stages it is built on. */
export function workdirOf(stages: TDockerfileStage[], stage: TDockerfileStage): string {
  const own = stage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.value;
  if (own) return own;
  const base = stages.find((candidate) => candidate.name === stage.from);
  return base && base !== stage ? workdirOf(stages, base) : '/';
}
