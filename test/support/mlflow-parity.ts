// What the side-by-side parity tests share: the real MLflow 2.17.2 anchor and a Cairn server started
// together, each given the same fixture (an experiment and a run), and the `$RUN_ID` / `$EXPERIMENT_ID`
// placeholders written into requests and back out of messages.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exec, freePort, startMlflowScript, waitForHealth } from './cairn-server.js';
import { rawRequest } from './raw-http.js';

const API = '/api/2.0/mlflow';

export interface Ids {
  runId: string;
  experimentId: string;
}

/** One server of the pair: its port and its own fixture ids. */
export interface Side {
  port: number;
  ids: Ids;
}

export interface ParitySides {
  mlflow: Side;
  cairn: Side;
  close(): Promise<void>;
}

/** Writes a side's own ids into a request's path or body. */
export function substituteIds(text: string, ids: Ids): string {
  return text.replaceAll('$RUN_ID', ids.runId).replaceAll('$EXPERIMENT_ID', ids.experimentId);
}

/** Writes a side's own ids in a message back as placeholders, so both servers' messages compare. */
export function normaliseIds(message: string | undefined, ids: Ids): string | undefined {
  return message?.replaceAll(ids.runId, '$RUN_ID').replaceAll(ids.experimentId, '$EXPERIMENT_ID');
}

/** POSTs JSON to an MLflow endpoint and returns the answer; anything but 200 throws. */
export async function postJson(port: number, endpoint: string, body: object): Promise<any> {
  const res = await rawRequest(port, {
    method: 'POST',
    path: `${API}/${endpoint}`,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  if (res.status !== 200) throw new Error(`${endpoint} answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body);
}

/** Creates the experiment `name` and one run in it. */
export async function createRunFixture(port: number, name: string): Promise<Ids> {
  const { experiment_id: experimentId } = await postJson(port, 'experiments/create', { name });
  const { run } = await postJson(port, 'runs/create', { experiment_id: experimentId });
  return { experimentId, runId: run.info.run_id };
}

/**
 * Starts the MLflow anchor (its own data directory) and a Cairn server side by side, then builds the
 * same fixture on each with `fixture`.
 */
export async function startParitySides(
  startCairn: () => Promise<{ url: string; close(): Promise<void> }>,
  fixture: (port: number) => Promise<Ids>,
): Promise<ParitySides> {
  const mlflowPort = await freePort();
  const mlflowData = mkdtempSync(path.join(os.tmpdir(), 'cairn-parity-mlflow-'));
  const stopMlflow = async () => {
    await exec('bash', [startMlflowScript(), 'stop', String(mlflowPort)], { MLFLOW_DATA: mlflowData }, 60_000);
    rmSync(mlflowData, { recursive: true, force: true });
  };
  const env = { MLFLOW_DATA: mlflowData, MLFLOW_WORKERS: '1' };
  const [started, cairn] = await Promise.all([
    exec('bash', [startMlflowScript(), 'start', String(mlflowPort)], env, 300_000),
    startCairn(),
  ]);
  const close = async () => {
    await cairn.close();
    await stopMlflow();
  };
  try {
    if (started.code !== 0) throw new Error(`start_mlflow.sh start failed:\n${started.out}`);
    await waitForHealth(`http://127.0.0.1:${mlflowPort}`, 120_000);
    const cairnPort = Number(new URL(cairn.url).port);
    return {
      mlflow: { port: mlflowPort, ids: await fixture(mlflowPort) },
      cairn: { port: cairnPort, ids: await fixture(cairnPort) },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
