// The deployment files cannot drift from the CLI: every `cairn …` command line in deploy/docker-compose.yml (as
// `docker-compose config` resolves it, Debian's docker-compose needing no engine) and in the Kubernetes manifests
// is parsed by the command's own commander definition (unknown flags, bad values, missing arguments all fail),
// the ports the files wire together agree with the flags, and the Dockerfile copies files that exist.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/cairn-server.js';
import { DOCKER_COMPOSE_PATH, lacks } from '../support/requirements.js';

const run = promisify(execFile);
const DEPLOY = path.join(REPO_ROOT, 'deploy');

/** The CLI's commands as src/cli/main.ts registers them: name → [module, factory]. */
const COMMANDS = new Map(
  [
    ...readFileSync(path.join(REPO_ROOT, 'src/cli/main.ts'), 'utf8').matchAll(
      /\['([a-z-]+)', async \(\) => \(await import\('\.\/([a-z-]+)\.js'\)\)\.(\w+)\(\)\]/g,
    ),
  ].map((m) => [m[1], { module: m[2], factory: m[3] }] as const),
);

/** Parses `argv` (after `cairn`) with the command's own definition; the error message, or null when it parses. */
async function parseCommandLine(argv: readonly string[]): Promise<string | null> {
  const [name, ...args] = argv;
  const entry = COMMANDS.get(name);
  if (!entry) return `cairn has no command '${name}' (src/cli/main.ts)`;
  const file = pathToFileURL(path.join(REPO_ROOT, 'src/cli', `${entry.module}.ts`)).href;
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, () => Command>;
  const cmd = mod[entry.factory]();
  let parsed = false;
  cmd
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .action(() => {
      parsed = true;
    });
  try {
    await cmd.parseAsync([...args], { from: 'user' });
  } catch (err) {
    return (err as Error).message;
  }
  return parsed ? null : 'the command did not reach its action';
}

/** The value after `flag` in a command line. */
const flagValue = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

/** A stand-in for a value Kubernetes takes from a Secret ($(VAR) in args). */
const SECRET_SAMPLES: Record<string, string> = {
  CAIRN_PREDICTION_LOG: 'postgresql://cairn:secret@postgres:5432/cairn',
};

interface Container {
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}

const k8sDocs = () =>
  readdirSync(path.join(DEPLOY, 'k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(DEPLOY, 'k8s', f), 'utf8')).map((d) => d.toJS()));

function k8sCommandLines(): Array<{ where: string; argv: string[] }> {
  const out: Array<{ where: string; argv: string[] }> = [];
  for (const doc of k8sDocs().filter((d) => d.kind === 'Deployment')) {
    for (const c of doc.spec.template.spec.containers as Container[]) {
      if (!c.image.startsWith('cairn')) continue;
      const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? SECRET_SAMPLES[e.name]]));
      const argv = (c.args ?? []).map((a) =>
        a.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => {
          const value = env.get(v);
          if (value === undefined) throw new Error(`${doc.metadata.name}: $(${v}) is not an env var of the container`);
          return value;
        }),
      );
      out.push({ where: `k8s Deployment ${doc.metadata.name}/${(c as { name?: string }).name}`, argv });
    }
  }
  return out;
}

describe('the command-line check has teeth', () => {
  it('accepts a valid line and refuses unknown flags, bad values and missing arguments', async () => {
    expect(await parseCommandLine(['serve', 'models:/m@champion', '--port', '8000'])).toBeNull();
    expect(await parseCommandLine(['serve', 'models:/m@champion', '--prot', '8000'])).toMatch(/unknown option/);
    expect(await parseCommandLine(['serve', 'models:/m@champion', '--port', 'http'])).toMatch(/--port must be/);
    expect(await parseCommandLine(['serve', 'm', '--prediction-log', 'mysql://x'])).toMatch(/--prediction-log must/);
    expect(await parseCommandLine(['serve'])).toMatch(/missing required argument/);
    expect(await parseCommandLine(['serve-model', 'm'])).toMatch(/has no command 'serve-model'/);
  });
});

describe('deploy/k8s', () => {
  const lines = k8sCommandLines();

  it('runs cairn in at least one Deployment', () => {
    expect(lines.map((l) => l.argv[0])).toContain('serve');
  });

  for (const { where, argv } of lines) {
    it(`${where}: \`cairn ${argv.join(' ')}\` parses with the CLI's flags`, async () => {
      expect(await parseCommandLine(argv)).toBeNull();
    });
  }

  it('probes /health on the port serve listens on, and the Service and autoscaler point at the Deployment', () => {
    const docs = k8sDocs();
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'cairn-serving')!;
    const c = (deployment.spec.template.spec.containers as Container[])[0];
    const port = Number(flagValue(c.args!, '--port'));
    expect(flagValue(c.args!, '--host')).toBe('0.0.0.0');
    const named = c.ports!.find((p) => p.name === 'http')!;
    expect(named.containerPort).toBe(port);
    for (const probe of [c.readinessProbe!, c.livenessProbe!])
      expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
    const service = docs.find((d) => d.kind === 'Service')!;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});

describe.skipIf(lacks('docker-compose'))('deploy/docker-compose.yml', () => {
  let services: Record<string, { image?: string; command?: string[]; ports?: Array<{ target: number }> }>;

  beforeAll(async () => {
    const { stdout } = await run(DOCKER_COMPOSE_PATH, ['-f', path.join(DEPLOY, 'docker-compose.yml'), 'config'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CAIRN_DB_PASSWORD: 'test-password', GRAFANA_ADMIN_PASSWORD: 'test-admin' },
      timeout: 60_000,
    });
    services = parse(stdout).services;
  }, 90_000);

  it('validates with docker-compose config and runs every part of the stack', () => {
    expect(Object.keys(services).sort()).toEqual([
      'grafana',
      'monitor',
      'postgres',
      'prometheus',
      'serving',
      'tracking',
    ]);
  });

  it('refuses to start without the database password (no default secret)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, GRAFANA_ADMIN_PASSWORD: 'x' };
    delete env.CAIRN_DB_PASSWORD;
    const res = await run(DOCKER_COMPOSE_PATH, ['-f', path.join(DEPLOY, 'docker-compose.yml'), 'config'], {
      cwd: REPO_ROOT,
      env,
      timeout: 60_000,
    }).then(
      () => 'ok',
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(res).toMatch(/set CAIRN_DB_PASSWORD/);
  }, 90_000);

  for (const name of ['tracking', 'serving', 'monitor']) {
    const command = () => services[name].command!;
    const cmdName = { tracking: 'server', serving: 'serve', monitor: 'monitor' }[name]!;
    // `cairn monitor` comes from the monitoring work; until this checkout has it, say so rather than pass
    const missing = !COMMANDS.has(cmdName);
    if (missing) console.warn(`SKIP compose service ${name}: this checkout's CLI has no \`cairn ${cmdName}\` yet`);
    it.skipIf(missing)(`service ${name}: its cairn command line parses with the CLI's flags`, async () => {
      expect(command()[0]).toBe(cmdName);
      expect(await parseCommandLine(command())).toBeNull();
    });
  }

  it('wires the ports together: published ports, Prometheus targets and the flags agree', () => {
    const serving = services.serving.command!;
    expect(flagValue(serving, '--host')).toBe('0.0.0.0');
    expect(services.serving.ports!.map((p) => p.target)).toContain(Number(flagValue(serving, '--port')));
    const tracking = services.tracking.command!;
    expect(flagValue(tracking, '--host')).toBe('0.0.0.0');
    expect(services.tracking.ports!.map((p) => p.target)).toContain(Number(flagValue(tracking, '--port')));
    const prom = parse(readFileSync(path.join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8'));
    const targets = Object.fromEntries(
      prom.scrape_configs.map((s: { job_name: string; static_configs: Array<{ targets: string[] }> }) => [
        s.job_name,
        s.static_configs[0].targets[0],
      ]),
    );
    expect(targets['cairn-serving']).toBe(`serving:${flagValue(serving, '--port')}`);
    expect(targets['cairn-monitor']).toBe(`monitor:${flagValue(services.monitor.command!, '--metrics-port')}`);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

  it('copies only files that exist, and runs a Node the package supports', () => {
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources.length).toBeGreaterThan(4);
    for (const s of sources) expect(existsSync(path.join(REPO_ROOT, s)), s).toBe(true);
    const node = Number(/^ARG NODE_VERSION=(\d+)/m.exec(text)![1]);
    const engines = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(node).toBeGreaterThanOrEqual(Number(/>=\s*(\d+)/.exec(engines)![1]));
    // the launcher loads the build the first stage writes
    expect(readFileSync(path.join(REPO_ROOT, 'bin/cairn.js'), 'utf8')).toContain("'../dist/cli/main.js'");
    expect(text).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(text).toMatch(/^ENTRYPOINT \["cairn"\]$/m);
  });
});
