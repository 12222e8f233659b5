// The fluent API end to end, over REST to a Cairn server on loopback and directly to a SQLite file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as cairn from '../../src/client/fluent.js';
import { CairnClient } from '../../src/client/cairn-client.js';
import { InvalidParameter, InvalidState } from '../../src/core/errors.js';
import { REPO_ROOT } from '../support/cairn-server.js';
import { startTestServer, type TestServer } from './server-harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-fluent-'));
let server: TestServer;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await cairn.shutdown();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const envKeys = ['MLFLOW_EXPERIMENT_NAME', 'MLFLOW_RUN_ID', 'CAIRN_TRACKING_URI', 'MLFLOW_TRACKING_URI'] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));
afterEach(async () => {
  for (const k of envKeys) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await cairn.shutdown();
});

const targets = [
  { name: 'rest', uri: () => server.url, options: () => ({}) },
  {
    name: 'sqlite direct',
    uri: () => `sqlite:///${path.join(tmp, 'fluent.db')}`,
    options: () => ({ artifactRoot: path.join(tmp, 'fluent-artifacts') }),
  },
];

describe.each(targets)('fluent API over $name', (target) => {
  it('logs a whole training run: params, metrics, tags, artifacts, inputs, nested runs', async () => {
    cairn.setTrackingUri(target.uri(), target.options());
    expect(cairn.getTrackingUri()).toBe(target.uri());
    const exp = await cairn.setExperiment(`heart-${target.name}`);
    expect((await cairn.setExperiment(`heart-${target.name}`)).experimentId).toBe(exp.experimentId);

    const src = path.join(tmp, `files-${target.name.replace(' ', '-')}`);
    mkdirSync(path.join(src, 'plots'), { recursive: true });
    writeFileSync(path.join(src, 'plots', 'roc.csv'), 'fpr,tpr\n0,0\n1,1\n');
    writeFileSync(path.join(src, 'report.md'), '# report');

    let childId = '';
    const parentId = await cairn.withRun({ runName: 'parent', tags: { model: 'forest' } }, async (run) => {
      cairn.logParams({ n_estimators: 100, max_depth: 7, class_weight: { 0: 1, 1: 3 } });
      cairn.logParam('seed', 42);
      for (let step = 0; step < 5; step++)
        cairn.logMetrics({ loss: 1 / (step + 1), acc: step / 5 }, { step, timestamp: 1_000 + step });
      cairn.logMetric('auc', 0.93);
      cairn.setTags({ stage: 'dev', 'mlflow.note.content': 'notes' });
      cairn.setTag('tmp', 'x');
      await cairn.deleteTag('tmp');
      await cairn.logArtifact(path.join(src, 'report.md'));
      await cairn.logArtifact(path.join(src, 'report.md'), 'docs');
      await cairn.logArtifacts(src, 'bundle');
      await cairn.logDict({ features: ['age', 'chol'], threshold: 0.5 }, 'config/params.json');
      await cairn.logDict({ features: ['age', 'chol'], threshold: 0.5 }, 'config/params.yaml');
      await cairn.logText('hello', 'notes.txt');
      await cairn.logImage(PNG, 'plots/confusion.png');
      await cairn.logFigure({ toPNG: () => PNG }, 'plots/roc.png');
      await expect(cairn.logImage(Buffer.from('not a png'), 'x.png')).rejects.toBeInstanceOf(InvalidParameter);
      await cairn.logInputs({
        name: 'heart.csv',
        source: 'data/heart.csv',
        schema: { cols: ['age'] },
        context: 'training',
      });

      await cairn.withRun({ runName: 'fold-1', nested: true }, async (child) => {
        childId = child.runId;
        cairn.logMetric('fold_acc', 0.88);
        expect(cairn.activeRun()?.runId).toBe(child.runId);
      });
      expect(cairn.activeRun()?.runId).toBe(run.runId);
      await expect(cairn.startRun()).rejects.toBeInstanceOf(InvalidState);
      return run.runId;
    });
    expect(cairn.activeRun()).toBeUndefined();

    const client = await cairn.getClient();
    const parent = await client.getRun(parentId);
    expect(parent.info).toMatchObject({ status: 'FINISHED', runName: 'parent', experimentId: exp.experimentId });
    expect(parent.info.endTime).not.toBeNull();
    const params = Object.fromEntries(parent.data.params.map((p) => [p.key, p.value]));
    expect(parent.info.userId).not.toBe('');
    expect(params).toEqual({ n_estimators: '100', max_depth: '7', class_weight: '{"0":1,"1":3}', seed: '42' });
    const metrics = Object.fromEntries(parent.data.metrics.map((m) => [m.key, m]));
    expect(metrics.loss).toMatchObject({ value: 0.2, step: 4, timestamp: 1004 });
    expect(metrics.auc.value).toBe(0.93);
    const tags = Object.fromEntries(parent.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      model: 'forest',
      stage: 'dev',
      'mlflow.source.type': 'LOCAL',
      'mlflow.note.content': 'notes',
    });
    expect(tags.tmp).toBeUndefined();
    expect(parent.inputs.datasetInputs[0].dataset).toMatchObject({
      name: 'heart.csv',
      source: 'data/heart.csv',
      schema: '{"cols":["age"]}',
    });
    expect(parent.inputs.datasetInputs[0].dataset.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(parent.inputs.datasetInputs[0].tags).toContainEqual({ key: 'mlflow.data.context', value: 'training' });

    const child = await client.getRun(childId);
    expect(child.info.status).toBe('FINISHED');
    expect(child.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parentId });

    const history = await cairn.getMetricHistory('loss', parentId);
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 1 / 3],
      [3, 0.25],
      [4, 0.2],
    ]);

    const root = (await client.listArtifacts(parentId)).map((f) => f.path);
    expect(root).toEqual(['bundle', 'config', 'docs', 'notes.txt', 'plots', 'report.md']);
    expect((await client.listArtifacts(parentId, 'bundle/plots')).map((f) => f.path)).toEqual(['bundle/plots/roc.csv']);
    expect(JSON.parse((await client.readArtifact(parentId, 'config/params.json')).toString())).toEqual({
      features: ['age', 'chol'],
      threshold: 0.5,
    });
    expect(parseYaml((await client.readArtifact(parentId, 'config/params.yaml')).toString())).toEqual({
      features: ['age', 'chol'],
      threshold: 0.5,
    });
    expect((await client.readArtifact(parentId, 'plots/roc.png')).equals(PNG)).toBe(true);
    const dl = await client.downloadArtifacts(parentId, '', path.join(tmp, `dl-${target.name.replace(' ', '-')}`));
    expect(readFileSync(path.join(dl, 'bundle', 'report.md'), 'utf8')).toBe('# report');

    const found = await cairn.searchRuns("params.seed = '42'", ['attributes.start_time DESC'], {
      experimentIds: [exp.experimentId],
    });
    expect(found.map((r) => r.info.runId)).toEqual([parentId]);
    const all = await cairn.searchRuns(undefined, ['attributes.run_name ASC'], { experimentIds: [exp.experimentId] });
    expect(all.map((r) => r.info.runName)).toEqual(['fold-1', 'parent']);
  });

  it('withRun ends FAILED and rethrows when the body throws; logging without a run throws', async () => {
    cairn.setTrackingUri(target.uri(), target.options());
    await cairn.setExperiment(`failing-${target.name}`);
    let runId = '';
    await expect(
      cairn.withRun({}, async (run) => {
        runId = run.runId;
        cairn.logMetric('partial', 1);
        throw new Error('training diverged');
      }),
    ).rejects.toThrow('training diverged');
    const run = await (await cairn.getClient()).getRun(runId);
    expect(run.info.status).toBe('FAILED');
    expect(run.data.metrics.map((m) => m.key)).toEqual(['partial']);
    expect(() => cairn.logMetric('orphan', 1)).toThrow(InvalidState);
  });

  it('honours MLFLOW_EXPERIMENT_NAME and resumes MLFLOW_RUN_ID', async () => {
    process.env.MLFLOW_TRACKING_URI = target.uri();
    cairn.setTrackingUri(target.uri(), target.options());
    process.env.MLFLOW_EXPERIMENT_NAME = `from-env-${target.name}`;
    const first = await cairn.startRun({ runName: 'resumable' });
    const client = await cairn.getClient();
    expect((await client.getExperiment(first.experimentId)).name).toBe(`from-env-${target.name}`);
    cairn.logMetric('epoch', 1, { step: 1 });
    await cairn.endRun('KILLED');
    expect((await client.getRun(first.runId)).info.status).toBe('KILLED');

    process.env.MLFLOW_RUN_ID = first.runId;
    const resumed = await cairn.startRun();
    expect(resumed.runId).toBe(first.runId);
    expect((await client.getRun(first.runId)).info.status).toBe('RUNNING');
    cairn.logMetric('epoch', 2, { step: 2 });
    await cairn.endRun();
    expect((await cairn.getMetricHistory('epoch', first.runId)).map((m) => m.value)).toEqual([1, 2]);
    expect((await client.getRun(first.runId)).info.status).toBe('FINISHED');
  });

  it('10,000 logMetric calls return at once and all land, in order', async () => {
    cairn.setTrackingUri(target.uri(), target.options());
    await cairn.setExperiment(`bulk-${target.name}`);
    const run = await cairn.startRun();
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++)
      cairn.logMetric('loss', Math.exp(-i / 1000), { step: i, timestamp: 1_700_000_000_000 + i });
    expect(performance.now() - t0).toBeLessThan(2000); // queued, not sent one by one
    await cairn.endRun();
    const client = await cairn.getClient();
    const history = await client.getMetricHistory(run.runId, 'loss');
    expect(history).toHaveLength(10_000);
    expect(history.map((m) => m.step)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(history.every((m) => m.value === Math.exp(-Number(m.step) / 1000))).toBe(true);
  });

  it('a param change conflict makes endRun reject with INVALID_PARAMETER_VALUE and the run FAILED', async () => {
    cairn.setTrackingUri(target.uri(), target.options());
    const run = await cairn.startRun();
    cairn.logParam('lr', 0.1);
    await run.flush();
    cairn.logParam('lr', 0.2);
    await expect(cairn.endRun()).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect((await (await cairn.getClient()).getRun(run.runId)).info.status).toBe('FAILED');
  });
});

describe('fluent defaults and process exit', () => {
  it('defaults to the embedded store unless CAIRN_TRACKING_URI / MLFLOW_TRACKING_URI say otherwise', () => {
    delete process.env.CAIRN_TRACKING_URI;
    delete process.env.MLFLOW_TRACKING_URI;
    cairn.setTrackingUri(undefined);
    expect(cairn.getTrackingUri()).toBe('sqlite:///cairn-data/cairn.db');
    process.env.MLFLOW_TRACKING_URI = 'http://mlflow:5000';
    expect(cairn.getTrackingUri()).toBe('http://mlflow:5000');
    process.env.CAIRN_TRACKING_URI = 'http://cairn:5000';
    expect(cairn.getTrackingUri()).toBe('http://cairn:5000');
  });

  it('flushes the queue on beforeExit, and reports a failed flush with a non-zero exit', async () => {
    const script = path.join(tmp, 'exit-script.mts');
    const fluentPath = path.join(REPO_ROOT, 'src/client/fluent.ts');
    writeFileSync(
      script,
      `
      import * as cairn from ${JSON.stringify(fluentPath)};
      cairn.setTrackingUri(process.env.URI!);
      const run = await cairn.startRun({ runName: 'script' });
      console.log(run.runId);
      if (process.env.CONFLICT) { cairn.logParam('p', 1); await run.flush(); cairn.logParam('p', 2); }
      for (let i = 0; i < 3000; i++) cairn.logMetric('m', i, { step: i });
      // no flush, no endRun: the process simply runs out of work
    `,
    );
    const uri = `sqlite:///${path.join(tmp, 'exit.db')}`;
    const ok = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, URI: uri },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(ok.status, ok.stderr).toBe(0);
    const client = await CairnClient.open(uri);
    try {
      const history = await client.getMetricHistory(ok.stdout.trim(), 'm');
      expect(history.map((m) => m.value)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    } finally {
      await client.close();
    }
    const bad = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, URI: uri, CONFLICT: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Changing param values is not allowed/);
  });
});
