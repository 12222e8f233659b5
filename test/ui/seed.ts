// Seeds a Cairn server through its REST API for the UI tests: one experiment of plain runs with
// seeded metrics and params, a parent run with children, and a run with artifacts of each preview kind.
import { Resvg } from '@resvg/resvg-js';

const API = '/api/2.0/mlflow';

/** mulberry32: a small seeded generator, so every run gets the same values each time. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function api<T = any>(base: string, endpoint: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${API}/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${endpoint}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface Seeded {
  experimentId: string;
  otherExperimentId: string;
  runIds: string[];
  parentId: string;
  childIds: string[];
  artifactRunId: string;
}

const MODELS = ['forest', 'logreg', 'knn'];
export const RUN_COUNT = 40;

async function createRun(base: string, experimentId: string, name: string, startTime: number, tags: object[] = []) {
  const res = await api(base, 'runs/create', {
    experiment_id: experimentId,
    run_name: name,
    start_time: startTime,
    tags,
  });
  return res.run.info as { run_id: string; artifact_uri: string };
}

async function upload(base: string, artifactUri: string, relPath: string, body: Buffer | string, type: string) {
  const root = artifactUri.replace(/^mlflow-artifacts:\/*/, '');
  const res = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/${relPath}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  if (!res.ok) throw new Error(`upload ${relPath}: HTTP ${res.status} ${await res.text()}`);
}

function pngBytes(): Buffer {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120"><rect width="160" height="120" fill="#fff"/>' +
    '<polyline points="10,110 40,60 80,30 150,10" fill="none" stroke="#0b5cd5" stroke-width="4"/></svg>';
  return new Resvg(svg).render().asPng();
}

export async function seedUiData(base: string): Promise<Seeded> {
  const rand = seededRandom(42);
  const { experiment_id: experimentId } = await api(base, 'experiments/create', { name: 'heart-disease-ui' });
  const { experiment_id: otherExperimentId } = await api(base, 'experiments/create', { name: 'stroke-ui' });
  const t0 = 1_760_000_000_000;
  const runIds: string[] = [];
  for (let i = 0; i < RUN_COUNT; i++) {
    const info = await createRun(base, experimentId, `run-${String(i).padStart(2, '0')}`, t0 + i * 60_000);
    const accuracy = Math.round((0.7 + rand() * 0.3) * 10_000) / 10_000;
    const metrics = [0, 1, 2, 3, 4].map((step) => ({
      key: 'loss',
      value: Math.round((1 / (step + 1 + rand())) * 10_000) / 10_000,
      timestamp: t0 + i * 60_000 + step * 1000,
      step,
    }));
    metrics.push({ key: 'accuracy', value: accuracy, timestamp: t0 + i * 60_000 + 5000, step: 0 });
    await api(base, 'runs/log-batch', {
      run_id: info.run_id,
      metrics,
      params: [
        { key: 'model', value: MODELS[i % 3] },
        { key: 'learning_rate', value: String(Math.round(rand() * 1000) / 1000) },
        // a comma and quotes, so the CSV download must quote the field
        { key: 'note', value: i % 5 === 0 ? `fold "${i}", seeded` : `plain ${i}` },
      ],
      tags: [{ key: 'team', value: i % 2 ? 'cardio' : 'ml' }],
    });
    await api(base, 'runs/update', { run_id: info.run_id, status: 'FINISHED', end_time: t0 + i * 60_000 + 30_000 });
    runIds.push(info.run_id);
  }

  const parent = await createRun(base, experimentId, 'sweep-parent', t0 + 100 * 60_000);
  await api(base, 'runs/log-metric', { run_id: parent.run_id, key: 'accuracy', value: 0.5, timestamp: t0, step: 0 });
  const childIds: string[] = [];
  for (let c = 0; c < 3; c++) {
    const child = await createRun(base, experimentId, `sweep-child-${c}`, t0 + (101 + c) * 60_000, [
      { key: 'mlflow.parentRunId', value: parent.run_id },
    ]);
    await api(base, 'runs/log-metric', {
      run_id: child.run_id,
      key: 'accuracy',
      value: 0.6 + c * 0.01,
      timestamp: t0,
      step: 0,
    });
    childIds.push(child.run_id);
  }

  const artifactRunId = runIds[0] as string;
  const got = await fetch(`${base}${API}/runs/get?run_id=${artifactRunId}`).then((r) => r.json());
  const uri = got.run.info.artifact_uri as string;
  await upload(base, uri, 'plots/roc.png', pngBytes(), 'image/png');
  await upload(base, uri, 'notes.txt', 'Trained on the Cleveland subset.\nSeed 42.\n', 'text/plain');
  await upload(
    base,
    uri,
    'metrics.json',
    JSON.stringify({ accuracy: 0.91, recall: { '0': 0.9, '1': 0.88 } }),
    'application/json',
  );
  await upload(base, uri, 'data/sample.csv', 'age,chol,target\n63,233,1\n37,250,0\n"41, est.",204,0\n', 'text/csv');
  return { experimentId, otherExperimentId, runIds, parentId: parent.run_id, childIds, artifactRunId };
}
