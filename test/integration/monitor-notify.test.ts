// `cairn monitor --once --notify` end to end over REST: a real `cairn server` (the tracking store, its webhook
// outbox and delivery worker), a real `cairn serve` writing the prediction log, `cairn simulate` traffic, and a
// loopback receiver subscribed to MODEL_DRIFT_DETECTED. An undrifted window sends nothing; a drifted one sends
// one signed delivery naming the model, its version, the monitoring run, the drift share and the features.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionLogStore } from '../../src/serving/prediction-log/prediction-log-store.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { startCairnServer, type CairnServer } from '../support/cairn-server.js';
import {
  BUNDLED_HEART_CSV,
  registerHeartModel,
  type ServeProcess,
  startServe,
  waitFor,
} from '../support/monitoring-stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-monitor-notify-it-'));
const predictionLog = `sqlite:///${path.join(tmp, 'predictions.db')}`;
const MODEL = 'models:/heart-disease@champion';
const ROWS = 200;
// the receivers listen on loopback, which a server refuses unless private networks are allowed
const SERVER_ENV = {
  CAIRN_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
  CAIRN_WEBHOOK_POLL_MS: '50',
  CAIRN_WEBHOOK_BACKOFF_MS: '200',
  CAIRN_WEBHOOK_BACKOFF_MAX_MS: '1000',
  CAIRN_WEBHOOK_TIMEOUT_MS: '2000',
};
// Five of the six numeric features shifted: 5 of 13 features drift, data set drift at --drift-share 0.3
// (Evidently's default 0.5 cannot be reached by shifting numeric features alone: 6 of 13 < 0.5).
const SHIFT = 'age=+10,trestbps=+20,chol=*1.4,thalch=-30,oldpeak=+2';
const DRIFT_SHARE = '0.3';

let srv: CairnServer;
let serve: ServeProcess;
let receiver: WebhookReceiver;
let other: WebhookReceiver;
let logStore: PredictionLogStore;

async function api(pathname: string, method = 'GET', body?: unknown): Promise<any> {
  const res = await fetch(`${srv.url}/api/2.0/cairn/registry/webhooks${pathname}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${method} ${pathname}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** `cairn simulate` rows into the serve, then waits (bounded) until the log holds `total` predictions. */
async function traffic(extra: string[], total: number): Promise<void> {
  const sim = await runCairnCli([
    'simulate',
    '--model',
    MODEL,
    '--tracking-uri',
    srv.url,
    '--endpoint',
    serve.url,
    '--data',
    BUNDLED_HEART_CSV,
    '--rows',
    String(ROWS),
    ...extra,
  ]);
  expect(sim.status, sim.stderr).toBe(0);
  await waitFor(`${total} predictions in the log`, async () => ((await logStore.count()) >= total ? true : undefined));
}

const monitor = () =>
  runCairnCli([
    'monitor',
    MODEL,
    '--once',
    '--notify',
    '--window',
    String(ROWS),
    '--drift-share',
    DRIFT_SHARE,
    '--prediction-log',
    predictionLog,
    '--tracking-uri',
    srv.url,
  ]);

beforeAll(async () => {
  srv = await startCairnServer({ env: SERVER_ENV });
  await registerHeartModel(srv.url, path.join(tmp, 'artifacts'));
  serve = await startServe([
    MODEL,
    '--tracking-uri',
    srv.url,
    '--prediction-log',
    predictionLog,
    '--log-level',
    'warn',
  ]);
  logStore = await PredictionLogStore.open(predictionLog);
  receiver = await startWebhookReceiver();
  other = await startWebhookReceiver();
  const drift = await api('', 'POST', {
    url: receiver.url,
    events: ['MODEL_DRIFT_DETECTED'],
    model_name: 'heart-disease',
  });
  receiver.secret = drift.secret;
  // subscribed to the model, not to the drift event: never called by the monitor
  const versions = await api('', 'POST', { url: other.url, events: ['MODEL_VERSION_CREATED'] });
  other.secret = versions.secret;
}, 240_000);

afterAll(async () => {
  await logStore?.close();
  await receiver?.close();
  await other?.close();
  await serve?.stop();
  await srv?.stop();
  srv?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('cairn monitor --once --notify', () => {
  it('sends nothing for an undrifted window, one signed MODEL_DRIFT_DETECTED for a drifted one', async () => {
    await traffic(['--seed', '5'], ROWS);
    const calm = await monitor();
    expect(calm.status, calm.stderr).toBe(0);
    expect(calm.stdout).toMatch(/^No data set drift detected for heart-disease v1/);
    expect(calm.stderr).not.toMatch(/MODEL_DRIFT_DETECTED/);

    await traffic(['--seed', '6', '--shift', SHIFT], 2 * ROWS);
    const drifted = await monitor();
    expect(drifted.status, drifted.stderr).toBe(0);
    expect(drifted.stdout).toMatch(/^Data set drift detected for heart-disease v1/);
    expect(drifted.stderr).toContain('MODEL_DRIFT_DETECTED sent to 1 webhook.');
    const runId = /Logged run (\w+) to experiment Model_Monitoring/.exec(drifted.stdout)?.[1];
    expect(runId).toBeTruthy();

    const [got] = await receiver.waitFor(1, 60_000);
    expect(got.signatureValid).toBe(true);
    expect(got.json.event).toBe('MODEL_DRIFT_DETECTED');
    const data = got.json.data as Record<string, any>;
    expect(data).toMatchObject({ name: 'heart-disease', version: '1', model_uri: MODEL, run_id: runId });
    expect(data.drifted_features).toEqual(expect.arrayContaining(['age', 'trestbps', 'chol', 'thalch', 'oldpeak']));
    expect(data.drift_share).toBeCloseTo(data.drifted_features.length / 13, 9);
    expect(data.drift_share).toBeGreaterThanOrEqual(Number(DRIFT_SHARE));

    // the delivery matches the monitoring run's own record of the pass
    const run = await fetch(`${srv.url}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((r) => r.json());
    const metric = (k: string) => run.run.data.metrics.find((m: { key: string }) => m.key === k)?.value;
    expect(metric('dataset_drift')).toBe(1);
    expect(metric('drift_share')).toBeCloseTo(data.drift_share, 12);

    // exactly one delivery in all: the calm pass queued none, and the other webhook got nothing
    const { deliveries } = await api('/deliveries');
    expect(deliveries.map((d: { event: string }) => d.event)).toEqual(['MODEL_DRIFT_DETECTED']);
    expect(receiver.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  }, 300_000);

  it('refuses --notify for a model that is not in the registry (exit 2)', async () => {
    const mv = await fetch(`${srv.url}/api/2.0/mlflow/model-versions/get?name=heart-disease&version=1`).then((r) =>
      r.json(),
    );
    const res = await runCairnCli([
      'monitor',
      `runs:/${mv.model_version.run_id}/model`,
      '--once',
      '--notify',
      '--prediction-log',
      predictionLog,
      '--tracking-uri',
      srv.url,
    ]);
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/--notify needs a registered model/);
  }, 120_000);

  it('the REST route refuses registry-change events and bad payloads with INVALID_PARAMETER_VALUE', async () => {
    const post = (body: unknown) =>
      fetch(`${srv.url}/api/2.0/cairn/registry/webhooks/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => [r.status, ((await r.json()) as { error_code: string }).error_code]);
    const data = { name: 'heart-disease', version: '1', run_id: null, drift_share: 0.5, drifted_features: [] };
    expect(await post({ event: 'MODEL_VERSION_CREATED', name: 'heart-disease', data })).toEqual([
      400,
      'INVALID_PARAMETER_VALUE',
    ]);
    expect(
      await post({ event: 'MODEL_DRIFT_DETECTED', name: 'heart-disease', data: { ...data, drift_share: -1 } }),
    ).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect(await post({ event: 'MODEL_DRIFT_DETECTED', name: 'nope', data: { ...data, name: 'nope' } })).toEqual([
      404,
      'RESOURCE_DOES_NOT_EXIST',
    ]);
  });
});
