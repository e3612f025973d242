import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, IPodSpec, IService } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  parseDockerfile,
  ROOT,
  runTool,
  schemaProblemsOf,
  workdirOf,
  type TDockerfileStage,
  type TKubernetesObject,
} from './support/manifests';

/**
 * The image, the compose stack and the Kubernetes manifests, checked without a Docker engine or a cluster: the
 * Dockerfile against the build contract, deploy/compose.yaml with Debian's docker-compose, the Kustomize overlay
 * rendered by kubectl and every object validated against the Kubernetes schemas. Each invariant is checked on the
 * real files, then on copies broken on purpose, which it must refuse.
 */

/** What `npm run build` writes (the image's /app) and the entry points in it, run as `node <entry>`. */
const BUILD_OUTPUT_DIR = 'dist';
const ENTRY_POINTS = ['server.mjs', 'worker.mjs', 'migrate.mjs', 'create-operator.mjs'];
const DRAIN_SECONDS = 10;
const OVERLAY = 'deploy/k8s/overlays/example';
const SECRETS_EXAMPLE = `${OVERLAY}/secrets.env.example`;
/** Settings that are secrets whatever their value; any URL with a password is one too. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY|ENCRYPTION_KEY|^DATABASE(_APP)?_URL$/;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:([^/@\s]*)@/i;
/** What the multi-replica web tier cannot do without, all from the Secret. */
const REQUIRED_SECRETS = ['NEXTAUTH_SECRET', 'NEXT_SERVER_ACTIONS_ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL'];

interface TCheck<TSubject> {
  spec: string;
  problemsOf: (subject: TSubject) => string[];
  /** Ways to break what the check guards; each must make it report a problem. */
  breakages: Record<string, (subject: TSubject) => void>;
}

/** One test per check: no problem in the real files, and at least one in each broken copy. */
function itChecks<TSubject>(subjectOf: () => TSubject, checks: TCheck<TSubject>[]): void {
  for (const check of checks) {
    it(check.spec, () => {
      expect(check.problemsOf(subjectOf())).toEqual([]);
      for (const [breakage, breakIt] of Object.entries(check.breakages)) {
        const broken = structuredClone(subjectOf());
        breakIt(broken);
        expect(check.problemsOf(broken), `a copy with ${breakage} passed`).not.toEqual([]);
      }
    });
  }
}

const readText = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const hostOf = (url: string | undefined) => (url ? new URL(url).hostname : undefined);

/** KEY=value lines of an env file (comments and blank lines skipped). */
function parseEnvFile(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return new Map(entries);
}

describe('Dockerfile', () => {
  interface TDockerSubject {
    stages: TDockerfileStage[];
    dockerignore: string[];
  }
  const subject: TDockerSubject = {
    stages: parseDockerfile(readText('Dockerfile')),
    dockerignore: readText('.dockerignore').split('\n').map((line) => line.trim()),
  };
  const runtimeOf = (stages: TDockerfileStage[]) => stages[stages.length - 1];
  const buildStageOf = (stages: TDockerfileStage[]) =>
    stages.find((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.value)));
  const instructionsOf = (stage: TDockerfileStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

  itChecks<TDockerSubject>(() => subject, [
    {
      spec: 'builds in stages: npm ci, then npm run build, then a node:20-bookworm-slim runtime',
      problemsOf: ({ stages }) => {
        const problems: string[] = [];
        const depsStage = stages.find((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.value)));
        const buildStage = buildStageOf(stages);
        if (!depsStage) problems.push('no stage installs the dependencies with npm ci');
        if (!buildStage) problems.push('no stage runs npm run build');
        const runtime = runtimeOf(stages);
        if (runtime.from !== 'node:20-bookworm-slim') problems.push(`the runtime stage starts from ${runtime.from}, not node:20-bookworm-slim`);
        if (runtime === buildStage || runtime === depsStage) problems.push('the runtime stage is the build stage');
        return problems;
      },
      breakages: {
        'a runtime on the full node image': ({ stages }) => void (runtimeOf(stages).from = 'node:20-bookworm'),
        'no npm ci': ({ stages }) => void (stages[0].instructions = stages[0].instructions.filter((i) => !/npm ci/.test(i.value))),
        'one single stage': (broken) => void (broken.stages = [buildStageOf(broken.stages)!]),
      },
    },
    {
      spec: `copies into the runtime image only what the build contract produces (${BUILD_OUTPUT_DIR}/)`,
      problemsOf: ({ stages }) => {
        const buildStage = buildStageOf(stages);
        if (!buildStage) return ['no stage runs npm run build'];
        const output = path.posix.join(workdirOf(stages, buildStage), BUILD_OUTPUT_DIR);
        const copies = [...instructionsOf(runtimeOf(stages), 'COPY'), ...instructionsOf(runtimeOf(stages), 'ADD')];
        const problems = copies.flatMap(({ keyword, value }) => {
          const from = /--from=(\S+)/.exec(value)?.[1];
          const [, ...sources] = value.split(' ').filter((word) => !word.startsWith('--')).reverse();
          const resolved = sources.map((source) => path.posix.resolve(workdirOf(stages, buildStage), source).replace(/\/$/, ''));
          return from === buildStage.name && resolved.every((source) => source === output) ? [] : [`${keyword} ${value}: not ${output} of the build stage`];
        });
        return copies.length === 0 ? [`the runtime stage copies nothing from ${output}`] : problems;
      },
      breakages: {
        "the build stage's node_modules": ({ stages }) =>
          void runtimeOf(stages).instructions.push({ keyword: 'COPY', value: '--from=build /src/node_modules ./node_modules' }),
        'the sources from the build context': ({ stages }) => void runtimeOf(stages).instructions.push({ keyword: 'COPY', value: '. .' }),
      },
    },
    {
      spec: 'runs as a non-root user, exposes port 3000 and checks /api/health with Node (no curl in slim)',
      problemsOf: ({ stages }) => {
        const runtime = runtimeOf(stages);
        const problems: string[] = [];
        const user = instructionsOf(runtime, 'USER').at(-1)?.value.split(':')[0];
        if (!user || user === 'root' || user === '0') problems.push(`the runtime runs as ${user ?? 'root (no USER)'}`);
        if (!instructionsOf(runtime, 'EXPOSE').some((i) => i.value.split(' ').includes('3000'))) problems.push('port 3000 is not exposed');
        const healthcheck = instructionsOf(runtime, 'HEALTHCHECK').at(-1)?.value ?? '';
        const command = /\bCMD (.*)$/.exec(healthcheck)?.[1] ?? '';
        if (!/^\["node",/.test(command) || !command.includes('/api/health') || command.includes('/api/health/ready')) {
          problems.push(`the HEALTHCHECK (${healthcheck || 'none'}) is not Node asking /api/health`);
        }
        return problems;
      },
      breakages: {
        'USER root': ({ stages }) => void runtimeOf(stages).instructions.push({ keyword: 'USER', value: 'root' }),
        'no USER': ({ stages }) => void (runtimeOf(stages).instructions = runtimeOf(stages).instructions.filter((i) => i.keyword !== 'USER')),
        'a curl health check': ({ stages }) =>
          void runtimeOf(stages).instructions.push({ keyword: 'HEALTHCHECK', value: 'CMD ["curl", "-f", "http://127.0.0.1:3000/api/health"]' }),
        'no EXPOSE': ({ stages }) => void (runtimeOf(stages).instructions = runtimeOf(stages).instructions.filter((i) => i.keyword !== 'EXPOSE')),
      },
    },
    {
      spec: 'starts the web server by default (CMD ["node", "server.mjs"]), from the contract in /app',
      problemsOf: ({ stages }) => {
        const runtime = runtimeOf(stages);
        const command = instructionsOf(runtime, 'CMD').at(-1)?.value ?? '';
        const problems: string[] = [];
        if (command !== '["node", "server.mjs"]') problems.push(`CMD is ${command || 'missing'}`);
        if (workdirOf(stages, runtime) !== '/app') problems.push(`the runtime's WORKDIR is ${workdirOf(stages, runtime)}, not /app`);
        return problems;
      },
      breakages: {
        'CMD npm start': ({ stages }) => void runtimeOf(stages).instructions.push({ keyword: 'CMD', value: '["npm", "start"]' }),
        'the shell form': ({ stages }) => void runtimeOf(stages).instructions.push({ keyword: 'CMD', value: 'node server.mjs' }),
      },
    },
    {
      spec: 'keeps local installs, builds, data and .env files out of the build context',
      problemsOf: ({ dockerignore }) =>
        ['node_modules', '.git', '.data', '**/.env', '**/.env.*'].filter((entry) => !dockerignore.includes(entry)).map((entry) => `.dockerignore lacks ${entry}`),
      breakages: {
        'node_modules sent to the daemon': (broken) => void (broken.dockerignore = broken.dockerignore.filter((line) => line !== 'node_modules')),
      },
    },
  ]);
});

describe('deploy/compose.yaml', () => {
  interface TComposeService {
    image?: string;
    build?: { context: string; args?: Record<string, string> };
    command?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    restart?: string;
    ports?: (string | { published?: number | string; target: number })[];
    volumes?: string[];
    networks?: Record<string, { ipv4_address?: string } | null>;
  }
  interface TComposeSubject {
    /** What `docker-compose config` made of the file. */
    services: Record<string, TComposeService>;
    /** The file as written (anchors merged), to see where values come from. */
    written: Record<string, TComposeService>;
    envExample: Record<string, string>;
    nginx: string;
    prometheus: { scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[] };
    grafanaDatasources: { datasources: { type: string; url: string }[] };
  }
  const COMPOSE_ARGS = ['--env-file', 'deploy/.env.example', '-f', 'deploy/compose.yaml'];
  const TEST_SECRETS: Record<string, string> = {
    NEXTAUTH_SECRET: 'compose-test-nextauth-secret-32-chars!',
    NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: 'Y29tcG9zZS10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE=',
    POSTGRES_PASSWORD: 'compose-test-postgres',
    MINIO_ROOT_PASSWORD: 'compose-test-minio',
    GRAFANA_ADMIN_PASSWORD: 'compose-test-grafana',
  };
  // Only what docker-compose needs: nothing from the developer's own environment takes part.
  const composeEnv = (secrets: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...secrets });
  let subject: TComposeSubject;

  beforeAll(() => {
    const rendered = runTool('docker-compose', [...COMPOSE_ARGS, 'config'], 'docker-compose', composeEnv(TEST_SECRETS));
    if (rendered.status !== 0) throw new Error(`docker-compose config refused deploy/compose.yaml:\n${rendered.stderr}`);
    const written = parse(readText('deploy/compose.yaml'), { merge: true }) as { services: Record<string, TComposeService> };
    subject = {
      services: (parse(rendered.stdout) as { services: Record<string, TComposeService> }).services,
      written: written.services,
      envExample: Object.fromEntries(parseEnvFile(readText('deploy/.env.example'))),
      nginx: readText('deploy/nginx/sitework.conf.template'),
      prometheus: parse(readText('deploy/prometheus/prometheus.yml')),
      grafanaDatasources: parse(readText('deploy/grafana/provisioning/datasources/datasources.yaml')),
    };
  });

  it('is valid for docker-compose (config -q)', () => {
    const result = runTool('docker-compose', [...COMPOSE_ARGS, 'config', '-q'], 'docker-compose', composeEnv(TEST_SECRETS));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses to start while a secret of deploy/.env is empty, naming it', () => {
    for (const name of Object.keys(TEST_SECRETS)) {
      const { [name]: _missing, ...others } = TEST_SECRETS;
      const result = runTool('docker-compose', [...COMPOSE_ARGS, 'config', '-q'], 'docker-compose', composeEnv(others));
      expect(result.status, `started without ${name}`).not.toBe(0);
      expect(result.stderr).toContain(`set ${name} in deploy/.env`);
    }
  });

  const appImageOf = (services: Record<string, TComposeService>) => Object.values(services).find((service) => service.build)?.image;
  const appServicesOf = (services: Record<string, TComposeService>) =>
    Object.entries(services).filter(([, service]) => service.image !== undefined && service.image === appImageOf(services));
  const runsEntry = (service: TComposeService, entry: string) =>
    entry === 'server.mjs' ? service.command === undefined || service.command.join(' ') === 'node server.mjs' : service.command?.join(' ') === `node ${entry}`;
  const webServicesOf = (services: Record<string, TComposeService>) => appServicesOf(services).filter(([, service]) => runsEntry(service, 'server.mjs'));

  itChecks<TComposeSubject>(() => subject, [
    {
      spec: 'runs two web replicas of the one image built from this repository, each with REDIS_URL and RUN_JOBS=false',
      problemsOf: ({ services }) => {
        const problems: string[] = [];
        const builders = Object.entries(services).filter(([, service]) => service.build);
        if (builders.length !== 1 || builders[0][1].build!.context !== ROOT) problems.push('not exactly one service builds the image from the repository root');
        const webs = webServicesOf(services);
        if (webs.length !== 2) problems.push(`${webs.length} web replicas of the app image, not 2`);
        for (const [name, web] of webs) {
          if (!web.environment?.REDIS_URL) problems.push(`${name} has no REDIS_URL: each replica would count rate limits alone`);
          if (web.environment?.RUN_JOBS !== 'false') problems.push(`${name} runs jobs beside the worker`);
        }
        return problems;
      },
      breakages: {
        'one web replica': ({ services }) => void delete services['web-2'],
        'web-2 on another image': ({ services }) => void (services['web-2'].image = 'sitework:other'),
        'no REDIS_URL on web-1': ({ services }) => void delete services['web-1'].environment!.REDIS_URL,
      },
    },
    {
      spec: 'runs one worker and one one-shot migrate service that every other app service waits for',
      problemsOf: ({ services }) => {
        const problems: string[] = [];
        const app = appServicesOf(services);
        const workers = app.filter(([, service]) => runsEntry(service, 'worker.mjs'));
        const migrations = app.filter(([, service]) => runsEntry(service, 'migrate.mjs'));
        if (workers.length !== 1) problems.push(`${workers.length} worker services, not 1`);
        if (migrations.length !== 1) return [...problems, `${migrations.length} migrate services, not 1`];
        const [migrateName, migrate] = migrations[0];
        if (migrate.restart !== 'no') problems.push(`${migrateName} restarts (${migrate.restart}): migrations would run again`);
        for (const [name, service] of app) {
          if (name === migrateName) continue;
          if (!ENTRY_POINTS.some((entry) => runsEntry(service, entry))) problems.push(`${name} runs ${service.command?.join(' ')}, not an entry point of the build`);
          const condition = service.depends_on?.[migrateName]?.condition;
          if (condition !== 'service_completed_successfully') problems.push(`${name} does not wait for ${migrateName} to complete (${condition ?? 'no depends_on'})`);
        }
        return problems;
      },
      breakages: {
        'a restarting migrate': ({ services }) => void (services.migrate.restart = 'unless-stopped'),
        'web-1 not waiting for migrate': ({ services }) => void delete services['web-1'].depends_on!.migrate,
        'the worker only waiting for migrate to start': ({ services }) => void (services.worker.depends_on!.migrate.condition = 'service_started'),
        'a second worker': ({ services }) => void (services['worker-2'] = structuredClone(services.worker)),
      },
    },
    {
      spec: 'gives every app process and the image build the same secrets from deploy/.env',
      problemsOf: ({ services }) => {
        const problems: string[] = [];
        for (const [name, service] of appServicesOf(services)) {
          for (const setting of ['NEXTAUTH_SECRET', 'NEXT_SERVER_ACTIONS_ENCRYPTION_KEY']) {
            if (service.environment?.[setting] !== TEST_SECRETS[setting]) problems.push(`${name} gets ${setting} from elsewhere than deploy/.env`);
          }
          if (!service.environment?.DATABASE_URL?.includes(`:${TEST_SECRETS.POSTGRES_PASSWORD}@postgres:`)) problems.push(`${name}'s DATABASE_URL is not the stack's PostgreSQL`);
          const build = service.build;
          if (build && build.args?.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY !== TEST_SECRETS.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY) {
            problems.push(`${name} builds the image without the NEXT_SERVER_ACTIONS_ENCRYPTION_KEY it runs with`);
          }
        }
        return problems;
      },
      breakages: {
        'a secret of its own on web-2': ({ services }) => void (services['web-2'].environment!.NEXTAUTH_SECRET = 'another-secret-of-at-least-32-chars!'),
        'a build without the actions key': ({ services }) => void delete services.migrate.build!.args,
      },
    },
    {
      spec: 'keeps secret values out of compose.yaml and deploy/.env.example',
      problemsOf: ({ written, envExample }) => {
        const problems: string[] = [];
        for (const [name, service] of Object.entries(written)) {
          for (const [setting, value] of Object.entries(service.environment ?? {})) {
            const password = URL_WITH_PASSWORD.exec(String(value))?.[1];
            const isSecret = SECRET_NAME.test(setting) && setting !== 'DATABASE_URL';
            if ((isSecret && value !== '' && !/^\$\{[A-Z_]+[:?-]/.test(String(value))) || (password !== undefined && !/^\$\{/.test(password))) {
              problems.push(`${name}: ${setting} holds a value instead of coming from deploy/.env`);
            }
          }
        }
        for (const [setting, value] of Object.entries(envExample)) {
          if (SECRET_NAME.test(setting) && value !== '') problems.push(`deploy/.env.example gives ${setting} a value`);
        }
        return problems;
      },
      breakages: {
        'a literal NEXTAUTH_SECRET': ({ written }) => void (written['web-1'].environment!.NEXTAUTH_SECRET = 'a-literal-secret-of-at-least-32-chars'),
        'a password in DATABASE_URL': ({ written }) => void (written.worker.environment!.DATABASE_URL = 'postgres://sitework:hunter2@postgres:5432/sitework'),
        'an example secret': ({ envExample }) => void (envExample.POSTGRES_PASSWORD = 'postgres'),
      },
    },
    {
      spec: 'sends the apex and every tenant host through the proxy to both replicas, trusting X-Forwarded-For from the proxy alone',
      problemsOf: ({ services, nginx }) => {
        const problems: string[] = [];
        const proxyEntry = Object.entries(services).find(([, service]) => service.volumes?.some((volume) => volume.includes('/etc/nginx/templates/')));
        if (!proxyEntry) return ['no proxy service loads the nginx template'];
        const [proxyName, proxy] = proxyEntry;
        const targets = (proxy.ports ?? []).map((port) => (typeof port === 'string' ? Number(/:(\d+)(\/tcp)?$/.exec(port)?.[1]) : port.target));
        if (!targets.includes(80)) problems.push(`${proxyName} publishes no port to its port 80`);
        if (!/server_name \$\{APP_DOMAIN\} \*\.\$\{APP_DOMAIN\};/.test(nginx)) problems.push('the proxy does not serve both APP_DOMAIN and *.APP_DOMAIN');
        if (!/location = \/api\/metrics \{\s*return 404;/.test(nginx)) problems.push('the proxy publishes /api/metrics');
        const upstreams = [...nginx.matchAll(/^\s*server ([\w-]+):3000\b/gm)].map((match) => match[1]).sort();
        const webs = webServicesOf(services).map(([name]) => name).sort();
        if (upstreams.join() !== webs.join()) problems.push(`the proxy sends requests to ${upstreams.join(', ')}, the web replicas are ${webs.join(', ')}`);
        const proxyAddresses = Object.values(proxy.networks ?? {}).map((network) => network?.ipv4_address);
        for (const [name, web] of webServicesOf(services)) {
          if (!proxyAddresses.includes(web.environment?.TRUSTED_PROXIES)) problems.push(`${name} trusts ${web.environment?.TRUSTED_PROXIES}, not just the proxy's address`);
        }
        return problems;
      },
      breakages: {
        'no wildcard host': (broken) => void (broken.nginx = broken.nginx.replace(' *.${APP_DOMAIN}', '')),
        'web-2 missing from the upstream': (broken) => void (broken.nginx = broken.nginx.replace(/^\s*server web-2:3000.*$/m, '')),
        'the whole network trusted': ({ services }) => void (services['web-1'].environment!.TRUSTED_PROXIES = '172.28.57.0/24'),
        'metrics published': (broken) => void (broken.nginx = broken.nginx.replace(/location = \/api\/metrics/, 'location = /api/other')),
      },
    },
    {
      spec: "wires the app to the stack's PostgreSQL, MinIO, Qdrant, Redis and Jaeger, with Prometheus scraping each replica and Grafana provisioned",
      problemsOf: ({ services, prometheus, grafanaDatasources }) => {
        const problems: string[] = [];
        for (const [name, service] of appServicesOf(services)) {
          const environment = service.environment ?? {};
          for (const setting of ['DATABASE_URL', 'S3_ENDPOINT', 'QDRANT_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
            const host = hostOf(environment[setting]);
            if (!host || !services[host]) problems.push(`${name}'s ${setting} (${environment[setting] ?? 'unset'}) is not a service of the stack`);
          }
        }
        const targets = prometheus.scrape_configs
          .filter((job) => job.metrics_path === '/api/metrics')
          .flatMap((job) => job.static_configs.flatMap((config) => config.targets))
          .sort();
        const expected = webServicesOf(services).map(([name]) => `${name}:3000`).sort();
        if (targets.join() !== expected.join()) problems.push(`Prometheus scrapes ${targets.join(', ') || 'nothing'} on /api/metrics, not ${expected.join(', ')}`);
        for (const datasource of grafanaDatasources.datasources) {
          if (!services[hostOf(datasource.url) ?? '']) problems.push(`Grafana's ${datasource.type} datasource ${datasource.url} is not a service of the stack`);
        }
        if (!grafanaDatasources.datasources.some((datasource) => datasource.type === 'prometheus')) problems.push('Grafana has no Prometheus datasource');
        return problems;
      },
      breakages: {
        'no Qdrant service': ({ services }) => void delete services.qdrant,
        'one replica not scraped': ({ prometheus }) => void (prometheus.scrape_configs[0].static_configs[0].targets = ['web-1:3000']),
        'Grafana pointed elsewhere': ({ grafanaDatasources }) => void (grafanaDatasources.datasources[0].url = 'http://prometheus.example:9090'),
      },
    },
  ]);
});

describe('Kubernetes manifests (deploy/k8s, Kustomize)', () => {
  interface TKubernetesSubject {
    objects: TKubernetesObject[];
    secretsExample: Record<string, string>;
  }
  let subject: TKubernetesSubject;

  beforeAll(() => {
    const rendered = runTool('kubectl', ['kustomize', OVERLAY], 'kubernetes-client');
    if (rendered.status !== 0) throw new Error(`kubectl kustomize ${OVERLAY} failed:\n${rendered.stderr}`);
    subject = {
      objects: parseAllDocuments(rendered.stdout).map((document) => document.toJSON() as TKubernetesObject),
      secretsExample: Object.fromEntries(parseEnvFile(readText(SECRETS_EXAMPLE))),
    };
  });

  const find = <T,>(objects: TKubernetesObject[], kind: string, component?: string) =>
    objects.filter((object) => object.kind === kind && (!component || object.metadata?.labels?.['app.kubernetes.io/component'] === component)) as unknown as T[];
  const webOf = (objects: TKubernetesObject[]) => find<IDeployment>(objects, 'Deployment', 'web')[0];
  const workerOf = (objects: TKubernetesObject[]) => find<IDeployment>(objects, 'Deployment', 'worker')[0];
  const migrationOf = (objects: TKubernetesObject[]) => find<IJob>(objects, 'Job', 'migrate')[0];
  const configMapOf = (objects: TKubernetesObject[]) => find<IConfigMap>(objects, 'ConfigMap')[0];
  /** Every pod the manifests run, by the name of what runs it. */
  const podsOf = (objects: TKubernetesObject[]): [string, IPodSpec][] =>
    [...find<IDeployment>(objects, 'Deployment'), ...find<IJob>(objects, 'Job')].map((owner) => [owner.metadata!.name!, owner.spec!.template.spec!]);
  const containersOf = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];
  const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
    !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

  itChecks<TKubernetesSubject>(() => subject, [
    {
      spec: 'renders only valid objects of known kinds, with no field their schema lacks',
      problemsOf: ({ objects }) => objects.flatMap(schemaProblemsOf),
      breakages: {
        'an unknown kind': ({ objects }) => void objects.push({ apiVersion: 'example.com/v1', kind: 'Frobnicator', metadata: { name: 'x' } }),
        'a misspelt probe': ({ objects }) => void Object.assign(webOf(objects).spec!.template.spec!.containers[0], { readinesProbe: { httpGet: { path: '/', port: 3000 } } }),
        'a port that is not a number': ({ objects }) => void ((webOf(objects).spec!.template.spec!.containers[0].ports![0] as { containerPort: unknown }).containerPort = 'http'),
      },
    },
    {
      spec: 'renders the web and worker Deployments, the migration Job, its Service, Ingress, HPA, PDB and ConfigMap',
      problemsOf: ({ objects }) =>
        [
          ['web Deployment', webOf(objects)],
          ['worker Deployment', workerOf(objects)],
          ['migration Job', migrationOf(objects)],
          ['ConfigMap', configMapOf(objects)],
          ...['Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].map((kind) => [kind, find(objects, kind)[0]]),
        ]
          .filter(([, object]) => !object)
          .map(([what]) => `no ${what}`),
      breakages: {
        'no HPA': (broken) => void (broken.objects = broken.objects.filter((object) => object.kind !== 'HorizontalPodAutoscaler')),
        'no migration Job': (broken) => void (broken.objects = broken.objects.filter((object) => object.kind !== 'Job')),
      },
    },
    {
      spec: 'runs web, worker and migration from one pinned image, each with an entry point of the build',
      problemsOf: ({ objects }) => {
        const problems: string[] = [];
        const images = new Set(podsOf(objects).flatMap(([, pod]) => containersOf(pod).map((container) => container.image)));
        if (images.size !== 1) problems.push(`the pods run ${images.size} images: ${[...images].join(', ')}`);
        for (const image of images) if (!/@sha256:|:(?!latest$)[\w.-]+$/.test(image ?? '')) problems.push(`${image} is not pinned to a tag or digest`);
        const expected: [string, IDeployment | IJob, string][] = [
          ['web', webOf(objects), 'server.mjs'],
          ['worker', workerOf(objects), 'worker.mjs'],
          ['migration', migrationOf(objects), 'migrate.mjs'],
        ];
        for (const [what, owner, entry] of expected) {
          const command = owner.spec!.template.spec!.containers[0].command?.join(' ') ?? 'node server.mjs';
          if (command !== `node ${entry}` || !ENTRY_POINTS.includes(entry)) problems.push(`the ${what} runs ${command}, not node ${entry}`);
        }
        return problems;
      },
      breakages: {
        'the worker on another tag': ({ objects }) => void (workerOf(objects).spec!.template.spec!.containers[0].image = 'registry.example.com/sitework:older'),
        'the latest tag everywhere': ({ objects }) =>
          podsOf(objects).forEach(([, pod]) => containersOf(pod).forEach((container) => (container.image = 'registry.example.com/sitework:latest'))),
        'a migration that runs the server': ({ objects }) => void delete migrationOf(objects).spec!.template.spec!.containers[0].command,
      },
    },
    {
      spec: 'probes the web pods: readiness on /api/health/ready, liveness on /api/health (no database), on port 3000',
      problemsOf: ({ objects }) => {
        const container = webOf(objects).spec!.template.spec!.containers[0];
        const portOf = (port: number | string | undefined) =>
          typeof port === 'string' ? container.ports?.find((candidate) => candidate.name === port)?.containerPort : port;
        const problems: string[] = [];
        for (const [probe, path] of [['readinessProbe', '/api/health/ready'], ['livenessProbe', '/api/health']] as const) {
          const httpGet = container[probe]?.httpGet;
          if (httpGet?.path !== path || portOf(httpGet.port) !== 3000) problems.push(`the web ${probe} is not GET ${path} on port 3000`);
        }
        return problems;
      },
      breakages: {
        'no readiness probe': ({ objects }) => void delete webOf(objects).spec!.template.spec!.containers[0].readinessProbe,
        'a liveness probe that needs the database': ({ objects }) => void (webOf(objects).spec!.template.spec!.containers[0].livenessProbe!.httpGet!.path = '/api/health/ready'),
        'a probe on another port': ({ objects }) => void (webOf(objects).spec!.template.spec!.containers[0].readinessProbe!.httpGet!.port = 8080),
      },
    },
    {
      spec: 'runs every container as a non-root user without privilege escalation, with CPU and memory requests and a memory limit',
      problemsOf: ({ objects }) =>
        podsOf(objects).flatMap(([owner, pod]) =>
          containersOf(pod).flatMap((container) => {
            const where = `${owner}/${container.name}`;
            const problems: string[] = [];
            const runAsNonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const runAsUser = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            if (runAsNonRoot !== true || runAsUser === 0) problems.push(`${where} may run as root`);
            if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where} allows privilege escalation`);
            const { requests, limits } = container.resources ?? {};
            if (!requests?.cpu || !requests.memory || !limits?.memory) problems.push(`${where} lacks a CPU or memory request or a memory limit`);
            return problems;
          }),
        ),
      breakages: {
        'the worker as root': ({ objects }) => void (workerOf(objects).spec!.template.spec!.containers[0].securityContext!.runAsUser = 0),
        'web pods allowed to run as root': ({ objects }) => void (webOf(objects).spec!.template.spec!.securityContext!.runAsNonRoot = false),
        'a migration without a memory limit': ({ objects }) => void delete migrationOf(objects).spec!.template.spec!.containers[0].resources!.limits,
      },
    },
    {
      spec: `gives web pods a grace period covering their preStop pause and the ${DRAIN_SECONDS} s drain after SIGTERM`,
      problemsOf: ({ objects }) => {
        const pod = webOf(objects).spec!.template.spec!;
        const preStop = pod.containers[0].lifecycle?.preStop?.exec?.command ?? [];
        const pauseSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : NaN;
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        if (!(pauseSeconds > 0)) return ['the web container has no preStop pause: requests still routed to a stopping pod fail'];
        return grace >= pauseSeconds + DRAIN_SECONDS ? [] : [`a grace period of ${grace} s cuts the drain short (preStop ${pauseSeconds} s + ${DRAIN_SECONDS} s)`];
      },
      breakages: {
        'a 10 s grace period': ({ objects }) => void (webOf(objects).spec!.template.spec!.terminationGracePeriodSeconds = 10),
        'no preStop': ({ objects }) => void delete webOf(objects).spec!.template.spec!.containers[0].lifecycle,
      },
    },
    {
      spec: "keeps secrets out of the manifests: every pod reads them from the operator's Secret, which lists what the web tier needs",
      problemsOf: ({ objects, secretsExample }) => {
        const problems: string[] = [];
        const plainValues: [string, string, string][] = [
          ...find<IConfigMap>(objects, 'ConfigMap').flatMap((map) => Object.entries(map.data ?? {}).map(([key, value]) => [`ConfigMap ${map.metadata?.name}`, key, value] as [string, string, string])),
          ...podsOf(objects).flatMap(([owner, pod]) =>
            containersOf(pod).flatMap((container) =>
              (container.env ?? []).filter((variable) => variable.value !== undefined).map((variable) => [`${owner}/${container.name}`, variable.name, variable.value!] as [string, string, string]),
            ),
          ),
        ];
        for (const [where, name, value] of plainValues) {
          if (SECRET_NAME.test(name) || URL_WITH_PASSWORD.test(value)) problems.push(`${where} has ${name} as a plain value`);
        }
        for (const secret of objects.filter((object) => object.kind === 'Secret')) problems.push(`the manifests carry Secret ${secret.metadata?.name}`);
        const secretNames = new Set<string>();
        for (const [owner, pod] of podsOf(objects)) {
          for (const container of containersOf(pod)) {
            const secretRef = container.envFrom?.find((source) => source.secretRef)?.secretRef?.name;
            if (!secretRef) problems.push(`${owner}/${container.name} does not read the Secret`);
            else secretNames.add(secretRef);
          }
        }
        if (secretNames.size > 1) problems.push(`the pods read different Secrets: ${[...secretNames].join(', ')}`);
        for (const name of REQUIRED_SECRETS) if (!(name in secretsExample)) problems.push(`${SECRETS_EXAMPLE} does not list ${name}`);
        for (const [name, value] of Object.entries(secretsExample)) {
          const password = URL_WITH_PASSWORD.exec(value)?.[1];
          if ((SECRET_NAME.test(name) && !URL_WITH_PASSWORD.test(value) && value !== '') || (password !== undefined && password !== 'PASSWORD')) {
            problems.push(`${SECRETS_EXAMPLE} gives ${name} a value`);
          }
        }
        return problems;
      },
      breakages: {
        'DATABASE_URL in the ConfigMap': ({ objects }) => void (configMapOf(objects).data!.DATABASE_URL = 'postgres://sitework:hunter2@db:5432/sitework'),
        'NEXTAUTH_SECRET as an env value': ({ objects }) =>
          void webOf(objects).spec!.template.spec!.containers[0].env!.push({ name: 'NEXTAUTH_SECRET', value: 'a-literal-secret-of-at-least-32-chars' }),
        'a Secret in the manifests': ({ objects }) => void objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sitework-secrets' }, data: { NEXTAUTH_SECRET: 'eA==' } }),
        'a worker without the Secret': ({ objects }) =>
          void (workerOf(objects).spec!.template.spec!.containers[0].envFrom = workerOf(objects).spec!.template.spec!.containers[0].envFrom!.filter((source) => !source.secretRef)),
        'REDIS_URL missing from the example': ({ secretsExample }) => void delete secretsExample.REDIS_URL,
        'a real password in the example': ({ secretsExample }) => void (secretsExample.DATABASE_URL = 'postgres://sitework:hunter2@db:5432/sitework'),
      },
    },
    {
      spec: 'routes the apex and every tenant subdomain (*.APP_DOMAIN), with TLS, through the Ingress to the web Service',
      problemsOf: ({ objects }) => {
        const problems: string[] = [];
        const domain = configMapOf(objects).data?.APP_DOMAIN;
        if (!domain) return ['the ConfigMap sets no APP_DOMAIN'];
        if (hostOf(configMapOf(objects).data?.APP_URL) !== domain) problems.push(`APP_URL is not on ${domain}`);
        const ingress = find<IIngress>(objects, 'Ingress')[0];
        const service = find<IService>(objects, 'Service')[0];
        const web = webOf(objects);
        for (const host of [domain, `*.${domain}`]) {
          const backends = ingress.spec?.rules?.filter((rule) => rule.host === host).flatMap((rule) => rule.http?.paths ?? []) ?? [];
          const toWeb = backends.some(
            (route) =>
              route.path === '/' &&
              route.backend.service?.name === service.metadata?.name &&
              service.spec?.ports?.some((port) => port.name === route.backend.service?.port?.name || port.port === route.backend.service?.port?.number),
          );
          if (!toWeb) problems.push(`the Ingress does not send ${host}/ to Service ${service.metadata?.name}`);
          if (!ingress.spec?.tls?.some((tls) => tls.hosts?.includes(host))) problems.push(`the Ingress has no TLS for ${host}`);
        }
        if (!matches(service.spec?.selector, web.spec?.template.metadata?.labels)) problems.push('the Service does not select the web pods');
        const targetPort = service.spec?.ports?.[0]?.targetPort;
        const containerPort = web.spec!.template.spec!.containers[0].ports?.find((port) => port.name === targetPort || port.containerPort === targetPort);
        if (containerPort?.containerPort !== 3000) problems.push(`the Service targets ${targetPort}, not the web container's port 3000`);
        return problems;
      },
      breakages: {
        'no wildcard rule': ({ objects }) => {
          const ingress = find<IIngress>(objects, 'Ingress')[0];
          ingress.spec!.rules = ingress.spec!.rules!.filter((rule) => !rule.host?.startsWith('*.'));
        },
        'a Service selecting the worker': ({ objects }) => void (find<IService>(objects, 'Service')[0].spec!.selector!['app.kubernetes.io/component'] = 'worker'),
        'another domain in the ConfigMap': ({ objects }) => void (configMapOf(objects).data!.APP_DOMAIN = 'other.example.com'),
      },
    },
    {
      spec: 'scales the web Deployment (alone) with an autoscaling/v2 HPA from 2 pods, and keeps one through voluntary disruptions',
      problemsOf: ({ objects }) => {
        const problems: string[] = [];
        const web = webOf(objects);
        const hpa = find<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler')[0];
        const hpaSpec = hpa.spec!;
        const target = hpaSpec.scaleTargetRef;
        if (hpa.apiVersion !== 'autoscaling/v2' || target.kind !== 'Deployment' || target.apiVersion !== 'apps/v1' || target.name !== web.metadata?.name) {
          problems.push(`the HPA scales ${target.apiVersion} ${target.kind} ${target.name}, not the web Deployment`);
        }
        if ((hpaSpec.minReplicas ?? 1) < 2) problems.push('the HPA may scale the web tier down to one pod');
        if (web.spec?.replicas !== undefined) problems.push('the web Deployment sets replicas, which every apply would reset under the HPA');
        const pdb = find<IPodDisruptionBudget>(objects, 'PodDisruptionBudget')[0];
        if (!matches(pdb.spec?.selector?.matchLabels, web.spec?.template.metadata?.labels)) problems.push('the PodDisruptionBudget does not cover the web pods');
        const minAvailable = Number(pdb.spec?.minAvailable ?? 0);
        if (!(minAvailable >= 1 && minAvailable < (hpaSpec.minReplicas ?? 1))) problems.push(`a PodDisruptionBudget of minAvailable ${minAvailable} either protects nothing or blocks every drain`);
        const runJobs = web.spec!.template.spec!.containers[0].env?.find((variable) => variable.name === 'RUN_JOBS')?.value;
        if (runJobs !== 'false' || (workerOf(objects).spec?.replicas ?? 1) < 1) problems.push('the web pods run jobs, or no worker does');
        return problems;
      },
      breakages: {
        'an HPA on the worker': ({ objects }) => void (find<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler')[0].spec!.scaleTargetRef.name = 'sitework-worker'),
        'a fixed replica count': ({ objects }) => void (webOf(objects).spec!.replicas = 2),
        'a PDB on the worker': ({ objects }) =>
          void (find<IPodDisruptionBudget>(objects, 'PodDisruptionBudget')[0].spec!.selector!.matchLabels!['app.kubernetes.io/component'] = 'worker'),
        'web pods running jobs': ({ objects }) => void (webOf(objects).spec!.template.spec!.containers[0].env = []),
      },
    },
  ]);
});
