// Cairn as a user installs it: a copy of the checkout is packed with `npm pack` (whose prepack step runs
// `npm run build`), the tarball is installed globally (`npm install -g`, into a temporary prefix) and into a
// temporary project, and then the installed `cairn` command runs, an ESM script imports `cairn/client`,
// `cairn/learn` and `cairn/models` to fit a model and log a run to a temporary SQLite store, and `tsc` checks
// a TypeScript file importing the same subpaths against the shipped declarations.
//
// Slow by nature: the build is the project's full build (tsc + vite, about 30 s on an idle machine, several
// times that at load), and each install resolves the dependencies from npm's cache (filled by the checkout's
// own `npm install`). better-sqlite3 compiles from source when no prebuilt binary is found, about ten minutes
// on 2 loaded cores, so the installs are offered the checkout's own compiled binary as a local prebuild
// (prebuild-install's `<package>_local_prebuilds` setting); if its name does not match (another Node ABI,
// another version) the install compiles, which the hook's timeout allows for.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const PACKAGE = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const TSC = path.join(REPO, 'node_modules/.bin/tsc');
const MINUTE = 60_000;
/** Each step runs the installed package in a child process (tsc over its declarations is the slowest). */
const STEP_TIMEOUT = 5 * MINUTE;

/** What is not part of a checkout (installed, built, or written by runs), left out of the copy that is packed. */
const NOT_SOURCE = new Set(['node_modules', '.git', 'dist', 'cairn-data', 'mlruns', '.vitest-cache', 'test-results']);

/**
 * The environment for the npm children: the `npm_*` variables of the `npm test` that may be running this
 * file are dropped (`npm test --ignore-scripts` exports npm_config_ignore_scripts, which would skip the build
 * and better-sqlite3's install), except the settings that say where npm's cache and registry are.
 */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|nodedir|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) || keep.test(key)) env[key] = value;
  }
  for (const key of ['CAIRN_TRACKING_URI', 'MLFLOW_TRACKING_URI', 'CAIRN_UI_DIR']) delete env[key];
  return { ...env, ...extra };
}

interface Ran {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command to its end; a failure to start or a signal rejects, an exit status is returned. */
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? npmEnv(), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')}: ${err?.message}\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

async function ok(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const r = await run(file, args, options);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * A directory holding the checkout's compiled better-sqlite3 as prebuild-install names a prebuilt binary
 * (`better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`), or undefined when there is none.
 */
async function localPrebuilds(into: string): Promise<string | undefined> {
  const pkgDir = path.join(REPO, 'node_modules/better-sqlite3');
  if (!existsSync(path.join(pkgDir, 'build/Release/better_sqlite3.node'))) return undefined;
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const target = `node-v${process.versions.modules}-${process.platform}-${process.arch}`;
  const name = `better-sqlite3-v${version}-${target}.tar.gz`;
  mkdirSync(into, { recursive: true });
  await ok('tar', ['-czf', path.join(into, name), 'build/Release/better_sqlite3.node'], { cwd: pkgDir });
  return into;
}

const CONSUMER_SCRIPT = `
import { fluent } from 'cairn/client';
import { accuracyScore, frame, LogisticRegression, numericColumn, Pipeline, StandardScaler } from 'cairn/learn';
import { LoadedModel, parseModelUri } from 'cairn/models';

const [dir] = process.argv.slice(2);
fluent.setTrackingUri('sqlite:///' + dir + '/cairn.db', { artifactRoot: dir + '/artifacts' });
await fluent.setExperiment('from-the-package');
const X = frame([numericColumn('a', [0, 1, 2, 3, 4, 5, 6, 7]), numericColumn('b', [1, 0, 1, 0, 1, 1, 0, 1])]);
const y = Float64Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
const model = new Pipeline({ steps: [['scale', new StandardScaler({})], ['model', new LogisticRegression({})]] });
model.fit(X, y);
const accuracy = accuracyScore(y, model.predict(X));
const info = await fluent.withRun({ runName: 'tiny' }, async () => {
  fluent.logParam('features', 2);
  fluent.logMetric('accuracy', accuracy);
  return fluent.logModel(model, { artifactPath: 'model' });
});
const uri = parseModelUri(info.modelUri);
const loaded = await fluent.loadModel(info.modelUri);
const reloaded = Array.from(loaded.predict(X));
await fluent.shutdown();
console.log(JSON.stringify({
  runId: info.runId, kind: uri.kind, accuracy, reloaded, isLoadedModel: loaded instanceof LoadedModel,
}));
`;

/** Uses the three subpaths with their types; compiles without an error. */
const TYPED_CONSUMER = `
import { fluent, type ModelInfo } from 'cairn/client';
import { frame, LogisticRegression, numericColumn, Pipeline, StandardScaler, type Frame } from 'cairn/learn';
import { parseModelUri, type ModelUri } from 'cairn/models';

const X: Frame = frame([numericColumn('a', [0, 1, 2, 3])]);
const steps: Pipeline['steps'] = [['scale', new StandardScaler({})], ['model', new LogisticRegression({})]];
export const model: Pipeline = new Pipeline({ steps }).fit(X, [0, 0, 1, 1]);
export const uri: ModelUri = parseModelUri('models:/heart@champion');
export const trackingUri: string = fluent.getTrackingUri();
export async function logIt(): Promise<ModelInfo> {
  return fluent.withRun({ runName: 'typed' }, () => fluent.logModel(model, { artifactPath: 'model' }));
}
`.trimStart();

/** Misuses them: lines 5, 6 and 7 are errors, which only real declarations (not \`any\`) can report. */
const MISTYPED_CONSUMER = `
import { fluent } from 'cairn/client';
import { LogisticRegression } from 'cairn/learn';
import { parseModelUri } from 'cairn/models';

export const n: number = fluent.getTrackingUri();
export const m = new LogisticRegression({ nope: 1 });
export const k: 'runs' = parseModelUri('runs:/x/model').uri;
`.trimStart();

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-npm-package-'));
const consumer = path.join(tmp, 'consumer');
const globalPrefix = path.join(tmp, 'global');
let tarball: string;
let tarballFiles: string[];
const timings: Record<string, number> = {};

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await body();
  } finally {
    timings[label] = Math.round((Date.now() - start) / 1000);
  }
}

beforeAll(async () => {
  // Packed from a copy so the build writes the copy's dist/, never the checkout's (which other test files read).
  const stage = path.join(tmp, 'checkout');
  cpSync(REPO, stage, {
    recursive: true,
    filter: (src) => !NOT_SOURCE.has(path.relative(REPO, src).split(path.sep)[0] ?? ''),
  });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  const packed = await timed('npm pack (with the build)', () =>
    ok('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: stage }),
  );
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[$/m))) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = path.join(tmp, info.filename);
  tarballFiles = info.files.map((f) => f.path).sort();

  const prebuilds = await localPrebuilds(path.join(tmp, 'prebuilds'));
  const env = npmEnv(prebuilds ? { npm_config_better_sqlite3_local_prebuilds: prebuilds } : {});
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  await timed('npm install -g', () =>
    ok('npm', [...install, '-g', '--prefix', globalPrefix, tarball], { cwd: tmp, env }),
  );
  mkdirSync(consumer);
  writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'cairn-consumer', private: true, type: 'module' }),
  );
  const typesNode = JSON.parse(readFileSync(path.join(REPO, 'node_modules/@types/node/package.json'), 'utf8')) as {
    version: string;
  };
  await timed('npm install (project)', () =>
    ok('npm', [...install, tarball, `@types/node@${typesNode.version}`], { cwd: consumer, env }),
  );
}, 30 * MINUTE);

afterAll(() => {
  process.stdout.write(`npm-package timings (s): ${JSON.stringify(timings)}\n`);
  rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it(
    'ships the built CLI, declarations, web UI and bundled data, and no sources, tests or benchmarks',
    () => {
      for (const file of [
        'bin/cairn.js',
        'dist/cli/main.js',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/learn/index.d.ts',
        'dist/models/index.d.ts',
        'dist/learn/ensemble/ensemble-worker.js',
        'dist/ui/index.html',
        'data/heart_disease_uci.csv',
        'package.json',
        'README.md',
      ]) {
        expect(tarballFiles).toContain(file);
      }
      const stray = tarballFiles.filter(
        (f) => !/^(bin|dist|data)\//.test(f) && !['package.json', 'README.md'].includes(f),
      );
      expect(stray).toEqual([]);
      expect(tarballFiles.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
      expect(readFileSync(path.join(globalPrefix, 'lib/node_modules/cairn/bin/cairn.js'), 'utf8')).toMatch(
        /^#!\/usr\/bin\/env node\n/,
      );
    },
    STEP_TIMEOUT,
  );

  it(
    '`npm install -g` gives a `cairn` command: --help lists the commands, --version is the version',
    async () => {
      const cairn = path.join(globalPrefix, 'bin/cairn');
      const help = await ok(cairn, ['--help'], { cwd: tmp });
      expect(help.stdout).toContain('Usage: cairn');
      for (const command of ['server', 'quickstart', 'train', 'serve', 'models'])
        expect(help.stdout).toContain(command);
      const version = await ok(cairn, ['--version'], { cwd: tmp });
      expect(version.stdout.trim()).toBe(PACKAGE.version);
      const bad = await run(cairn, ['no-such-command'], { cwd: tmp });
      expect(bad.code).toBe(2);
    },
    STEP_TIMEOUT,
  );

  it(
    '`cairn train heart` finds the bundled data inside the installed package',
    async () => {
      const work = path.join(tmp, 'train');
      mkdirSync(work);
      const uri = `sqlite:///${path.join(work, 'cairn.db')}`;
      const args = ['train', 'heart', '--models', 'lr', '--cv', '2', '--no-register', '--json', '--tracking-uri', uri];
      const out = await ok(path.join(globalPrefix, 'bin/cairn'), args, { cwd: work });
      const summary = JSON.parse(out.stdout) as { models: { family: string; cv: { roc_auc: { mean: number } } }[] };
      expect(summary.models.map((m) => m.family)).toEqual(['lr']);
      expect(summary.models[0]?.cv.roc_auc.mean).toBeGreaterThan(0.8);
    },
    STEP_TIMEOUT,
  );

  it(
    '`cairn server` serves the web UI shipped in the package',
    async () => {
      const work = path.join(tmp, 'server');
      mkdirSync(work);
      const args = ['server', '--port', '0', '--backend-store-uri', `sqlite:///${path.join(work, 'cairn.db')}`];
      const server = spawn(path.join(globalPrefix, 'bin/cairn'), [...args, '--artifacts-destination', work], {
        cwd: work,
        env: npmEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          server.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m?.[1]) resolve(m[1]);
          });
          server.stderr.on('data', (chunk: Buffer) => {
            out += chunk.toString();
          });
          void exited.then((code) => reject(new Error(`cairn server exited ${code} before listening\n${out}`)));
        });
        const index = await fetch(`${url}/`);
        expect(index.status).toBe(200);
        const html = await index.text();
        expect(html).toBe(readFileSync(path.join(globalPrefix, 'lib/node_modules/cairn/dist/ui/index.html'), 'utf8'));
        const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        expect(script).toBeDefined();
        const asset = await fetch(`${url}${script}`);
        expect(asset.status).toBe(200);
        expect(asset.headers.get('content-type')).toMatch(/javascript/);
      } finally {
        server.kill('SIGTERM');
        await exited;
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'a project that installed the tarball has `cairn` in node_modules/.bin',
    async () => {
      const version = await ok(path.join(consumer, 'node_modules/.bin/cairn'), ['--version'], { cwd: consumer });
      expect(version.stdout.trim()).toBe(PACKAGE.version);
    },
    STEP_TIMEOUT,
  );

  it(
    'an ESM script imports cairn/client, cairn/learn and cairn/models, fits a model and logs a run',
    async () => {
      const storeDir = path.join(tmp, 'store');
      writeFileSync(path.join(consumer, 'train.mjs'), CONSUMER_SCRIPT);
      const out = await ok(process.execPath, ['train.mjs', storeDir], { cwd: consumer });
      const result = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as {
        runId: string;
        kind: string;
        accuracy: number;
        reloaded: number[];
        isLoadedModel: boolean;
      };
      expect(result.kind).toBe('runs');
      expect(result.accuracy).toBe(1);
      expect(result.reloaded).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
      expect(result.isLoadedModel).toBe(true);

      // Read back with the checkout's own client: the run, its param and metric, and the model's files.
      const client = await CairnClient.open(`sqlite:///${path.join(storeDir, 'cairn.db')}`, {
        artifactRoot: path.join(storeDir, 'artifacts'),
      });
      try {
        const logged = await client.getRun(result.runId);
        expect(logged.info.status).toBe('FINISHED');
        expect(logged.info.runName).toBe('tiny');
        expect(logged.data.params).toContainEqual({ key: 'features', value: '2' });
        expect(logged.data.metrics.find((m) => m.key === 'accuracy')?.value).toBe(1);
        const files = (await client.listArtifacts(result.runId, 'model')).map((f) => f.path);
        expect(files).toContain('model/MLmodel');
      } finally {
        await client.close();
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'tsc resolves the subpaths to their declarations: typed use compiles, misuse is reported',
    async () => {
      // skipLibCheck off: the shipped declarations must themselves check against the installed dependencies.
      writeFileSync(
        path.join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
          },
          files: ['typed.ts', 'mistyped.ts'],
        }),
      );
      writeFileSync(path.join(consumer, 'typed.ts'), TYPED_CONSUMER);
      writeFileSync(path.join(consumer, 'mistyped.ts'), MISTYPED_CONSUMER);
      const checked = await run(TSC, ['-p', '.'], { cwd: consumer });
      expect(checked.code).toBe(2);
      const errors = checked.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
      expect(errors.map((l) => l.replace(/^(\S+)\((\d+),\d+\): error (TS\d+).*$/, '$1:$2 $3'))).toEqual([
        'mistyped.ts:5 TS2322',
        'mistyped.ts:6 TS2353',
        'mistyped.ts:7 TS2322',
      ]);
      expect(checked.stdout).toContain("'nope' does not exist in type 'LogisticRegressionParams'");
    },
    STEP_TIMEOUT,
  );
});
