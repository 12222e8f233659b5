// `cairn simulate` against a real `cairn serve` process on loopback: the records it sends (sampled from the
// training data, shifted) and the labels it feeds back are exactly the seeded plan, whatever the concurrency;
// profile sampling sends complete records with labels drawn from the model's probability; bad flags exit 2
// naming the rule, an unreachable endpoint exits 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataSampler,
  feedbackLabel,
  parseShifts,
  planSimulation,
  type SimRecord,
} from '../../src/monitoring/simulate.js';
import type { LoadedDataset } from '../../src/pipelines/load-dataset.js';
import { PredictionLogStore, type LoggedPrediction } from '../../src/serving/prediction-log/prediction-log-store.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { freePort } from '../support/cairn-server.js';
import { BUNDLED_HEART_CSV, registerHeartModel, startServe } from '../support/monitoring-stack.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-simulate-it-'));
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const MODEL = 'models:/heart-disease@champion';
let heart: LoadedDataset;

beforeAll(async () => {
  heart = await registerHeartModel(trackingUri, path.join(tmp, 'artifacts'));
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function logged(uri: string): Promise<LoggedPrediction[]> {
  const store = await PredictionLogStore.open(uri);
  try {
    const out: LoggedPrediction[] = [];
    for await (const r of store.read()) out.push(r);
    return out;
  } finally {
    await store.close();
  }
}

/** A record and label as one comparable string (keys sorted). */
function key(record: SimRecord | Record<string, unknown>, label: number | null): string {
  const sorted = Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify([sorted, label]);
}

async function serveWithLog(name: string) {
  const logUri = `sqlite:///${path.join(tmp, `${name}.db`)}`;
  const server = await startServe([
    MODEL,
    '--tracking-uri',
    trackingUri,
    '--prediction-log',
    logUri,
    '--log-level',
    'warn',
  ]);
  return { server, logUri };
}

describe('cairn simulate (real cairn serve)', () => {
  it('sends the seeded, shifted training rows and feeds back their true labels with the asked noise', async () => {
    const { server, logUri } = await serveWithLog('data');
    const args = [
      '--model',
      MODEL,
      '--tracking-uri',
      trackingUri,
      '--endpoint',
      server.url,
      '--data',
      BUNDLED_HEART_CSV,
    ];
    const run = await runCairnCli([
      'simulate',
      ...args,
      '--rows',
      '300',
      '--shift',
      'age=+10,chol=*1.3',
      '--feedback',
      '--label-noise',
      '0.2',
      '--seed',
      '7',
      '--concurrency',
      '6',
      '--json',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ model: MODEL, source: 'data', sent: 300, succeeded: 300, failed: 0 });
    expect(summary).toMatchObject({ feedbackSent: 300, feedbackFailed: 0, errors: [] });
    expect(summary.meanProbability).toBeGreaterThan(0.2);
    expect(summary.meanProbability).toBeLessThan(0.9);
    expect(Object.values(summary.classShares as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(await server.stop()).toBe(0);

    const rows = await logged(logUri);
    expect(rows).toHaveLength(300);
    // the same plan, built here from the same seed: records and labels match one for one (as multisets)
    const plan = planSimulation(dataSampler(heart.X, heart.y), {
      rows: 300,
      seed: 7,
      shifts: parseShifts('age=+10,chol=*1.3'),
      labelNoise: 0.2,
    });
    const expected = plan.map((r) => key(r.record, feedbackLabel(r, 0.5, [0, 1], 1))).sort();
    expect(rows.map((r) => key(r.inputs, r.label)).sort()).toEqual(expected);
    const meanAge = rows.reduce((a, r) => a + (r.inputs.age as number), 0) / rows.length;
    const trainAge = heart.X.columns.find((c) => c.name === 'age')!;
    const ages = trainAge.kind === 'numeric' ? [...trainAge.values] : [];
    const trainMean = ages.reduce((a, b) => a + b, 0) / ages.length;
    expect(meanAge - trainMean).toBeGreaterThan(8);
    const flipped = plan.filter((r) => r.flip).length;
    expect(flipped).toBeGreaterThan(30);
    expect(flipped).toBeLessThan(90);
  }, 240_000);

  it("samples complete records from the reference profile, labels drawn from the model's probability", async () => {
    const { server, logUri } = await serveWithLog('profile');
    const run = await runCairnCli([
      'simulate',
      '--model',
      MODEL,
      '--tracking-uri',
      trackingUri,
      '--endpoint',
      `${server.url}/predict`,
      '--rows',
      '400',
      '--feedback',
      '--seed',
      '3',
      '--concurrency',
      '8',
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^Sent 400 records to ${server.url}/predict \\(drawn from the model's reference profile, seed 3`),
    );
    expect(run.stdout).toMatch(/400 answered, 0 failed/);
    expect(run.stdout).toMatch(/^Mean probability: 0\.\d{3}$/m);
    expect(run.stdout).toMatch(/^Predicted classes: 0 \d+\.\d%, 1 \d+\.\d%$/m);
    expect(run.stdout).toMatch(/^Feedback: 400 labels sent, 0 failed$/m);
    expect(await server.stop()).toBe(0);
    const rows = await logged(logUri);
    expect(rows).toHaveLength(400);
    const features = heart.X.columns.map((c) => c.name).sort();
    for (const r of rows) expect(Object.keys(r.inputs).sort()).toEqual(features);
    expect(rows.every((r) => r.label === 0 || r.label === 1)).toBe(true);
    const meanP = rows.reduce((a, r) => a + r.probability, 0) / rows.length;
    const meanLabel = rows.reduce((a, r) => a + (r.label as number), 0) / rows.length;
    // Bernoulli(p) labels: their mean is the mean probability, within 4 standard errors
    expect(Math.abs(meanLabel - meanP)).toBeLessThan(4 * Math.sqrt(0.25 / rows.length));
    // confident predictions get their class as the label far more often than not
    const sure = rows.filter((r) => r.probability > 0.8);
    expect(sure.filter((r) => r.label === 1).length).toBeGreaterThan(0.6 * sure.length);
  }, 240_000);

  it('bad input exits 2 naming the rule; an unreachable endpoint exits 1 after its summary', async () => {
    const base = ['simulate', '--model', MODEL, '--tracking-uri', trackingUri, '--rows', '5'];
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const data = path.join(tmp, 'none.csv');
    // independent processes: run at once
    const [unknown, categorical, malformed, noise, noRows, badData, down] = await Promise.all([
      runCairnCli([...base, '--endpoint', nobody, '--shift', 'agee=+10']),
      runCairnCli([...base, '--endpoint', nobody, '--shift', 'sex=*2']),
      runCairnCli([...base, '--endpoint', nobody, '--shift', 'age+10']),
      runCairnCli([...base, '--endpoint', nobody, '--label-noise', '1.5']),
      runCairnCli(['simulate', '--model', MODEL, '--endpoint', nobody]),
      runCairnCli([...base, '--endpoint', nobody, '--data', data]),
      runCairnCli([...base, '--endpoint', nobody]),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      `the model has no feature "agee"; the model's numeric features are: ${heart.spec.numeric.join(', ')}`,
    );
    expect(categorical.status).toBe(2);
    expect(categorical.stderr).toMatch(/"sex" is categorical and cannot be shifted/);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/"age\+10" is not FEATURE=\+N/);
    expect(noise.status).toBe(2);
    expect(noise.stderr).toMatch(/--label-noise must be a probability from 0 to 1, got '1.5'/);
    expect(noRows.status).toBe(2);
    expect(noRows.stderr).toMatch(/--rows <n>' not specified/);
    expect(badData.status).toBe(2);
    expect(badData.stderr).toMatch(/cannot read data file .*none\.csv: no such file/);
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/5 records .*0 answered, 5 failed/);
    expect(down.stderr).toMatch(/5 of 5 predictions .* failed \(first: cannot reach .*\/predict/);
  }, 240_000);
});
