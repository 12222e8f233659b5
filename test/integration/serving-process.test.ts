// `cairn serve` as a real process: a registered model served by alias through the tracking store, the
// prediction log after kill -9 (only the documented flush window lost), graceful shutdown flushing
// everything, `cairn predictions export`, the load error naming every form tried, MLflow's own Python
// scoring client, and a PostgreSQL prediction log.
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../src/client/cairn-client.js';
import { PredictionLogStore } from '../../src/serving/prediction-log/prediction-log-store.js';
import { startServing } from '../../src/serving/start-serving.js';
import { runCairnCli } from '../support/cairn-cli.js';
import { startServeProcess } from '../support/serve-process.js';
import { DEBIAN_PYTHON, exec, mlflowPythonEnv, REPO_ROOT } from '../support/cairn-server.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks } from '../support/requirements.js';
import { HEART_RECORD, saveHeartModel, type HeartModel } from '../support/serving-model.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-serve-it-'));
let model: HeartModel;
const trackingUri = `sqlite:///${path.join(tmp, 'tracking.db')}`;
const skip = lacks('shared-data');

const serve = (args: string[]) => startServeProcess(args);

async function predict(url: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function loggedIds(uri: string): Promise<Set<string>> {
  const store = await PredictionLogStore.open(uri);
  try {
    const ids = new Set<string>();
    for await (const r of store.read()) ids.add(r.requestId);
    return ids;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  if (skip) return;
  model = await saveHeartModel(path.join(tmp, 'pkg'), 15);
  const client = await CairnClient.open(trackingUri, { artifactRoot: path.join(tmp, 'artifacts') });
  try {
    const exp = await client.createExperiment('serving');
    const run = await client.createRun(exp);
    await client.logModel(run.info.runId, model.pipeline, {
      artifactPath: 'model',
      registeredModelName: 'heart',
      trainingFrame: model.heart.X,
      trainingTarget: model.heart.y,
    });
    await client.registry.setRegisteredModelAlias('heart', 'champion', '1');
  } finally {
    await client.close();
  }
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(skip)('cairn serve (process)', () => {
  it('serves models:/heart@champion from the registry; kill -9 loses only the last flush window', async () => {
    const logUri = `sqlite:///${path.join(tmp, 'kill9.db')}`;
    const flushMs = 100;
    const server = await serve([
      'models:/heart@champion',
      '--tracking-uri',
      trackingUri,
      '--prediction-log',
      logUri,
      '--log-flush-ms',
      String(flushMs),
      '--log-level',
      'warn',
    ]);
    const acked: { id: string; at: number }[] = [];
    const first = await predict(server.url, HEART_RECORD);
    expect(first).toMatchObject({ model_name: 'heart', model_version: '1' });
    const version = await (await fetch(`${server.url}/version`)).json();
    expect(version).toMatchObject({ model_name: 'heart', model_version: '1', model_uri: 'models:/heart@champion' });
    // at least 1.5 s (many flush windows) and at least 30 predictions, however loaded the machine
    const until = Date.now() + 1500;
    while ((Date.now() < until || acked.length < 30) && acked.length < 5000) {
      const r = await predict(server.url, { ...HEART_RECORD, age: 30 + (acked.length % 40) });
      acked.push({ id: r.request_id, at: Date.now() });
    }
    server.child.kill('SIGKILL');
    const killedAt = Date.now();
    await server.exited;
    const logged = await loggedIds(logUri);
    const lost = acked.filter((a) => !logged.has(a.id));
    // the documented window: what was acknowledged in the last flush interval (plus a flush in progress)
    const windowMs = flushMs + 400; // margin for a loaded machine's timer delay
    for (const l of lost) expect(killedAt - l.at, `lost ${l.id}`).toBeLessThanOrEqual(windowMs);
    expect(acked.length).toBeGreaterThanOrEqual(30);
    expect(logged.size).toBeGreaterThanOrEqual(acked.length - lost.length);
  }, 180_000);

  it('SIGTERM flushes every prediction; `cairn predictions export` writes CSV and JSON lines with feedback', async () => {
    const logUri = `sqlite:///${path.join(tmp, 'graceful.db')}`;
    const server = await serve([
      model.dir,
      '--prediction-log',
      logUri,
      '--log-flush-ms',
      '5000',
      '--log-level',
      'warn',
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await predict(server.url, { ...HEART_RECORD, age: 40 + i })).request_id);
    const batch = await predict(server.url, [HEART_RECORD, { ...HEART_RECORD, sex: 'Female' }]);
    ids.push(...batch.map((b: any) => b.request_id));
    const fb = await fetch(`${server.url}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: ids[0], label: 1 }),
    });
    expect(fb.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // with a 5 s flush interval nothing was written before the shutdown flush
    expect([...(await loggedIds(logUri))].sort()).toEqual([...ids].sort());

    const csv = await runCairnCli(['predictions', 'export', '--prediction-log', logUri, '--format', 'csv']);
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'timestamp,request_id,model_name,model_version,age,sex,cp,trestbps,chol,fbs,restecg,thalch,exang,oldpeak,slope,ca,thal,prediction,probability,confidence,risk_level,latency_ms,label,out_of_range',
    );
    expect(lines).toHaveLength(15);
    const firstRow = lines.find((l) => l.includes(ids[0]))!.split(',');
    expect(firstRow[0]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(firstRow[4]).toBe('40');
    expect(firstRow[9]).toBe('TRUE');
    expect(firstRow[22]).toBe('1');
    const out = path.join(tmp, 'export.jsonl');
    const jsonl = await runCairnCli([
      'predictions',
      'export',
      '--prediction-log',
      logUri,
      '--format',
      'jsonl',
      '--output',
      out,
      '--since',
      '1h',
    ]);
    expect(jsonl.status, jsonl.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(14);
    expect(rows.find((r) => r.request_id === ids[0])).toMatchObject({ label: 1, inputs: { age: 40 } });
    const future = await runCairnCli([
      'predictions',
      'export',
      '--prediction-log',
      logUri,
      '--format',
      'jsonl',
      '--since',
      '2999-01-01',
    ]);
    expect(future.stdout).toBe('');
    const bad = await runCairnCli(['predictions', 'export', '--prediction-log', logUri, '--since', 'yesterday']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since must be an ISO date/);
  }, 180_000);

  it('a model that cannot be loaded: exit status 1 naming every form tried and why', async () => {
    const res = await runCairnCli(['serve', 'no-such-model', '--tracking-uri', trackingUri, '--port', '0']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Cannot load model 'no-such-model'\. Tried 4 forms:/);
    expect(res.stderr).toMatch(/1\. models:\/no-such-model\/Production: RESOURCE_DOES_NOT_EXIST/);
    expect(res.stderr).toMatch(/2\. models:\/no-such-model\/latest: RESOURCE_DOES_NOT_EXIST/);
    expect(res.stderr).toMatch(/3\. runs:\/no-such-model\/model: RESOURCE_DOES_NOT_EXIST/);
    expect(res.stderr).toMatch(/4\. no-such-model \(a local package directory\): .* does not exist/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const usage = await runCairnCli(['serve', model.dir, '--risk-thresholds', '0.8,0.2']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/medium threshold 0.8 is above the high one 0.2/);
  }, 120_000);
});

/** One request on its own connection (so the cluster's workers take turns). */
function freshRequest(url: string, method: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe.skipIf(skip)('cairn serve --workers 2', () => {
  it('workers share the port and the prediction log; /metrics aggregates every worker; SIGTERM flushes all', async () => {
    const logUri = `sqlite:///${path.join(tmp, 'workers.db')}`;
    const server = await serve([model.dir, '--workers', '2', '--prediction-log', logUri, '--log-level', 'warn']);
    try {
      const pids = new Set<number>();
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await freshRequest(`${server.url}/predict`, 'POST', HEART_RECORD);
        expect(r.status).toBe(200);
        ids.push(r.json.request_id);
      }
      // the primary hands fresh connections to free workers: concurrent ones reach both
      for (let i = 0; i < 25 && pids.size < 2; i++) {
        const batch = await Promise.all([1, 2, 3, 4].map(() => freshRequest(`${server.url}/health`, 'GET')));
        for (const h of batch) pids.add(h.json.pid);
      }
      expect(pids.size).toBe(2);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const total = [...text.matchAll(/^cairn_serving_predictions_total\{[^}]*\} (\d+)$/gm)].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
      expect(total).toBe(30);
      expect(text).toMatch(/cairn_serving_model_info\{[^}]*\} 1$/m);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect([...(await loggedIds(logUri))].sort()).toEqual([...ids].sort());
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 180_000);
});

describe.skipIf(skip)('hot swap', () => {
  it('follows models:/heart@champion: under sustained load the alias move swaps versions with 0 failed requests', async () => {
    const serving = await startServing({
      modelUri: 'models:/heart@champion',
      trackingUri,
      host: '127.0.0.1',
      port: 0,
      predictionLogUri: `sqlite:///${path.join(tmp, 'swap.db')}`,
      pollIntervalMs: 100,
      logLevel: 'silent',
    });
    const client = await CairnClient.open(trackingUri, { artifactRoot: path.join(tmp, 'artifacts') });
    try {
      expect(serving.served.version).toBe('1');
      // version 2: another forest, registered under the same name
      const { RandomForestClassifier } = await import('../../src/learn/ensemble/index.js');
      const { Pipeline } = await import('../../src/learn/pipeline.js');
      const { anchorPreprocessor } = await import('../support/learn/anchor-protocol.js');
      const other = new Pipeline({
        steps: [
          ['prep', anchorPreprocessor(model.heart.numeric, model.heart.categorical, true)],
          ['model', new RandomForestClassifier({ nEstimators: 5, seed: 99, nJobs: 1 })],
        ],
      }).fit(model.heart.X, model.heart.y);
      const exp = await client.createExperiment('serving-swap');
      const run = await client.createRun(exp);
      await client.logModel(run.info.runId, other, {
        artifactPath: 'model',
        registeredModelName: 'heart',
        trainingFrame: model.heart.X,
        trainingTarget: model.heart.y,
      });
      let failures = 0;
      let stop = false;
      const seen: string[][] = [[], [], [], []];
      const loops = seen.map(async (versions) => {
        while (!stop) {
          try {
            const res = await fetch(`${serving.url}/predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(HEART_RECORD),
            });
            if (res.status !== 200) failures++;
            const body = await res.json();
            versions.push(body.model_version);
          } catch {
            failures++;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      await client.registry.setRegisteredModelAlias('heart', 'champion', '2');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const v = await (await fetch(`${serving.url}/version`)).json();
        if (v.model_version === '2') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      stop = true;
      await Promise.all(loops);
      expect(failures).toBe(0);
      expect(serving.follower!.swaps).toBe(1);
      for (const versions of seen) {
        // each client saw version 1, then version 2, never back
        expect(versions[0]).toBe('1');
        expect(versions[versions.length - 1]).toBe('2');
        const firstTwo = versions.indexOf('2');
        expect(versions.slice(firstTwo).every((v) => v === '2')).toBe(true);
      }
      const metrics = await (await fetch(`${serving.url}/metrics`)).text();
      expect(metrics).toMatch(
        /cairn_serving_model_info\{model_name="heart",model_version="2",model_uri="models:\/heart@champion"\} 1/,
      );
      expect(metrics).not.toMatch(/model_info\{[^}]*model_version="1"/);
    } finally {
      await client.registry.setRegisteredModelAlias('heart', 'champion', '1');
      await client.close();
      await serving.close();
    }
  }, 180_000);
});

describe.skipIf(skip || lacks('mlflow-python'))("MLflow's Python scoring client", () => {
  it('ScoringServerClient waits for /ping and invokes /invocations with a pandas DataFrame', async () => {
    const server = await serve([model.dir, '--prediction-log', 'none', '--log-level', 'warn']);
    try {
      const port = new URL(server.url).port;
      const csvPath = path.join(tmp, 'heart-head.csv');
      const { writeFileSync } = await import('node:fs');
      const lines = readFileSync(
        path.join(process.env.CAIRN_SHARED ?? path.resolve(REPO_ROOT, '../shared'), 'data', 'heart_disease_uci.csv'),
        'utf8',
      )
        .split('\n')
        .slice(0, 9);
      writeFileSync(csvPath, `${lines.join('\n')}\n`);
      const script = [
        'import json, sys, pandas as pd',
        'from mlflow.pyfunc.scoring_server.client import ScoringServerClient',
        `client = ScoringServerClient("127.0.0.1", ${port})`,
        'client.wait_server_ready(timeout=30)',
        `df = pd.read_csv(${JSON.stringify(csvPath)}).drop(columns=["id", "dataset", "num"])`,
        'resp = client.invoke(df)',
        'print(json.dumps({"predictions": list(resp.get_predictions(predictions_format="ndarray").tolist())}))',
      ].join('\n');
      const res = await exec(DEBIAN_PYTHON, ['-c', script], mlflowPythonEnv(), 120_000);
      expect(res.code, res.out).toBe(0);
      const got = JSON.parse(res.out.trim().split('\n').pop()!);
      const { loadModelFromDir } = await import('../../src/models/package/load-model.js');
      const { parseCsv } = await import('../../src/learn/data/csv.js');
      const { frameToRecords } = await import('../../src/learn/data/records.js');
      const loaded = await loadModelFromDir(model.dir);
      const recs = frameToRecords(parseCsv(`${lines.join('\n')}\n`).frame);
      expect(got.predictions.flat()).toEqual(Array.from(loaded.predict(recs)));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 180_000);
});

describe.skipIf(skip || lacks('postgres'))('PostgreSQL prediction log', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('two replicas share one log; migrations recorded in the serving block', async () => {
    const opts = {
      modelUri: model.dir,
      trackingUri,
      host: '127.0.0.1',
      port: 0,
      predictionLogUri: pg.uri,
      flushIntervalMs: 50,
      logLevel: 'silent',
    };
    const a = await startServing(opts);
    const b = await startServing(opts);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 10; i++) ids.push((await predict((i % 2 ? a : b).url, HEART_RECORD)).request_id);
      const fb = await fetch(`${a.url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: ids[1], label: 0 }),
      });
      expect(fb.status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
    const store = await PredictionLogStore.open(pg.uri);
    try {
      const rows = [];
      for await (const r of store.read()) rows.push(r);
      expect(rows.map((r) => r.requestId).sort()).toEqual([...ids].sort());
      expect(rows.find((r) => r.requestId === ids[1])!.label).toBe(0);
      const versions = await store.db.all<{ version: number }>('SELECT version FROM schema_migrations');
      expect(versions.map((v) => Number(v.version))).toEqual([1001]);
      expect(await store.deleteBefore(Date.now() + 1000)).toBe(10);
      expect(await store.count()).toBe(0);
    } finally {
      await store.close();
    }
  }, 180_000);
});
