// `cairn import` of an MLflow file store, judged by MLflow itself: MLflow 2.17's client writes an
// mlruns/ store, then reads it back (experiments, runs of every lifecycle, params, tags, every
// metric history, every artifact's bytes). After the import, the same client reads the same things
// from a Cairn server on the imported store, and the two readings must agree.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importMlruns } from '../../src/tracking/import/mlruns-import.js';
import { importMlrunsModels } from '../../src/registry/import/mlruns-models.js';
import { openSqlStores as openStores } from '../../src/registry/open-stores.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { DEBIAN_PYTHON, REPO_ROOT, exec, mlflowPythonEnv, mlflowPythonUnavailable, startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const unavailable = mlflowPythonUnavailable();
if (unavailable) console.warn(`SKIP mlruns-import: ${unavailable}`);

const SCRIPT = path.join(REPO_ROOT, 'test/compat/mlruns_store.py');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-mlruns-'));
let server: CairnServer | undefined;
let pg: TestPostgres | undefined;
afterAll(async () => {
  await server?.stop();
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface VersionDump { version: string; source: string; run_id: string | null; [k: string]: unknown }
interface Dump {
  models: Array<{ name: string; versions: VersionDump[]; champion_files: Record<string, string>; [k: string]: unknown }>;
  experiments: Array<{ name: string; lifecycle_stage: string; tags: Record<string, string> }>;
  runs: Record<string, { experiment: string; lifecycle_stage: string; histories: Record<string, unknown[]>; artifacts: Record<string, unknown> } & Record<string, unknown>>;
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

describe.skipIf(unavailable !== null)('cairn import of an MLflow file store', () => {
  const mlruns = path.join(tmp, 'source', 'mlruns');
  const dataDir = path.join(tmp, 'cairn');

  it('imports experiments, runs, histories and artifacts exactly as MLflow reads them, and again imports nothing', async () => {
    await python(['write', path.join(tmp, 'source')]);
    const expected = await dump(`file:${mlruns}`, 'file-store');
    expect(Object.keys(expected.runs)).toHaveLength(8);

    const args = ['import', `file:${mlruns}`, '--backend-store-uri', `sqlite:///${dataDir}/cairn.db`, '--artifacts-destination', path.join(dataDir, 'artifacts')];
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
    expect(Object.keys(parent.artifacts).sort()).toEqual(['model/meta.json', 'model/weights.bin', 'reports/summary.txt']);
    expect(parent.inputs).toEqual([expect.objectContaining({ name: 'uci-heart', source_type: 'local', tags: { 'mlflow.data.context': 'training', split: 'train' } })]);
    expect(Object.values(actual.runs).map((r) => r.run_name)).toContain('1e5');

    // the registry: same versions, stages, aliases and tags; a source inside the run's old artifact
    // directory now points at its new one, and models:/heart-classifier@champion gives the same files
    expect(first.stdout).toContain('registered model heart-classifier: 2 versions imported');
    expect(actual.models).toHaveLength(1);
    const [want] = expected.models; const [got] = actual.models;
    expect(Object.keys(got.champion_files).sort()).toEqual(['meta.json', 'weights.bin']);
    expect(got.champion_files).toEqual(want.champion_files);
    const v2 = want.versions.find((v) => v.version === '2')!;
    expect(v2.source).toMatch(/^file:\/\/.*\/artifacts\/model$/);
    const heartId = /heart-disease \(mlruns \d+ -> new experiment (\d+)\)/.exec(first.stdout)![1];
    expect(got.versions.find((v) => v.version === '2')!.source).toBe(`mlflow-artifacts:/${heartId}/${v2.run_id}/artifacts/model`);
    v2.source = got.versions.find((v) => v.version === '2')!.source;
    expect(got).toEqual(want);
    expect(got.versions.map((v) => [v.version, v.stage])).toEqual([['1', 'Production'], ['2', 'None']]);

    const notAStore = await runCairnCli(['import', path.join(tmp, 'source'), '--backend-store-uri', `sqlite:///${dataDir}/cairn.db`]);
    expect(notAStore).toMatchObject({ status: 1, stderr: expect.stringContaining('holds no MLflow experiments') });

    const again = await runCairnCli(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 runs imported, 8 already there, 0 skipped');
    expect(again.stdout).toContain('0 registered models imported, 1 already there, 0 skipped');
  }, 240_000);

  it('imports into PostgreSQL the same way (registry too), and reports a run it cannot read without stopping', async () => {
    // a run directory MLflow itself could not read either
    const heartDir = readdirSync(mlruns).map((d) => path.join(mlruns, d))
      .find((d) => existsSync(path.join(d, 'meta.yaml')) && readFileSync(path.join(d, 'meta.yaml'), 'utf8').includes('name: heart-disease'))!;
    const broken = path.join(heartDir, 'b'.repeat(32));
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'meta.yaml'), `run_id: ${'b'.repeat(32)}\nstatus: 9\nlifecycle_stage: active\n`);
    // a run whose artifacts were written to an object store keeps its artifact URI
    const remote = path.join(heartDir, 'c'.repeat(32));
    mkdirSync(remote);
    writeFileSync(path.join(remote, 'meta.yaml'),
      `run_id: ${'c'.repeat(32)}\nrun_name: on-s3\nstatus: 3\nstart_time: 5\nend_time: null\nlifecycle_stage: active\nuser_id: carol\nartifact_uri: s3://bucket/mlruns/${'c'.repeat(32)}/artifacts\n`);
    pg = await startPostgres();
    const stores = await openStores(pg.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    const store = stores.tracking;
    try {
      const summary = await importMlruns(store, mlruns, { artifactsDestination: path.join(tmp, 'pg-artifacts') });
      expect([summary.runsCreated, summary.runsWithRemoteArtifacts, summary.artifactProblems]).toEqual([9, 1, []]);
      expect((await store.getRun('c'.repeat(32))).info).toMatchObject({
        runName: 'on-s3', userId: 'carol', status: 'FINISHED', startTime: 5, endTime: null, artifactUri: `s3://bucket/mlruns/${'c'.repeat(32)}/artifacts`,
      });
      expect(summary.skipped).toEqual([{ dir: broken, reason: 'unknown run status 9' }]);
      expect(summary.artifactFiles).toBe(3);
      const heart = await store.getExperimentByName('heart-disease');
      expect(heart.tags).toContainEqual({ key: 'team', value: 'cardiology' });
      const runs = await store.searchRuns({ experimentIds: [heart.experimentId], viewType: 'ALL', filter: "params.model = 'rf'" });
      expect(runs.items).toHaveLength(1);
      const history = await store.getMetricHistory(runs.items[0].info.runId, 'train/loss');
      expect(history.items.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
      expect(history.items[0].value).toBe(2);
      expect((await store.getExperimentByName('old-study')).lifecycleStage).toBe('deleted');

      const models = await importMlrunsModels(stores.registry, mlruns, summary.runArtifactUris);
      expect(models).toEqual({ models: [{ name: 'heart-classifier', created: true, versions: 2 }], skipped: [] });
      expect((await stores.registry.getModelVersionByAlias('heart-classifier', 'champion')).version).toBe('2');
      // the deleted version 3 keeps its number: the next one is 4, as in MLflow
      const next = await stores.registry.createModelVersion({ name: 'heart-classifier', source: 'mlflow-artifacts:/x/model' });
      expect(next.version).toBe('4');
      const audit = await stores.registry.getRegistryHistory({ name: 'heart-classifier' });
      expect(audit.items.map((e) => [e.action, e.user, e.reason])).toContainEqual(['import_model', 'cairn import', `imported from MLflow file store ${mlruns}`]);
    } finally {
      await stores.close();
    }
  }, 120_000);
});
