// Seeds a Cairn server through its REST API for the registry and monitoring UI tests: training runs
// with metrics and a model package (MLmodel with a signature), two registered models with versions,
// stages, aliases, tags and promotion policies, a webhook with a loopback receiver, and
// `Model_Monitoring` runs named as `cairn monitor` names them (MONITOR-NAMES).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api } from './seed.js';

const CAIRN = '/api/2.0/cairn';
const MLFLOW = '/api/2.0/mlflow';

async function call(base: string, method: string, path: string, body?: unknown, user?: string): Promise<any> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (user) headers['x-cairn-user'] = user;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function upload(base: string, artifactUri: string, relPath: string, body: string, type: string) {
  const root = artifactUri.replace(/^mlflow-artifacts:\/*/, '');
  const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/${relPath}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body,
  });
  if (!res.ok) throw new Error(`upload ${relPath}: HTTP ${res.status} ${await res.text()}`);
}

export const SIGNATURE_INPUTS = [
  { type: 'double', name: 'age', required: true },
  { type: 'string', name: 'sex', required: true },
  { type: 'double', name: 'chol', required: false },
];

function mlmodel(runId: string): string {
  return [
    'artifact_path: model',
    'flavors:',
    '  cairn:',
    '    pipeline: pipeline.json',
    'mlflow_version: 2.17.2',
    `model_uuid: 0000000000000000000000000000${runId.slice(0, 4)}`,
    `run_id: ${runId}`,
    'signature:',
    `  inputs: '${JSON.stringify(SIGNATURE_INPUTS)}'`,
    `  outputs: '[{"type": "double", "required": true}]'`,
    '  params: null',
    "utc_time_created: '2026-01-05 10:00:00.000000'",
    '',
  ].join('\n');
}

export interface TrainedVersion {
  version: string;
  runId: string;
  accuracy: number;
}

export interface RegistrySeed {
  model: string;
  otherModel: string;
  versions: TrainedVersion[];
  webhookId: string;
  receiver: Server;
  receivedBodies: string[];
}

/** A receiver on loopback answering 200, so deliveries end DELIVERED. */
async function startReceiver(bodies: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

const ACCURACIES = [0.82, 0.93, 0.95];

export async function seedRegistry(base: string): Promise<RegistrySeed> {
  const receivedBodies: string[] = [];
  const receiver = await startReceiver(receivedBodies);
  const hook = await call(base, 'POST', `${CAIRN}/registry/webhooks`, {
    url: receiver.url,
    name: 'ci-notifier',
    events: ['MODEL_VERSION_TRANSITIONED_STAGE', 'REGISTERED_MODEL_ALIAS_SET'],
    model_name: 'heart-disease',
  });

  const { experiment_id: exp } = await api(base, 'experiments/create', { name: 'heart-disease-training' });
  const model = 'heart-disease';
  await call(base, 'POST', `${MLFLOW}/registered-models/create`, {
    name: model,
    description: 'Predicts heart disease from the UCI Cleveland features.',
    tags: [{ key: 'team', value: 'cardio' }],
  });
  const versions: TrainedVersion[] = [];
  for (let i = 0; i < ACCURACIES.length; i++) {
    const accuracy = ACCURACIES[i] as number;
    const created = await api(base, 'runs/create', {
      experiment_id: exp,
      run_name: `forest-${i + 1}`,
      start_time: 1_767_600_000_000 + i * 3_600_000,
    });
    const runId = created.run.info.run_id as string;
    await api(base, 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'accuracy', value: accuracy, timestamp: 1_767_600_000_000, step: 0 },
        { key: 'precision_1', value: 0.9, timestamp: 1_767_600_000_000, step: 0 },
      ],
    });
    await upload(base, created.run.info.artifact_uri, 'model/MLmodel', mlmodel(runId), 'text/yaml');
    const mv = await call(base, 'POST', `${MLFLOW}/model-versions/create`, {
      name: model,
      source: `runs:/${runId}/model`,
      run_id: runId,
      tags: i === 2 ? [{ key: 'validated_by', value: 'qa' }] : [],
    });
    versions.push({ version: mv.model_version.version, runId, accuracy });
  }
  await call(base, 'POST', `${CAIRN}/registry/policies`, {
    name: model,
    policy: {
      target: 'Production',
      require: [
        { metric: 'accuracy', '>=': 0.9 },
        { metric: 'precision_1', '>=': 0.85 },
      ],
      description: 'clinical minimum',
    },
  });
  await call(base, 'POST', `${CAIRN}/registry/policies`, {
    name: model,
    policy: { target: '@champion', require: [{ metric: 'accuracy', '>=': 0.9 }] },
  });
  await call(
    base,
    'POST',
    `${MLFLOW}/model-versions/transition-stage`,
    { name: model, version: '3', stage: 'Production', archive_existing_versions: false, reason: 'best so far' },
    'alice',
  );
  await call(
    base,
    'POST',
    `${MLFLOW}/model-versions/transition-stage`,
    { name: model, version: '2', stage: 'Staging', archive_existing_versions: false },
    'alice',
  );

  const otherModel = 'stroke-risk';
  await call(base, 'POST', `${MLFLOW}/registered-models/create`, { name: otherModel });
  await call(base, 'POST', `${MLFLOW}/model-versions/create`, {
    name: otherModel,
    source: `runs:/${versions[0]?.runId}/model`,
    run_id: versions[0]?.runId,
  });
  await call(base, 'POST', `${MLFLOW}/registered-models/alias`, { name: otherModel, alias: 'shadow', version: '1' });

  return { model, otherModel, versions, webhookId: hook.webhook.id, receiver: receiver.server, receivedBodies };
}

// ---- Model_Monitoring runs, as `cairn monitor` logs them (MONITOR-NAMES) ----

export const MONITOR_FEATURES = ['age', 'chol', 'sex', 'thalach'];
export const MONITOR_T0 = 1_767_700_000_000;

export interface MonitorSeed {
  experimentId: string;
  runIds: string[];
  /** Which (pass, feature) cells drifted. */
  drifted: Array<[number, string]>;
  reportMarker: string;
}

/** Six hourly passes: chol drifts from pass 3, thalach in pass 5 (data set drift then); labels from pass 2. */
export async function seedMonitoring(base: string, model: string): Promise<MonitorSeed> {
  const { experiment_id: experimentId } = await api(base, 'experiments/create', { name: 'Model_Monitoring' });
  const runIds: string[] = [];
  const drifted: Array<[number, string]> = [];
  const reportMarker = 'Drift report for heart-disease';
  for (let pass = 0; pass < 6; pass++) {
    const t = MONITOR_T0 + pass * 3_600_000;
    const version = pass < 2 ? '2' : '3';
    const iso = new Date(t).toISOString();
    const driftingNow = MONITOR_FEATURES.filter((f) => (f === 'chol' && pass >= 3) || (f === 'thalach' && pass === 5));
    for (const f of driftingNow) drifted.push([pass, f]);
    const share = driftingNow.length / MONITOR_FEATURES.length;
    const datasetDrift = share >= 0.5;
    const created = await api(base, 'runs/create', {
      experiment_id: experimentId,
      run_name: `monitor-${model}-v${version}-${iso}`,
      start_time: t,
      tags: [
        { key: 'cairn.monitor.model_name', value: model },
        { key: 'cairn.monitor.model_version', value: version },
        { key: 'cairn.monitor.model_uri', value: `models:/${model}@champion` },
        { key: 'cairn.monitor.dataset_drift', value: String(datasetDrift) },
      ],
    });
    const runId = created.run.info.run_id as string;
    const m = (key: string, value: number) => ({ key, value, timestamp: t, step: 0 });
    const metrics = [
      m('dataset_drift', datasetDrift ? 1 : 0),
      m('drift_share', share),
      m('n_predictions', 400 + pass * 20),
      m('prediction_drift', 0),
      m('prediction_drift_score', 0.4),
      m('prediction_mean', 0.42 + pass * 0.03),
      m('prediction_share.0', 0.58 - pass * 0.03),
      m('prediction_share.1', 0.42 + pass * 0.03),
    ];
    const params = [
      { key: 'window', value: '1h' },
      { key: 'reference_rows', value: '242' },
    ];
    for (const f of MONITOR_FEATURES) {
      const drifting = driftingNow.includes(f);
      const categorical = f === 'sex';
      metrics.push(m(`drift_score.${f}`, drifting ? 0.001 + pass * 0.001 : 0.3 + pass * 0.05));
      metrics.push(m(`drift_detected.${f}`, drifting ? 1 : 0));
      metrics.push(m(`psi.${f}`, drifting ? 0.31 : 0.02));
      if (!categorical) metrics.push(m(`avg.${f}`, 100 + pass));
      params.push({ key: `method.${f}`, value: categorical ? 'chi2' : 'ks' });
      params.push({ key: `threshold.${f}`, value: '0.05' });
    }
    if (pass >= 2) {
      metrics.push(m('n_labeled', 50 * (pass - 1)));
      metrics.push(m('live.accuracy', 0.93 - (pass - 2) * 0.03));
      metrics.push(m('live.recall_1', 0.9 - (pass - 2) * 0.02));
      metrics.push(m('target_drift', 0));
    }
    await api(base, 'runs/log-batch', { run_id: runId, metrics, params });
    await upload(
      base,
      created.run.info.artifact_uri,
      'drift_report.html',
      `<!doctype html><title>drift</title><h1>${reportMarker}</h1><p>pass ${pass}</p>`,
      'text/html',
    );
    await api(base, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: t + 5000 });
    runIds.push(runId);
  }
  return { experimentId, runIds, drifted, reportMarker };
}
