// Test support for the monitoring loop: the heart model trained on the bundled data file (seeded forest, with
// the training pipeline's metadata, so `cairn simulate --data` knows how labels are read) registered with the
// alias champion, `cairn serve` as a real process on a loopback port, and `cairn simulate` runs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CairnClient } from '../../src/client/cairn-client.js';
import { RandomForestClassifier } from '../../src/learn/ensemble/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { describePositive, HEART } from '../../src/pipelines/dataset-spec.js';
import { loadDataset, type LoadedDataset } from '../../src/pipelines/load-dataset.js';
import { CAIRN_MAIN, freePort, REPO_ROOT, waitForHealth } from './cairn-server.js';
import { anchorPreprocessor } from './learn/anchor-protocol.js';

/** The heart-disease file the product ships (no shared folder needed). */
export const BUNDLED_HEART_CSV = path.join(REPO_ROOT, 'data/heart_disease_uci.csv');

/**
 * Trains the heart forest on the bundled file and registers it as version 1 of `name` with the alias champion
 * in the store at `trackingUri` (artifacts under `artifactRoot`).
 */
export async function registerHeartModel(
  trackingUri: string,
  artifactRoot: string,
  name = 'heart-disease',
  nTrees = 15,
): Promise<LoadedDataset> {
  const heart = await loadDataset(BUNDLED_HEART_CSV, HEART);
  const pipeline = new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(heart.spec.numeric, heart.spec.categorical, false)],
      ['model', new RandomForestClassifier({ nEstimators: nTrees, seed: 11, nJobs: 1 })],
    ],
  }).fit(heart.X, heart.y);
  const client = await CairnClient.open(trackingUri, { artifactRoot });
  try {
    const exp = await client.createExperiment(`train-${name}`);
    const run = await client.createRun(exp);
    await client.logModel(run.info.runId, pipeline, {
      artifactPath: 'model',
      registeredModelName: name,
      trainingFrame: heart.X,
      trainingTarget: heart.y,
      metadata: {
        cairn_pipeline: { dataset: HEART.name, target: HEART.target, positive_rule: describePositive(HEART) },
      },
    });
    await client.registry.setRegisteredModelAlias(name, 'champion', '1');
  } finally {
    await client.close();
  }
  return heart;
}

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit (the prediction log flushed). */
  stop(): Promise<number | null>;
}

/** Starts `cairn serve ARGS --port <free>` and waits (bounded) for /health. */
export async function startServe(args: string[], timeoutMs = 90_000): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', CAIRN_MAIN, 'serve', ...args, '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  child.stderr!.on('data', (b) => {
    out += b;
  });
  let dead: string | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      dead = `code=${code} signal=${signal}`;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, timeoutMs, () => (dead ? `${dead}\n${out}` : null));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const stop = async () => {
    if (dead === null) child.kill('SIGTERM');
    return exited;
  };
  return { url, port, child, output: () => out, exited, stop };
}
