// `cairn monitor` end to end: a heart model logged and registered in a real SQLite tracking store, its
// predictions (with feedback labels) in a real SQLite prediction log, the CLI run as a child process;
// the run it logs to Model_Monitoring is read back through the client.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { type Frame, takeFrameRows } from '../../src/learn/core/frame.js';
import { frameToRecords } from '../../src/learn/data/records.js';
import { sampleRowIndices } from '../../src/models/package/reference-sample.js';
import { PredictionLogStore } from '../../src/serving/prediction-log/prediction-log-store.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { lacks } from '../support/requirements.js';
import { type HeartModel, saveHeartModel } from '../support/serving-model.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-monitor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const NAME = 'heart-monitor';

function shifted(frame: Frame, name: string, by: number): Frame {
  return {
    nRows: frame.nRows,
    columns: frame.columns.map((c) =>
      c.name === name && c.kind === 'numeric' ? { ...c, values: c.values.map((v) => v + by) } : c,
    ),
  };
}

/** 300 seeded training rows (age shifted by `ageShift`) scored by the model, logged with their labels. */
async function writeLog(file: string, m: HeartModel, ageShift: number): Promise<string> {
  const uri = `sqlite:///${path.join(tmp, file)}`;
  const store = await PredictionLogStore.open(uri);
  const rows = sampleRowIndices(m.heart.X.nRows, 300, 99);
  const frame = shifted(takeFrameRows(m.heart.X, rows), 'age', ageShift);
  const proba = m.pipeline.predictProba(frame);
  const pred = m.pipeline.predict(frame);
  const records = frameToRecords(frame);
  const t0 = Date.now() - 60_000;
  await store.insert(
    records.map((inputs, i) => ({
      requestId: `r${i}`,
      ts: t0 + i,
      modelName: NAME,
      modelVersion: '1',
      endpoint: 'predict',
      inputs,
      prediction: pred[i],
      probability: proba.data[i * 2 + 1],
      confidence: Math.max(proba.data[i * 2], proba.data[i * 2 + 1]),
      riskLevel: 'low',
      latencyMs: 1,
    })),
  );
  // every 20th label flipped: a forest scoring its own training rows is otherwise near perfect
  for (let i = 0; i < rows.length; i++) {
    const y = m.heart.y[rows[i]];
    await store.putFeedback(`r${i}`, i % 20 === 0 ? 1 - y : y, t0 + i);
  }
  await store.close();
  return uri;
}

describe.skipIf(lacks('shared-data'))('cairn monitor --once', () => {
  let model: HeartModel;
  let client: CairnClient;
  let plainLog: string;
  let agedLog: string;

  beforeAll(async () => {
    model = await saveHeartModel(path.join(tmp, 'pkg'), 15);
    client = await CairnClient.open(trackingUri);
    const exp = await client.createExperiment('heart-training');
    const run = await client.createRun(exp, { runName: 'train' });
    await client.logMetric(run.info.runId, 'holdout_accuracy', 0.84);
    await client.logModel(run.info.runId, model.pipeline, {
      trainingFrame: model.heart.X,
      trainingTarget: model.heart.y,
      artifactPath: 'model',
      registeredModelName: NAME,
    });
    await client.registry.setPromotionPolicy(NAME, {
      target: 'Production',
      require: [
        { metric: 'accuracy', '>=': 0.995 },
        { metric: 'recall_1', '>=': 0.5 },
      ],
    });
    plainLog = await writeLog('plain.db', model, 0);
    agedLog = await writeLog('aged.db', model, 10);
  }, 120_000);
  afterAll(() => client?.close());

  async function monitorRuns() {
    const exp = await client.getExperimentByName('Model_Monitoring');
    return (await client.searchRuns([exp!.experimentId], { orderBy: ['attributes.start_time DESC'] })).items;
  }

  it('an unshifted sample: no data set drift, one plain line, a run with the shared names', async () => {
    const res = await runCairnCli([
      'monitor',
      `models:/${NAME}/1`,
      '--once',
      '--window',
      '1000',
      '--prediction-log',
      plainLog,
      '--tracking-uri',
      trackingUri,
    ]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const first = res.stdout.split('\n')[0];
    expect(first).toMatch(
      /^No data set drift detected for heart-monitor v1: \d+ of 13 features drifted, threshold 50%; 300 predictions\.$/,
    );
    expect(res.stdout).toMatch(/^age +ks +\S+ +0\.05 +ok/m);
    expect(res.stdout).toMatch(/Live performance on 300 labeled predictions: accuracy/);

    const [run] = await monitorRuns();
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      'cairn.monitor.model_name': NAME,
      'cairn.monitor.model_version': '1',
      'cairn.monitor.model_uri': `models:/${NAME}/1`,
      'cairn.monitor.dataset_drift': 'false',
    });
    expect(tags['mlflow.runName']).toMatch(/^monitor-heart-monitor-v1-\d{4}-\d\d-\d\dT/);
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    expect(params).toMatchObject({
      window: '1000',
      reference_rows: '920',
      'method.age': 'ks',
      'threshold.age': '0.05',
    });
    expect(params['method.sex']).toBe('z');
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics.dataset_drift).toBe(0);
    expect(metrics.n_predictions).toBe(300);
    expect(metrics['drift_detected.age']).toBe(0);
    expect(metrics['drift_score.age']).toBeGreaterThan(0.05);
    expect(metrics['avg.age']).toBeGreaterThan(45);
    expect(metrics['avg.age']).toBeLessThan(60);
    expect(metrics.n_labeled).toBe(300);
    // training rows scored by a forest fitted on them: accurate, and no target drift
    expect(metrics['live.accuracy']).toBeGreaterThan(0.8);
    expect(metrics['live.roc_auc']).toBeGreaterThan(0.8);
    expect(metrics.target_drift).toBe(0);
    expect(metrics.prediction_drift).toBe(0);
    expect(metrics['prediction_share.0'] + metrics['prediction_share.1']).toBeCloseTo(1, 12);
    expect(run.data.metrics.every((m) => m.step === 0)).toBe(true);

    const files = (await client.listArtifacts(run.info.runId)).map((f) => f.path).sort();
    expect(files).toEqual(['drift.json', 'drift_report.html']);
    const html = (await client.readArtifact(run.info.runId, 'drift_report.html')).toString('utf8');
    expect(html).toContain('No data set drift detected');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
    const json = JSON.parse((await client.readArtifact(run.info.runId, 'drift.json')).toString('utf8'));
    expect(json.drift.datasetDrift).toBe(false);
    expect(json.performance.training.accuracy).toBe(0.84);
    // the registered model's policy: live accuracy (< 0.995) is below it, recall is not
    expect(json.performance.policy).toEqual({ accuracy: 0.995, recall_1: 0.5 });
    expect(json.performance.belowPolicy).toEqual(['accuracy']);
    expect(res.stdout).toMatch(/^Below the promotion policy: accuracy\.$/m);
  }, 120_000);

  it('age + 10 years: age drifts; data set drift once the drift share allows one feature in 13', async () => {
    const args = ['monitor', `models:/${NAME}/1`, '--once', '--prediction-log', agedLog, '--tracking-uri', trackingUri];
    const res = await runCairnCli([...args, '--json']);
    expect(res.status).toBe(0);
    const report = JSON.parse(res.stdout);
    const age = report.drift.features.find((f: { feature: string }) => f.feature === 'age');
    expect(age).toMatchObject({ method: 'ks', drifted: true });
    expect(age.score).toBeLessThan(1e-6);
    expect(report.drift.datasetDrift).toBe(false);
    let [run] = await monitorRuns();
    let metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics['drift_detected.age']).toBe(1);
    expect(metrics['avg.age'] - 10).toBeGreaterThan(45);

    const strict = await runCairnCli([...args, '--drift-share', '0.05']);
    expect(strict.status).toBe(0);
    expect(strict.stdout.split('\n')[0]).toMatch(
      /^Data set drift detected for heart-monitor v1: \d+ of 13 features drifted, threshold 5%; 300 predictions\.$/,
    );
    expect(strict.stdout).toMatch(/^age +ks +\S+ +0\.05 +DRIFT/m);
    [run] = await monitorRuns();
    metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics.dataset_drift).toBe(1);
    expect(run.data.tags.find((t) => t.key === 'cairn.monitor.dataset_drift')?.value).toBe('true');
  }, 120_000);

  it('--every serves the gauges on --metrics-port, updated after each pass, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.resolve(import.meta.dirname, '../../src/cli/main.ts'),
        'monitor',
        `models:/${NAME}/1`,
        '--every',
        '1h',
        '--metrics-port',
        '0',
        '--prediction-log',
        agedLog,
        '--tracking-uri',
        trackingUri,
      ],
      { env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // the first pass has printed its line once stdout names the logged run
      while (!/Logged run/.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`monitor exited early: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const port = /gauges at http:\/\/0\.0\.0\.0:(\d+)\/metrics/.exec(stderr)?.[1];
      expect(port).toBeDefined();
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^cairn_monitor_dataset_drift\{model_name="heart-monitor"\} 0$/m);
      expect(text).toMatch(/^cairn_monitor_feature_drift\{model_name="heart-monitor",feature="age",method="ks"\} 1$/m);
      expect(text).toMatch(
        /^cairn_monitor_feature_drift_score\{model_name="heart-monitor",feature="age",method="ks"\} /m,
      );
      expect(text).toMatch(/^cairn_monitor_feature_psi\{model_name="heart-monitor",feature="age"\} /m);
      expect(text).toMatch(/^cairn_monitor_window_predictions\{model_name="heart-monitor"\} 300$/m);
      expect(text).toMatch(/^cairn_monitor_live_metric\{model_name="heart-monitor",metric="accuracy"\} 0\.\d+/m);
      expect(text).toMatch(/^cairn_monitor_model_version_info\{model_name="heart-monitor",model_version="1"\} 1$/m);
      expect(text).toMatch(/^cairn_monitor_last_run_timestamp_seconds\{model_name="heart-monitor"\} \d+/m);
      expect(text).toMatch(/^cairn_monitor_prediction_drift\{model_name="heart-monitor"\} [01]$/m);
      expect(text).toMatch(/^cairn_monitor_policy_threshold\{model_name="heart-monitor",metric="accuracy"\} 0\.995$/m);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('bad usage exits 2 with a message naming the flag', async () => {
    const both = await runCairnCli(['monitor', `models:/${NAME}/1`, '--window', '10', '--since', '1h']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--window N or --since WHEN, not both/);
    const bad = await runCairnCli(['monitor', `models:/${NAME}/1`, '--stattest', 'age=nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/method must be one of ks, wasserstein/);
    const notRead = await runCairnCli([
      'monitor',
      `models:/${NAME}/1`,
      '--once',
      '--stattest',
      'height=psi',
      '--prediction-log',
      plainLog,
      '--tracking-uri',
      trackingUri,
    ]);
    expect(notRead.status).toBe(2);
    expect(notRead.stderr).toMatch(/--stattest names 'height', which the model does not read/);
    const every = await runCairnCli(['monitor', `models:/${NAME}/1`, '--every', 'soon']);
    expect(every.status).toBe(2);
    expect(every.stderr).toMatch(/--every must be a duration/);
  }, 120_000);
});
