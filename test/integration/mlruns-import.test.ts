// `cairn import` of an MLflow file store, judged by MLflow itself: MLflow 2.17's client writes an
// mlruns/ store, then reads it back (experiments, runs of every lifecycle, params, tags, every
// metric history, every artifact's bytes). After the import, the same client reads the same things
// from a Cairn server on the imported store, and the two readings must agree.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importMlruns } from '../../src/tracking/import/mlruns-import.js';
import { importMlrunsModels } from '../../src/registry/import/mlruns-models.js';
import { openSqlStores as openStores } from '../../src/registry/open-stores.js';
import { runCairnCli } from '../support/cairn-cli.js';
import {
  DEBIAN_PYTHON,
  REPO_ROOT,
  exec,
  mlflowPythonEnv,
  startCairnServer,
  type CairnServer,
} from '../support/cairn-server.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';

const SCRIPT = path.join(REPO_ROOT, 'test/compat/mlruns_store.py');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-mlruns-'));
let server: CairnServer | undefined;
let pg: TestPostgres | undefined;
afterAll(async () => {
  await server?.stop();
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface VersionDump {
  version: string;
  source: string;
  run_id: string | null;
  [k: string]: unknown;
}
interface Dump {
  models: Array<{
    name: string;
    versions: VersionDump[];
    champion_files: Record<string, string>;
    [k: string]: unknown;
  }>;
  experiments: Array<{ name: string; lifecycle_stage: string; tags: Record<string, string> }>;
  runs: Record<
    string,
    {
      experiment: string;
      lifecycle_stage: string;
      histories: Record<string, unknown[]>;
      artifacts: Record<string, unknown>;
    } & Record<string, unknown>
  >;
}

async function python(args: string[]): Promise<string> {
  const res = await exec(DEBIAN_PYTHON, [SCRIPT, ...args], { ...mlflowPythonEnv(), PYTHONUNBUFFERED: '1' }, 170_000);
  expect(res.code, res.out).toBe(0);
  return res.out;
}

async function dump(uri: string, name: string): Promise<Dump> {
  const out = path.join(tmp, `${name}.json`);
  await python(['dump', uri, out]);
  return JSON.parse(readFileSync(out, 'utf8')) as Dump;
}

describe.skipIf(lacks('mlflow-python'))('cairn import of an MLflow file store', () => {
  const mlruns = path.join(tmp, 'source', 'mlruns');
  const dataDir = path.join(tmp, 'cairn');

  it('imports experiments, runs, histories and artifacts as MLflow reads them, and again imports nothing', async () => {
    await python(['write', path.join(tmp, 'source')]);
    const expected = await dump(`file:${mlruns}`, 'file-store');
    expect(Object.keys(expected.runs)).toHaveLength(8);

    const args = [
      'import',
      `file:${mlruns}`,
      '--backend-store-uri',
      `sqlite:///${dataDir}/cairn.db`,
      '--artifacts-destination',
      path.join(dataDir, 'artifacts'),
    ];
    const first = await runCairnCli(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/heart-disease \(mlruns \d+ -> new experiment \d+\): 6 runs imported/);
    expect(first.stdout).toMatch(/Default \(mlruns 0 -> existing experiment 0\): 1 runs imported/);
    expect(first.stdout).toContain('8 runs imported, 0 already there, 0 skipped; 3 artifact files');

    server = await startCairnServer({ dataDir });
    const actual = await dump(server.url, 'cairn');
    // Like MLflow's SQL store (not its file store), deleting an experiment marks its runs deleted.
    for (const run of Object.values(expected.runs)) if (run.experiment === 'old-study') run.lifecycle_stage = 'deleted';
    expect(actual.experiments).toEqual(expected.experiments);
    expect(Object.keys(actual.runs).sort()).toEqual(Object.keys(expected.runs).sort());
    for (const [id, run] of Object.entries(expected.runs)) expect(actual.runs[id], `run ${id}`).toEqual(run);
    // the histories and artifacts really were compared
    const parent = Object.values(actual.runs).find((r) => r.run_name === 'grid')!;
    expect(parent.histories.odd).toEqual([[0, expect.any(Number), 'nan']]);
    expect(Object.keys(parent.artifacts).sort()).toEqual([
      'model/meta.json',
      'model/weights.bin',
      'reports/summary.txt',
    ]);
    expect(parent.inputs).toEqual([
      expect.objectContaining({
        name: 'uci-heart',
        source_type: 'local',
        tags: { 'mlflow.data.context': 'training', split: 'train' },
      }),
    ]);
    expect(Object.values(actual.runs).map((r) => r.run_name)).toContain('1e5');

    // the registry: same versions, stages, aliases and tags; a source inside the run's old artifact
    // directory now points at its new one, and models:/heart-classifier@champion gives the same files
    expect(first.stdout).toContain('registered model heart-classifier: 2 versions imported');
    expect(actual.models).toHaveLength(1);
    const [want] = expected.models;
    const [got] = actual.models;
    expect(Object.keys(got.champion_files).sort()).toEqual(['meta.json', 'weights.bin']);
    expect(got.champion_files).toEqual(want.champion_files);
    const v2 = want.versions.find((v) => v.version === '2')!;
    expect(v2.source).toMatch(/^file:\/\/.*\/artifacts\/model$/);
    const heartId = /heart-disease \(mlruns \d+ -> new experiment (\d+)\)/.exec(first.stdout)![1];
    expect(got.versions.find((v) => v.version === '2')!.source).toBe(
      `mlflow-artifacts:/${heartId}/${v2.run_id}/artifacts/model`,
    );
    v2.source = got.versions.find((v) => v.version === '2')!.source;
    expect(got).toEqual(want);
    expect(got.versions.map((v) => [v.version, v.stage])).toEqual([
      ['1', 'Production'],
      ['2', 'None'],
    ]);

    const notAStore = await runCairnCli([
      'import',
      path.join(tmp, 'source'),
      '--backend-store-uri',
      `sqlite:///${dataDir}/cairn.db`,
    ]);
    expect(notAStore).toMatchObject({ status: 1, stderr: expect.stringContaining('holds no MLflow experiments') });

    const again = await runCairnCli(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 runs imported, 8 already there, 0 skipped');
    expect(again.stdout).toContain('0 registered models imported, 1 already there, 0 skipped');
  }, 240_000);

  it.skipIf(lacks('postgres'))(
    'imports into PostgreSQL the same way (registry too), and reports a run it cannot read without stopping',
    async () => {
      // a run directory MLflow itself could not read either
      const heartDir = readdirSync(mlruns)
        .map((d) => path.join(mlruns, d))
        .find(
          (d) =>
            existsSync(path.join(d, 'meta.yaml')) &&
            readFileSync(path.join(d, 'meta.yaml'), 'utf8').includes('name: heart-disease'),
        )!;
      const broken = path.join(heartDir, 'b'.repeat(32));
      mkdirSync(broken);
      writeFileSync(path.join(broken, 'meta.yaml'), `run_id: ${'b'.repeat(32)}\nstatus: 9\nlifecycle_stage: active\n`);
      // a run whose artifacts were written to an object store keeps its artifact URI
      const remote = path.join(heartDir, 'c'.repeat(32));
      mkdirSync(remote);
      writeFileSync(
        path.join(remote, 'meta.yaml'),
        `run_id: ${'c'.repeat(32)}\nrun_name: on-s3\nstatus: 3\nstart_time: 5\nend_time: null\n` +
          `lifecycle_stage: active\nuser_id: carol\nartifact_uri: s3://bucket/mlruns/${'c'.repeat(32)}/artifacts\n`,
      );
      pg = await startPostgres();
      const stores = await openStores(pg.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
      const store = stores.tracking;
      try {
        const summary = await importMlruns(store, mlruns, { artifactsDestination: path.join(tmp, 'pg-artifacts') });
        expect([summary.runsCreated, summary.runsWithRemoteArtifacts, summary.artifactProblems]).toEqual([9, 1, []]);
        expect((await store.getRun('c'.repeat(32))).info).toMatchObject({
          runName: 'on-s3',
          userId: 'carol',
          status: 'FINISHED',
          startTime: 5,
          endTime: null,
          artifactUri: `s3://bucket/mlruns/${'c'.repeat(32)}/artifacts`,
        });
        expect(summary.skipped).toEqual([{ dir: broken, reason: 'unknown run status 9' }]);
        expect(summary.artifactFiles).toBe(3);
        const heart = await store.getExperimentByName('heart-disease');
        expect(heart.tags).toContainEqual({ key: 'team', value: 'cardiology' });
        const runs = await store.searchRuns({
          experimentIds: [heart.experimentId],
          viewType: 'ALL',
          filter: "params.model = 'rf'",
        });
        expect(runs.items).toHaveLength(1);
        const history = await store.getMetricHistory(runs.items[0].info.runId, 'train/loss');
        expect(history.items.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
        expect(history.items[0].value).toBe(2);
        expect((await store.getExperimentByName('old-study')).lifecycleStage).toBe('deleted');

        const models = await importMlrunsModels(stores.registry, mlruns, summary.runArtifactUris);
        expect(models).toEqual({ models: [{ name: 'heart-classifier', created: true, versions: 2 }], skipped: [] });
        expect((await stores.registry.getModelVersionByAlias('heart-classifier', 'champion')).version).toBe('2');
        // the deleted version 3 keeps its number: the next one is 4, as in MLflow
        const next = await stores.registry.createModelVersion({
          name: 'heart-classifier',
          source: 'mlflow-artifacts:/x/model',
        });
        expect(next.version).toBe('4');
        const audit = await stores.registry.getRegistryHistory({ name: 'heart-classifier' });
        expect(audit.items.map((e) => [e.action, e.user, e.reason])).toContainEqual([
          'import_model',
          'cairn import',
          `imported from MLflow file store ${mlruns}`,
        ]);
      } finally {
        await stores.close();
      }
    },
    120_000,
  );
});

// A file store's meta.yaml is data: the stores below are written by hand, as a crafted or moved one
// would be, and need no MLflow.
describe('cairn import reads artifacts only inside the source tree', () => {
  const SECRET = "the other server's database password";
  const RUN = 'a'.repeat(32);

  /** An mlruns/ with one run in experiment 0 recording `artifactUri`, and its own artifacts/ when given. */
  function writeStore(root: string, artifactUri: string, ownArtifacts?: Record<string, string>): string {
    const mlrunsDir = path.join(root, 'mlruns');
    mkdirSync(path.join(mlrunsDir, '0', RUN), { recursive: true });
    writeFileSync(
      path.join(mlrunsDir, '0', 'meta.yaml'),
      `artifact_location: file://${mlrunsDir}/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n`,
    );
    writeFileSync(
      path.join(mlrunsDir, '0', RUN, 'meta.yaml'),
      `artifact_uri: ${artifactUri}\nexperiment_id: '0'\n` +
        `lifecycle_stage: active\nrun_id: ${RUN}\nrun_name: r\nstart_time: 1\nend_time: 2\nstatus: 3\nuser_id: u\n`,
    );
    for (const [name, text] of Object.entries(ownArtifacts ?? {})) {
      mkdirSync(path.dirname(path.join(mlrunsDir, '0', RUN, 'artifacts', name)), { recursive: true });
      writeFileSync(path.join(mlrunsDir, '0', RUN, 'artifacts', name), text);
    }
    return mlrunsDir;
  }

  /** A model whose version 1 has `source` (run RUN). */
  function writeModel(mlrunsDir: string, source: string): void {
    const dir = path.join(mlrunsDir, 'models', 'm', 'version-1');
    mkdirSync(dir, { recursive: true });
    const times = 'creation_timestamp: 1\nlast_updated_timestamp: 1\n';
    writeFileSync(path.join(mlrunsDir, 'models', 'm', 'meta.yaml'), `name: m\n${times}`);
    writeFileSync(
      path.join(dir, 'meta.yaml'),
      `version: 1\nsource: ${source}\nrun_id: ${RUN}\ncurrent_stage: None\nstatus: READY\n${times}`,
    );
  }

  /** A directory outside every store, holding a secret file. */
  function otherServer(name: string): string {
    const dir = path.join(tmp, name, 'srv', 'other-server');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    return dir;
  }

  /** Every file under dir (links included) as relative path → contents. */
  function filesUnder(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!existsSync(dir)) return out;
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const full = path.join(dir, name);
      if (!statSync(full, { throwIfNoEntry: false })?.isDirectory()) out[name] = readFileSync(full, 'utf8');
    }
    return out;
  }

  function importInto(name: string, mlrunsDir: string, ...extra: string[]) {
    const target = path.join(tmp, name, 'cairn');
    const args = [
      'import',
      mlrunsDir,
      '--backend-store-uri',
      `sqlite:///${target}/cairn.db`,
      '--artifacts-destination',
      path.join(target, 'artifacts'),
      ...extra,
    ];
    return { target, artifacts: path.join(target, 'artifacts'), result: runCairnCli(args) };
  }

  it('does not follow an artifact_uri naming another directory: reports it, copies nothing, exits 1', async () => {
    const secretDir = otherServer('hostile');
    const mlrunsDir = writeStore(path.join(tmp, 'hostile'), `file://${secretDir}`);
    const { artifacts, result } = importInto('hostile', mlrunsDir);
    const res = await result;
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toContain('1 runs imported');
    const uri = `file://${secretDir}`;
    expect(res.stdout).toContain(
      `artifacts of run ${RUN}: artifact_uri '${uri}' lies outside the source tree ${mlrunsDir}`,
    );
    expect(res.stdout).toContain('--allow-artifacts-outside');
    expect(Object.values(filesUnder(artifacts))).not.toContain(SECRET);
  }, 60_000);

  it('reads below a directory given with --allow-artifacts-outside', async () => {
    const secretDir = otherServer('allowed');
    const mlrunsDir = writeStore(path.join(tmp, 'allowed'), `file://${secretDir}`);
    writeModel(mlrunsDir, `file://${secretDir}/secret.txt`);
    const allow = ['--allow-artifacts-outside', path.dirname(secretDir)];
    const { artifacts, result } = importInto('allowed', mlrunsDir, ...allow);
    const res = await result;
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(filesUnder(artifacts)).toEqual({ [`0/${RUN}/artifacts/secret.txt`]: SECRET });
    expect(res.stdout).toContain('registered model m: 1 versions imported');

    const nowhere = path.join(tmp, 'nowhere');
    const missing = await importInto('allowed-missing', mlrunsDir, '--allow-artifacts-outside', nowhere).result;
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`--allow-artifacts-outside must name an existing directory; '${nowhere}'`);
  }, 60_000);

  it('skips a registered model whose version source lies outside the tree, and says why', async () => {
    const secretDir = otherServer('model-source');
    const mlrunsDir = writeStore(path.join(tmp, 'model-source'), 's3://bucket/artifacts');
    writeModel(mlrunsDir, `file://${secretDir}/secret.txt`);
    const { target, result } = importInto('model-source', mlrunsDir);
    const res = await result;
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('0 registered models imported, 0 already there, 1 skipped');
    expect(res.stdout).toContain(`version-1 source 'file://${secretDir}/secret.txt' lies outside the source tree`);
    const stores = await openStores(`sqlite:///${target}/cairn.db`, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    try {
      expect((await stores.registry.searchRegisteredModels({})).items).toEqual([]);
    } finally {
      await stores.close();
    }
  }, 60_000);

  it("imports a moved store's own artifacts, not its old location's, and says the URI was re-rooted", async () => {
    const oldRoot = path.join(tmp, 'moved', 'old');
    const oldUri = `file://${path.join(oldRoot, 'mlruns', '0', RUN, 'artifacts')}`;
    const oldMlruns = writeStore(oldRoot, oldUri, { 'model/weights.txt': 'old place' });
    writeModel(oldMlruns, `file://${path.join(oldMlruns, '0', RUN, 'artifacts', 'model')}`);
    const newRoot = path.join(tmp, 'moved', 'new');
    cpSync(oldRoot, newRoot, { recursive: true });
    writeFileSync(path.join(newRoot, 'mlruns', '0', RUN, 'artifacts', 'model', 'weights.txt'), 'copied store');
    const { target, artifacts, result } = importInto('moved', path.join(newRoot, 'mlruns'));
    const res = await result;
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(filesUnder(artifacts)).toEqual({ [`0/${RUN}/artifacts/model/weights.txt`]: 'copied store' });
    expect(res.stdout).toContain(
      `1 runs recorded an artifact_uri outside the source tree (e.g. run ${RUN}: ` +
        `'file://${path.join(oldRoot, 'mlruns', '0', RUN, 'artifacts')}', where a moved store used to be): re-rooted`,
    );
    const stores = await openStores(`sqlite:///${target}/cairn.db`, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    try {
      const version = await stores.registry.getModelVersion('m', '1');
      expect(version.source).toBe(`mlflow-artifacts:/0/${RUN}/artifacts/model`);
    } finally {
      await stores.close();
    }
  }, 60_000);

  it('follows no symbolic link out of the tree: neither one among the artifacts nor artifacts/ itself', async () => {
    const secretDir = otherServer('links');
    const root = path.join(tmp, 'links');
    const ownUri = `file://${path.join(root, 'mlruns', '0', RUN, 'artifacts')}`;
    const mlrunsDir = writeStore(root, ownUri, { 'report.txt': 'mine' });
    symlinkSync(path.join(secretDir, 'secret.txt'), path.join(mlrunsDir, '0', RUN, 'artifacts', 'leak.txt'));
    const { artifacts, result } = importInto('links', mlrunsDir);
    const res = await result;
    expect(res.status).toBe(1);
    expect(filesUnder(artifacts)).toEqual({ [`0/${RUN}/artifacts/report.txt`]: 'mine' });
    expect(res.stdout).toContain(`artifacts of run ${RUN}: leak.txt (a symbolic link) left out`);

    const linkedRoot = path.join(tmp, 'linked-dir');
    const linkedMlruns = writeStore(linkedRoot, `file://${path.join(linkedRoot, 'mlruns', '0', RUN, 'artifacts')}`);
    symlinkSync(secretDir, path.join(linkedMlruns, '0', RUN, 'artifacts'));
    const linked = importInto('linked-dir', linkedMlruns);
    const linkedRes = await linked.result;
    expect(linkedRes.status).toBe(1);
    expect(linkedRes.stdout).toContain('is a symbolic link leading out of the source tree');
    expect(Object.values(filesUnder(linked.artifacts))).not.toContain(SECRET);
  }, 60_000);

  it('refuses a store whose metadata links out of the tree: exit 1, the link named, no store created', async () => {
    const secretDir = otherServer('meta-link');
    const mlrunsDir = writeStore(path.join(tmp, 'meta-link'), 's3://bucket/artifacts');
    const link = path.join(mlrunsDir, '0', RUN, 'params', 'password');
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(secretDir, 'secret.txt'), link);
    const { target, result } = importInto('meta-link', mlrunsDir);
    const res = await result;
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`Import refused: ${link} is a symbolic link to ${path.join(secretDir, 'secret.txt')}`);
    expect(res.stderr).toContain(`outside the source tree ${mlrunsDir}`);
    expect(res.stderr).not.toContain('    at ');
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  it('creates no store for a directory that is not a file store', async () => {
    const notAStore = path.join(tmp, 'not-a-store');
    mkdirSync(notAStore);
    const res = await runCairnCli(['import', notAStore, '--backend-store-uri', `sqlite:///${tmp}/no-store/cairn.db`]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`'${notAStore}' holds no MLflow experiments`);
    expect(existsSync(path.join(tmp, 'no-store'))).toBe(false);
  }, 60_000);

  it('refuses an http(s) --tracking-uri with exit status 2, naming --backend-store-uri', async () => {
    const res = await runCairnCli(['import', tmp, '--tracking-uri', 'http://127.0.0.1:5000']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('cairn import needs a database URI');
    expect(res.stderr).toContain('--backend-store-uri sqlite:///');
    expect(res.stderr).toContain('cannot keep run ids');
  }, 60_000);
});
