// Serving benchmark: `cairn serve` against the FastAPI anchor (../shared/anchors/ml/fastapi_serve.py,
// run the way serve_bench.py runs it) in one run, with the same model (heart pipeline: median impute |
// most-frequent impute + one-hot, RandomForest of 100 trees, seed 42, trained on all 920 rows of
// heart_disease_uci.csv), the same request (wrk_post.lua's 13-field record) and the same wrk settings
// (-t2 -cN -d20s --timeout 30s --latency, a 3 s warm-up at the same concurrency first), for 1, 16 and
// 64 connections and 1 and 2 workers. Cairn runs with its prediction log on (SQLite). Also times one
// in-process prediction (validation + pipeline, no HTTP). Prints Markdown for BENCHMARKS.md with the
// ratios; raw JSON goes to bench/out/. Every process started here is stopped by its PID.
//
//   npm run bench -- serving [--duration 20] [--connections 1,16,64] [--workers 1,2] [--no-anchor]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CairnClient } from '../src/client/cairn-client.js';
import { RandomForestClassifier } from '../src/learn/ensemble/index.js';
import { Pipeline } from '../src/learn/pipeline.js';
import { saveModel } from '../src/models/package/save-model.js';
import { loadServedModel } from '../src/serving/model-loader.js';
import { Predictor } from '../src/serving/predictor.js';
import { DEFAULT_RISK_THRESHOLDS } from '../src/serving/risk-levels.js';
import { CAIRN_MAIN, DEBIAN_PYTHON, freePort, REPO_ROOT, waitForHealth } from '../test/support/cairn-server.js';
import { anchorPreprocessor, heartDataset } from '../test/support/learn/anchor-protocol.js';
import { HEART_RECORD } from '../test/support/serving-model.js';
import { readSharedData, sharedPath } from '../test/support/shared.js';

const RATIO_TARGET_RPS = 50; // at 64 connections, Cairn's requests/s ÷ the anchor's
const P99_TARGET_MS = 20;
const P50_TARGET_1CONN_MS = 1;
const IN_PROCESS_TARGET_MS = 0.1;
const WRK_TIMEOUT = '30s';
const WARMUP_S = 3;

interface WrkResult {
  requests_per_s: number;
  latency_ms: { p50: number; p75: number; p90: number; p99: number; 'p99.9': number };
  requests: number;
  non_2xx: number;
  socket_errors: number;
  cmd: string;
}

interface Row {
  server: 'cairn' | 'fastapi';
  workers: number;
  connections: number;
  wrk: WrkResult;
}

const log = (msg: string) => process.stderr.write(`[bench serving ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function runWrk(url: string, connections: number, durationS: number): WrkResult {
  const lua = sharedPath('anchors', 'ml', 'wrk_post.lua');
  const args = [
    `-t${Math.min(2, connections)}`,
    `-c${connections}`,
    `-d${durationS}s`,
    '--timeout',
    WRK_TIMEOUT,
    '--latency',
    '-s',
    lua,
    `${url}/predict`,
  ];
  const res = spawnSync('wrk', args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`wrk failed: ${res.stderr}`);
  const out = res.stdout;
  const pct = new Map<number, number>();
  for (const m of out.matchAll(/^PCTL ([\d.]+) (\d+)$/gm)) pct.set(Number(m[1]), Number(m[2]) / 1000);
  const summary = /SUMMARY requests=(\d+) errors_status=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+)/.exec(
    out,
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!summary || !rps) throw new Error(`cannot parse wrk output:\n${out}`);
  return {
    requests_per_s: Number(rps[1]),
    latency_ms: {
      p50: pct.get(50)!,
      p75: pct.get(75)!,
      p90: pct.get(90)!,
      p99: pct.get(99)!,
      'p99.9': pct.get(99.9)!,
    },
    requests: Number(summary[1]),
    non_2xx: Number(summary[2]),
    socket_errors: [3, 4, 5, 6].reduce((a, i) => a + Number(summary[i]), 0),
    cmd: `wrk ${args.join(' ')}`,
  };
}

function stopByPid(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function measure(
  server: Row['server'],
  workers: number,
  start: (port: number) => ChildProcess,
  connections: number[],
  durationS: number,
): Promise<Row[]> {
  const port = await freePort();
  const child = start(port);
  const url = `http://127.0.0.1:${port}`;
  const rows: Row[] = [];
  try {
    await waitForHealth(url, 120_000, () => (child.exitCode !== null ? `exited with ${child.exitCode}` : null));
    for (const c of connections) {
      runWrk(url, c, WARMUP_S);
      const wrk = runWrk(url, c, durationS);
      log(
        `${server} workers=${workers} c=${c}: ${wrk.requests_per_s.toFixed(0)} req/s, p50 ${wrk.latency_ms.p50} ms, p99 ${wrk.latency_ms.p99} ms, non-2xx ${wrk.non_2xx}`,
      );
      rows.push({ server, workers, connections: c, wrk });
    }
  } finally {
    await stopByPid(child); // uvicorn and cairn's cluster primary stop their own workers on SIGTERM
  }
  return rows;
}

/** Median ms of one in-process /predict call (validation + single-row pipeline), after warm-up. */
function inProcessMs(predictor: Predictor, n = 20_000): { median_ms: number; p99_ms: number } {
  for (let i = 0; i < 2000; i++) predictor.predictRecords([HEART_RECORD]);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    predictor.predictRecords([HEART_RECORD]);
    times[i] = performance.now() - t0;
  }
  times.sort();
  return { median_ms: times[Math.floor(n / 2)], p99_ms: times[Math.floor(n * 0.99)] };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '1,16,64' },
      workers: { type: 'string', default: '1,2' },
      'no-anchor': { type: 'boolean', default: false },
    },
  });
  const durationS = Number(values.duration);
  const connections = values.connections!.split(',').map(Number);
  const workerCounts = values.workers!.split(',').map(Number);
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk not found: apt-get install -y wrk');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-serving-'));
  try {
    log('training the heart pipeline (RandomForest, 100 trees, seed 42) on all 920 rows');
    const heart = heartDataset(readSharedData('heart_disease_uci.csv'));
    const pipeline = new Pipeline({
      steps: [
        ['prep', anchorPreprocessor(heart.numeric, heart.categorical, false)],
        ['model', new RandomForestClassifier({ nEstimators: 100, seed: 42, nJobs: 1 })],
      ],
    }).fit(heart.X, heart.y);
    const modelDir = path.join(tmp, 'heart-rf');
    await saveModel(modelDir, pipeline, { trainingFrame: heart.X, trainingTarget: heart.y, artifactPath: 'model' });

    const client = await CairnClient.open(`sqlite:///${path.join(tmp, 'tracking.db')}`);
    const predictor = new Predictor(await loadServedModel(client, modelDir), DEFAULT_RISK_THRESHOLDS);
    await client.close();
    const inProcess = inProcessMs(predictor);
    log(`in-process prediction: median ${inProcess.median_ms.toFixed(4)} ms, p99 ${inProcess.p99_ms.toFixed(4)} ms`);

    const rows: Row[] = [];
    for (const workers of workerCounts) {
      const logUri = `sqlite:///${path.join(tmp, `predictions-w${workers}.db`)}`;
      rows.push(
        ...(await measure(
          'cairn',
          workers,
          (port) =>
            spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                CAIRN_MAIN,
                'serve',
                modelDir,
                '--port',
                String(port),
                '--workers',
                String(workers),
              ].concat(['--prediction-log', logUri, '--log-level', 'warn']),
              {
                cwd: REPO_ROOT,
                stdio: 'ignore',
                env: { ...process.env, MLFLOW_TRACKING_URI: '', CAIRN_TRACKING_URI: '' },
              },
            ),
          connections,
          durationS,
        )),
      );
    }
    if (!values['no-anchor']) {
      const anchorDir = sharedPath('anchors', 'ml');
      const pickle = path.join(tmp, 'heart_rf_pipeline.pkl');
      const trained = spawnSync(DEBIAN_PYTHON, [path.join(anchorDir, 'fastapi_serve.py'), 'train', pickle], {
        encoding: 'utf8',
      });
      if (trained.status !== 0) throw new Error(`anchor training failed: ${trained.stderr}`);
      for (const workers of workerCounts) {
        rows.push(
          ...(await measure(
            'fastapi',
            workers,
            (port) =>
              spawn(
                DEBIAN_PYTHON,
                [
                  '-m',
                  'uvicorn',
                  'fastapi_serve:app',
                  '--app-dir',
                  anchorDir,
                  '--host',
                  '127.0.0.1',
                  '--port',
                  String(port),
                ].concat(['--workers', String(workers), '--no-access-log', '--log-level', 'warning']),
                { stdio: 'ignore', env: { ...process.env, MODEL_PATH: pickle } },
              ),
            connections,
            durationS,
          )),
        );
      }
    }
    const md = render(rows, inProcess);
    process.stdout.write(`${md}\n`);
    const outDir = path.join(REPO_ROOT, 'bench', 'out');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `serving-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { date: new Date().toISOString(), cpus: os.cpus().length, loadavg: os.loadavg(), inProcess, rows },
        null,
        2,
      ),
    );
    log(`wrote ${file}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function render(rows: Row[], inProcess: { median_ms: number; p99_ms: number }): string {
  const find = (server: Row['server'], w: number, c: number) =>
    rows.find((r) => r.server === server && r.workers === w && r.connections === c);
  const lines = [
    `Serving, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), prediction log on (SQLite).`,
    '',
    `In-process single prediction (validation + pipeline): median ${inProcess.median_ms.toFixed(4)} ms (target ≤ ${IN_PROCESS_TARGET_MS} ms), p99 ${inProcess.p99_ms.toFixed(4)} ms.`,
    '',
    '| workers | connections | Cairn req/s | Cairn p50 / p99 ms | FastAPI req/s | FastAPI p50 / p99 ms | ratio req/s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows.filter((x) => x.server === 'cairn')) {
    const a = find('fastapi', r.workers, r.connections);
    const ratio = a ? (r.wrk.requests_per_s / a.wrk.requests_per_s).toFixed(1) : '—';
    lines.push(
      `| ${r.workers} | ${r.connections} | ${r.wrk.requests_per_s.toFixed(0)} | ${r.wrk.latency_ms.p50} / ${r.wrk.latency_ms.p99} | ` +
        `${a ? a.wrk.requests_per_s.toFixed(1) : '—'} | ${a ? `${a.wrk.latency_ms.p50} / ${a.wrk.latency_ms.p99}` : '—'} | ${ratio}× |`,
    );
  }
  lines.push(
    '',
    `Targets: at 64 connections ≥ ${RATIO_TARGET_RPS}× the anchor's requests/s with p99 ≤ ${P99_TARGET_MS} ms; at 1 connection p50 ≤ ${P50_TARGET_1CONN_MS} ms. ` +
      'Non-2xx responses and socket errors are in the JSON file.',
  );
  return lines.join('\n');
}
