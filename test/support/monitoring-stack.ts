// Test support for the monitoring loop: the heart model trained on the bundled data file (seeded forest, with
// the training pipeline's metadata, so `cairn simulate --data` knows how labels are read) registered with the
// alias champion, `cairn serve` as a real process on a loopback port, and a real Prometheus scraping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { CairnClient } from '../../src/client/cairn-client.js';
import { RandomForestClassifier } from '../../src/learn/ensemble/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { describePositive, HEART } from '../../src/pipelines/dataset-spec.js';
import { loadDataset, type LoadedDataset } from '../../src/pipelines/load-dataset.js';
import { freePort, REPO_ROOT, waitForHealth } from './cairn-server.js';
import { spawnCairn } from './serve-process.js';
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
  const proc = spawnCairn(['serve', ...args, '--port', String(port)]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, timeoutMs, proc.dead);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
  return { url, port, child: proc.child, output: proc.output, exited: proc.exited, stop: proc.stop };
}

export interface MonitorProcess {
  /** The gauges: http://127.0.0.1:PORT/metrics. */
  metricsUrl: string;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM (the loop ends after its pass), then the exit. */
  stop(): Promise<number | null>;
}

/**
 * Starts `cairn monitor ARGS --metrics-port PORT` and waits (bounded) until its /metrics answers; `port` is
 * chosen by the caller so a Prometheus configured before the monitor starts can already name it as a target.
 */
export async function startMonitor(args: string[], port: number, timeoutMs = 90_000): Promise<MonitorProcess> {
  const proc = spawnCairn(['monitor', ...args, '--metrics-port', String(port)]);
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const ready = waitFor(
    `cairn monitor's ${metricsUrl}`,
    async () => {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    },
    timeoutMs,
  );
  // an exit ends the wait at once instead of at the deadline
  const died = proc.exited.then(() => {
    throw new Error(`cairn monitor exited before serving its gauges: ${proc.dead()}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${proc.output()}`);
  }
  died.catch(() => undefined);
  return { metricsUrl, output: proc.output, exited: proc.exited, stop: proc.stop };
}

export interface PrometheusProcess {
  url: string;
  output(): string;
  /** GET /api/v1/query at now: the API's `data`, or throws with its error. */
  query(
    expr: string,
  ): Promise<{ resultType: string; result: Array<{ metric: Record<string, string>; value: unknown }> }>;
  /** GET on an API path (e.g. /api/v1/rules), parsed. */
  api(pathAndQuery: string): Promise<any>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Debian's Prometheus on a loopback port with its data under `dir`, scraping `targets` (job → host:port)
 * every second and evaluating `ruleFiles` (copied beside the config) every second. Bounded wait for /-/ready.
 */
export async function startPrometheus(opts: {
  binary: string;
  dir: string;
  targets: Record<string, string>;
  ruleFiles: Record<string, string>;
  timeoutMs?: number;
}): Promise<PrometheusProcess> {
  mkdirSync(opts.dir, { recursive: true });
  for (const [name, text] of Object.entries(opts.ruleFiles)) writeFileSync(path.join(opts.dir, name), text);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: Object.keys(opts.ruleFiles),
    scrape_configs: Object.entries(opts.targets).map(([job, target]) => ({
      job_name: job,
      static_configs: [{ targets: [target] }],
    })),
  };
  writeFileSync(path.join(opts.dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const child = spawn(
    opts.binary,
    [
      `--config.file=${path.join(opts.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(opts.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: opts.dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  child.stderr!.on('data', (b) => {
    out += b;
  });
  let dead: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      dead = `code=${code} signal=${signal}`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (dead) throw new Error(`prometheus exited before it was ready (${dead}):\n${out}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready at ${url} in time:\n${out}`);
    }
    await sleep(200);
  }
  const api = async (pathAndQuery: string) => {
    const res = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data?: any; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.errorType}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    output: () => out,
    api,
    query: (expr) => api(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    stop: async () => {
      if (dead === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `probe` every 500 ms until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(500);
  }
}
