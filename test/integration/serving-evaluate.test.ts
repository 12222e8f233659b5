// `cairn evaluate` against a real `cairn serve` on loopback: the metrics it reports and logs equal those
// computed here from the model's own batch predictions, a seeded sample sends exactly N rows, failed
// requests are counted (never dropped), and bad input exits 2 naming the file or column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { sampleRows } from '../../src/serving/endpoint-evaluation.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { freePort } from '../support/cairn-server.js';
import { heartDataset } from '../support/learn/anchor-protocol.js';
import { lacks } from '../support/requirements.js';
import { startServeProcess, stopServeProcess, type ServeProcess } from '../support/serve-process.js';
import { saveHeartModel, type HeartModel } from '../support/serving-model.js';
import { readSharedData } from '../support/shared.js';

const skip = lacks('shared-data');
const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-evaluate-it-'));
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const subsetFile = path.join(tmp, 'heart-subset.csv');
let model: HeartModel;
let server: ServeProcess;
let subsetText: string;

/** Accuracy and class-1 precision/recall/F1, counted by hand from the model's batch predictions. */
function localMetrics(csvText: string, rows?: number[]) {
  const data = heartDataset(csvText);
  const P = model.pipeline.predictProba(data.X);
  const classes = Array.from(model.pipeline.classes_!);
  const pick = rows ?? Array.from({ length: data.y.length }, (_, i) => i);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  for (const i of pick) {
    let best = 0;
    for (let k = 1; k < P.nCols; k++) if (P.data[i * P.nCols + k] > P.data[i * P.nCols + best]) best = k;
    const pred = classes[best];
    const truth = data.y[i];
    if (pred === truth) correct++;
    if (pred === 1 && truth === 1) tp++;
    if (pred === 1 && truth === 0) fp++;
    if (pred === 0 && truth === 1) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    accuracy: correct / pick.length,
    precision_1: precision,
    recall_1: recall,
    f1_1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

async function evaluate(args: string[]) {
  const res = await runCairnCli(['evaluate', '--tracking-uri', trackingUri, '--json', ...args]);
  return { ...res, json: res.stdout.trim().startsWith('{') ? JSON.parse(res.stdout) : undefined };
}

beforeAll(async () => {
  if (skip) return;
  model = await saveHeartModel(path.join(tmp, 'heart-model'), 15);
  const lines = readSharedData('heart_disease_uci.csv').trimEnd().split('\n');
  subsetText = `${lines.slice(0, 81).join('\n')}\n`; // header + the first 80 patients
  writeFileSync(subsetFile, subsetText);
  server = await startServeProcess([model.dir, '--prediction-log', 'none', '--log-level', 'warn']);
}, 180_000);

afterAll(async () => {
  if (server) await stopServeProcess(server);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('cairn evaluate against cairn serve', () => {
  it('reports and logs the metrics the model gives locally, and latency per sample', async () => {
    const res = await evaluate([
      '--endpoint',
      server.url,
      '--data',
      subsetFile,
      '--target',
      'num',
      '--positive-when',
      '>0',
    ]);
    expect(res.status, res.stderr).toBe(0);
    const e = res.json;
    expect(e.requests).toBe(80);
    expect(e.failed).toBe(0);
    const local = localMetrics(subsetText);
    for (const k of ['accuracy', 'precision_1', 'recall_1', 'f1_1'] as const)
      expect(e.metrics[k]).toBeCloseTo(local[k], 12);
    expect(e.latencyMs.p50).toBeGreaterThan(0);
    expect(e.latencyMs.p99).toBeGreaterThanOrEqual(e.latencyMs.p50);
    expect(e.models).toEqual([{ name: 'heart-model', version: expect.any(String), count: 80 }]);

    const client = await CairnClient.open(trackingUri);
    try {
      const run = await client.getRun(e.runId);
      const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
      expect(params).toMatchObject({ endpoint: `${server.url}/predict`, data: 'heart-subset.csv', rows: '80' });
      const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
      expect(metrics.accuracy).toBeCloseTo(local.accuracy, 12);
      expect(metrics.f1_1).toBeCloseTo(local.f1_1, 12);
      expect(metrics.latency_p50_ms).toBeCloseTo(e.latencyMs.p50, 9);
      expect(metrics.latency_p99_ms).toBeCloseTo(e.latencyMs.p99, 9);
      expect(metrics.failed_requests).toBe(0);
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      expect(tags['cairn.serving.model_name']).toBe('heart-model');
      expect(tags['cairn.serving.model_version']).toBe(e.models[0].version);
      expect(run.info.status).toBe('FINISHED');
      const exp = await client.getExperimentByName('serving-evaluation');
      expect(run.info.experimentId).toBe(exp?.experimentId);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('--rows N sends a seeded sample of N rows and scores exactly those', async () => {
    const res = await evaluate(['--endpoint', server.url, '--data', subsetFile, '--target', 'num']);
    expect(res.status, res.stderr).toBe(0);
    const sampled = await evaluate([
      '--endpoint',
      server.url,
      '--data',
      subsetFile,
      '--target',
      'num',
      '--positive-when',
      '>0',
      '--rows',
      '30',
      '--seed',
      '5',
    ]);
    expect(sampled.status, sampled.stderr).toBe(0);
    expect(sampled.json.requests).toBe(30);
    const local = localMetrics(subsetText, sampleRows(80, 30, 5));
    expect(sampled.json.metrics.accuracy).toBeCloseTo(local.accuracy, 12);
    expect(sampled.json.metrics.recall_1).toBeCloseTo(local.recall_1, 12);
    // the default positive rule (as cairn train's: target == 1) labels fewer rows positive than '>0'
    const numIsOne = subsetText
      .trim()
      .split('\n')
      .slice(1)
      .filter((line) => line.split(',').at(-1) === '1').length;
    expect(res.json.positives).toBe(numIsOne);
  }, 120_000);

  it('counts refused requests with their reason and scores the rest', async () => {
    const bad = subsetText.split('\n')[1].replace('typical angina', 'alien angina');
    const file = path.join(tmp, 'with-bad-rows.csv');
    writeFileSync(file, `${subsetText}${bad}\n${bad}\n`);
    const res = await evaluate(['--endpoint', server.url, '--data', file, '--target', 'num', '--positive-when', '>0']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/2 of 82 requests failed/);
    expect(res.json.failed).toBe(2);
    expect(res.json.succeeded).toBe(80);
    expect(res.json.failures).toEqual([
      {
        status: 400,
        errorCode: 'INVALID_PARAMETER_VALUE',
        count: 2,
        message: expect.stringMatching(/Field 'cp'.*unknown category "alien angina"/),
        firstRow: 80,
      },
    ]);
    expect(res.json.metrics.accuracy).toBeCloseTo(localMetrics(subsetText).accuracy, 12);
  }, 120_000);

  it('exits 1 when no request is answered, after logging a FAILED run', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const res = await evaluate(['--endpoint', closed, '--data', subsetFile, '--target', 'num', '--rows', '3']);
    expect(res.status).toBe(1);
    expect(res.json.failed).toBe(3);
    expect(res.json.failures[0].status).toBeNull();
    expect(res.stderr).toMatch(/every request to .* failed/);
    const client = await CairnClient.open(trackingUri);
    try {
      expect((await client.getRun(res.json.runId)).info.status).toBe('FAILED');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('exits 2 naming a missing file, a missing column or a bad endpoint', async () => {
    const noFile = await evaluate(['--endpoint', server.url, '--data', path.join(tmp, 'nope.csv'), '--target', 'num']);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/nope\.csv: no such file/);
    const noColumn = await evaluate(['--endpoint', server.url, '--data', subsetFile, '--target', 'outcome']);
    expect(noColumn.status).toBe(2);
    expect(noColumn.stderr).toMatch(/column "outcome" \(the target\) is missing/);
    const badUrl = await evaluate(['--endpoint', 'localhost:8000', '--data', subsetFile, '--target', 'num']);
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/--endpoint must be an http\(s\) URL/);
  }, 120_000);
});
