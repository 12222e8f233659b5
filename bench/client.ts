// Client benchmark: 100,000 metric points through Cairn's fluent API (batched in the background) to
// a local `cairn server`, against MLflow 2.17.2's Python fluent client (`mlflow.log_metric` per
// point, synchronous, as a Python user writes it — and, for reference, its `synchronous=False`
// batching) to the real MLflow server, in the same run. MLflow is timed on a smaller fixed count
// (default 5,000) to keep the run bounded; the figure compared is points per second. Prints Markdown for BENCHMARKS.md; raw JSON goes to bench/out/.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as cairn from '../src/client/fluent.js';
import { DEBIAN_PYTHON, REPO_ROOT, mlflowPythonEnv, startCairnServer } from '../test/support/cairn-server.js';
import { exec, withMlflowServer } from './support/mlflow-anchor.js';

const RATIO_TARGET = 20;
const log = (msg: string) => process.stderr.write(`[bench client ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Result {
  points: number;
  seconds: number;
  pointsPerSecond: number;
  verified: number;
}

async function benchCairn(points: number): Promise<Result> {
  const server = await startCairnServer();
  try {
    cairn.setTrackingUri(server.url);
    await cairn.setExperiment('bench-client');
    const run = await cairn.startRun({ runName: 'bench' });
    log(`Cairn: ${points} points via fluent logMetric to ${server.url} (load ${os.loadavg()[0].toFixed(2)})`);
    const t0 = performance.now();
    for (let i = 0; i < points; i++) cairn.logMetric('loss', 1 / (i + 1), { step: i });
    await cairn.endRun(); // waits until every point is acknowledged by the server
    const seconds = (performance.now() - t0) / 1000;
    const history = await (await cairn.getClient()).getMetricHistory(run.runId, 'loss');
    await cairn.shutdown();
    return { points, seconds, pointsPerSecond: points / seconds, verified: history.length };
  } finally {
    await server.stop();
    server.cleanup();
  }
}

// Timed from the first call until end_run returns (which waits for MLflow's async queue, if used).
const MLFLOW_SCRIPT = `
import sys, time, mlflow
from mlflow.tracking import MlflowClient
url, n, synchronous = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "sync"
mlflow.set_tracking_uri(url)
mlflow.set_experiment("bench-client")
run = mlflow.start_run(run_name="bench")
t0 = time.perf_counter()
for i in range(n):
    mlflow.log_metric("loss", 1.0 / (i + 1), step=i, synchronous=synchronous)
mlflow.end_run()
elapsed = time.perf_counter() - t0
verified = len(MlflowClient(url).get_metric_history(run.info.run_id, "loss"))
print(f"RESULT {elapsed} {verified}")
`;

type MlflowMode = 'sync' | 'async';

async function benchMlflow(points: number, modes: MlflowMode[]): Promise<Record<MlflowMode, Result | null>> {
  return withMlflowServer('mlflow-bench-client-', async (url) => {
    const out: Record<MlflowMode, Result | null> = { sync: null, async: null };
    for (const mode of modes) {
      log(`MLflow (${mode}): ${points} points via mlflow.log_metric to ${url} (load ${os.loadavg()[0].toFixed(2)})`);
      const res = await exec(DEBIAN_PYTHON, ['-c', MLFLOW_SCRIPT, url, String(points), mode], {
        ...mlflowPythonEnv(),
        GIT_PYTHON_REFRESH: 'quiet',
      });
      const m = /RESULT (\S+) (\d+)/.exec(res.out);
      if (res.code !== 0 || !m)
        throw new Error(`MLflow client run failed (exit ${res.code}):\n${res.err.slice(-3000)}`);
      const seconds = Number(m[1]);
      out[mode] = { points, seconds, pointsPerSecond: points / seconds, verified: Number(m[2]) };
      log(`MLflow (${mode}): ${out[mode]!.pointsPerSecond.toFixed(0)} points/s (${m[2]} stored)`);
    }
    return out;
  });
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      points: { type: 'string', default: '100000' },
      'mlflow-points': { type: 'string', default: '5000' },
      'skip-mlflow': { type: 'boolean', default: false },
      /** Also time MLflow's own background batching (log_metric(..., synchronous=False)). */
      'mlflow-async': { type: 'boolean', default: true },
    },
  });
  const points = Number(values.points);
  const mlflowPoints = Number(values['mlflow-points']);
  const outDir = path.join(
    REPO_ROOT,
    'bench/out',
    `client-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}`,
  );
  mkdirSync(outDir, { recursive: true });

  const cairnResult = await benchCairn(points);
  log(`Cairn: ${cairnResult.pointsPerSecond.toFixed(0)} points/s (${cairnResult.verified} stored)`);
  const modes: MlflowMode[] = values['mlflow-async'] ? ['sync', 'async'] : ['sync'];
  const mlflow = values['skip-mlflow'] ? { sync: null, async: null } : await benchMlflow(mlflowPoints, modes);
  const mlflowResult = mlflow.sync;
  const ratio = mlflowResult ? cairnResult.pointsPerSecond / mlflowResult.pointsPerSecond : NaN;
  const asyncRatio = mlflow.async ? cairnResult.pointsPerSecond / mlflow.async.pointsPerSecond : NaN;

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (shared machine)`;
  const lines = [
    `### Client metric logging — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine}`,
    '',
    '| client | server | points timed | seconds | points/s | stored |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    `| Cairn fluent \`logMetric\` (background batches) | cairn server (SQLite) | ${cairnResult.points} | ${cairnResult.seconds.toFixed(2)} | ${cairnResult.pointsPerSecond.toFixed(0)} | ${cairnResult.verified} |`,
  ];
  if (mlflowResult) {
    lines.push(
      `| MLflow 2.17.2 \`mlflow.log_metric\` per point (Python) | mlflow server 2.17.2 (SQLite) | ${mlflowResult.points} | ${mlflowResult.seconds.toFixed(2)} | ${mlflowResult.pointsPerSecond.toFixed(0)} | ${mlflowResult.verified} |`,
    );
    if (mlflow.async) {
      lines.push(
        `| MLflow 2.17.2 \`mlflow.log_metric(..., synchronous=False)\` | mlflow server 2.17.2 (SQLite) | ${mlflow.async.points} | ${mlflow.async.seconds.toFixed(2)} | ${mlflow.async.pointsPerSecond.toFixed(0)} | ${mlflow.async.verified} |`,
      );
    }
    lines.push(
      '',
      `Ratio Cairn/MLflow (per-point \`log_metric\`, as a Python user writes it): **${ratio.toFixed(1)}×** (target ≥ ${RATIO_TARGET}×: ${ratio >= RATIO_TARGET ? 'met' : 'NOT met'}).`,
    );
    if (mlflow.async) lines.push(`Against MLflow's own async batching: ${asyncRatio.toFixed(1)}×.`);
    lines.push(
      'Timed from the first call until the run has ended and every point is acknowledged; MLflow is timed on fewer points to bound the run.',
    );
  }
  const markdown = lines.join('\n');
  console.log(markdown);
  writeFileSync(
    path.join(outDir, 'client.json'),
    JSON.stringify({ cairn: cairnResult, mlflow, ratio, asyncRatio, machine }, null, 2),
  );
  writeFileSync(path.join(outDir, 'client.md'), `${markdown}\n`);
  if (cairnResult.verified !== cairnResult.points)
    throw new Error(`Cairn stored ${cairnResult.verified} of ${cairnResult.points} points`);
}
