// Monitoring benchmark: one `cairn monitor` pass (feature drift over the heart model's 13 features,
// prediction drift, the prediction distribution) over windows of 10k, 100k and 1M logged predictions,
// against SciPy + pandas computing Evidently's same default statistics on the same reference sample
// and the same SQLite prediction log (bench/support/monitoring_anchor.py), in the same run.
//
// The model: the heart pipeline (median impute + scale | most-frequent impute + one-hot, logistic
// regression) trained on the 920 rows of data/heart_disease_uci.csv and saved as a model package,
// whose reference sample then holds every training row (≤ 1,000 rows: Kolmogorov–Smirnov, chi-squared
// and the z-test, as Evidently picks them, plus PSI for every feature). The windows: training rows
// drawn with replacement (seeded), each logged with the model's probability for it.
//
// Two timings per window, each in a fresh process (its peak RSS is reported):
//   - memory: the window already read; the statistics alone;
//   - log: reading the window from the prediction log (SQL, JSON inputs parsed) plus the statistics.
// Targets (issue #15): 100k rows in ≤ 1 s, ≥ 10× SciPy + pandas.
//
//   npm run bench -- monitoring [--sizes 10000,100000,1000000] [--skip-anchor] [--keep (the model and logs)]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cell } from '../src/learn/core/frame.js';
import { Rng } from '../src/learn/core/random.js';
import { LogisticRegression } from '../src/learn/linear/logistic-regression.js';
import { Pipeline } from '../src/learn/pipeline.js';
import { loadModelFromDir } from '../src/models/package/load-model.js';
import { saveModel } from '../src/models/package/save-model.js';
import { PredictionLogStore } from '../src/serving/prediction-log/prediction-log-store.js';
import { DEBIAN_PYTHON, REPO_ROOT } from '../test/support/cairn-server.js';
import { anchorPreprocessor, heartDataset } from '../test/support/learn/anchor-protocol.js';

const TARGET_100K_S = 1;
const TARGET_RATIO = 10;
const MODEL_NAME = 'bench';
const INSERT_BATCH = 5000;

interface Measurement {
  seconds: number;
  peak_rss_mib: number;
  rows: number;
  dataset_drift: boolean;
  features: Record<string, { method: string; score: number; drift: boolean; psi: number }>;
}

const log = (msg: string) =>
  process.stderr.write(`[bench monitoring ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function lastJsonLine(stdout: string): Measurement {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Measurement;
}

function runChild(cmd: string, args: string[]): Measurement {
  const res = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${res.stderr}`);
  return lastJsonLine(res.stdout);
}

/** Largest relative difference between two implementations' scores, over features both computed. */
function maxScoreDiff(a: Measurement, b: Measurement): { diff: number; methodsAgree: boolean } {
  let diff = 0;
  let methodsAgree = true;
  for (const [name, fa] of Object.entries(a.features)) {
    const fb = b.features[name];
    if (!fb) continue;
    if (fa.method !== fb.method) methodsAgree = false;
    for (const [x, y] of [
      [fa.score, fb.score],
      [fa.psi, fb.psi],
    ]) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      diff = Math.max(diff, Math.abs(x - y) / Math.max(Math.abs(y), 1e-12));
    }
  }
  return { diff, methodsAgree };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000' },
      'skip-anchor': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
    },
  });
  const sizes = values.sizes!.split(',').map(Number);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-monitoring-'));
  try {
    const heart = heartDataset(readFileSync(path.join(REPO_ROOT, 'data', 'heart_disease_uci.csv'), 'utf8'));
    const pipeline = new Pipeline({
      steps: [
        ['prep', anchorPreprocessor(heart.numeric, heart.categorical, true)],
        ['model', new LogisticRegression({ maxIter: 1000 })],
      ],
    }).fit(heart.X, heart.y);
    const modelDir = path.join(tmp, 'model');
    await saveModel(modelDir, pipeline, { trainingFrame: heart.X, trainingTarget: heart.y, artifactPath: 'model' });
    const model = await loadModelFromDir(modelDir);
    const sample = model.referenceSample;
    if (!sample?.prediction) throw new Error('the saved package has no reference sample with predictions');
    const features = model.inputSchema.columns.map((c) => ({
      name: c.name,
      kind: c.kind === 'numeric' ? 'num' : 'cat',
    }));

    // the reference exactly as the package keeps it, for the anchor
    const refCsv = path.join(tmp, 'reference.csv');
    const csvCell = (v: number | string | null) =>
      v === null ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);
    const header = features.map((f) => f.name);
    const csvRows = Array.from({ length: sample.n_rows }, (_, i) =>
      header.map((h) => csvCell(sample.columns[h][i])).join(','),
    );
    writeFileSync(refCsv, `${header.join(',')}\n${csvRows.join('\n')}\n`);
    const featuresJson = path.join(tmp, 'features.json');
    writeFileSync(featuresJson, JSON.stringify(Object.fromEntries(features.map((f) => [f.name, f.kind]))));

    // a training row as a request record: numbers as numbers, categories as their text, missing as null
    const records = Array.from({ length: heart.X.nRows }, (_, i) => {
      const rec: Record<string, unknown> = {};
      for (const col of heart.X.columns) {
        const v = cell(col, i);
        rec[col.name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
      }
      return rec;
    });
    const probs = sample.prediction.probabilities;
    if (sample.n_rows !== records.length) throw new Error('expected the reference sample to keep every training row');

    const results: { rows: number; mode: string; cairn: Measurement; anchor: Measurement | null }[] = [];
    for (const n of sizes) {
      const dbFile = path.join(tmp, `predictions-${n}.db`);
      const store = await PredictionLogStore.open(`sqlite:///${dbFile}`);
      const rng = new Rng(Number(values.seed) + n);
      const t0 = Date.now() - n;
      log(`logging ${n} predictions`);
      for (let at = 0; at < n; at += INSERT_BATCH) {
        const batch = [];
        for (let k = at; k < Math.min(n, at + INSERT_BATCH); k++) {
          const i = rng.int(records.length);
          const p = probs[i];
          batch.push({
            requestId: `r${k}`,
            ts: t0 + k,
            modelName: MODEL_NAME,
            modelVersion: '1',
            endpoint: 'predict',
            inputs: records[i],
            prediction: p >= 0.5 ? 1 : 0,
            probability: p,
            confidence: Math.max(p, 1 - p),
            riskLevel: p < 0.3 ? 'low' : p < 0.7 ? 'medium' : 'high',
            latencyMs: 0.2,
          });
        }
        await store.insert(batch);
      }
      await store.close();
      for (const mode of ['memory', 'log']) {
        log(`cairn: ${n} rows, ${mode}`);
        const cairn = runChild(process.execPath, [
          '--import',
          'tsx',
          'bench/support/monitoring-worker.ts',
          '--model',
          modelDir,
          '--log',
          dbFile,
          '--rows',
          String(n),
          '--mode',
          mode,
          '--model-name',
          MODEL_NAME,
        ]);
        let anchor: Measurement | null = null;
        if (!values['skip-anchor']) {
          log(`scipy + pandas: ${n} rows, ${mode}`);
          anchor = runChild(DEBIAN_PYTHON, [
            'bench/support/monitoring_anchor.py',
            '--reference',
            refCsv,
            '--features',
            featuresJson,
            '--log',
            dbFile,
            '--model-name',
            MODEL_NAME,
            '--mode',
            mode,
          ]);
        }
        results.push({ rows: n, mode, cairn, anchor });
      }
      if (!values.keep) rmSync(dbFile, { force: true });
    }

    const fmt = (s: number) => (s < 0.1 ? s.toFixed(4) : s.toFixed(3));
    const lines = [
      `Monitoring pass over the heart model's 13 features (reference: ${sample.n_rows} training rows), ${os.cpus().length} cores, Node ${process.version}`,
      '',
      '| window | timed | Cairn s | SciPy + pandas s | ratio | Cairn peak RSS MiB | anchor peak RSS MiB | scores agree (max rel. diff) |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ];
    for (const r of results) {
      const ratio = r.anchor ? (r.anchor.seconds / r.cairn.seconds).toFixed(1) : '—';
      const agree = r.anchor ? maxScoreDiff(r.cairn, r.anchor) : null;
      lines.push(
        `| ${r.rows.toLocaleString('en-US')} | ${r.mode === 'memory' ? 'statistics' : 'log read + statistics'} | ${fmt(r.cairn.seconds)} | ${r.anchor ? fmt(r.anchor.seconds) : '—'} | ${ratio}× | ${r.cairn.peak_rss_mib.toFixed(0)} | ${r.anchor ? r.anchor.peak_rss_mib.toFixed(0) : '—'} | ${agree ? `${agree.methodsAgree ? 'same tests' : 'DIFFERENT tests'}, ${agree.diff.toExponential(1)}` : '—'} |`,
      );
    }
    const at100k = results.find((r) => r.rows === 100_000 && r.mode === 'log');
    if (at100k) {
      const ratio = at100k.anchor ? at100k.anchor.seconds / at100k.cairn.seconds : Number.NaN;
      lines.push(
        '',
        `Targets at 100k (log read + statistics): ≤ ${TARGET_100K_S} s → ${fmt(at100k.cairn.seconds)} s ` +
          `(${at100k.cairn.seconds <= TARGET_100K_S ? 'met' : 'missed'}); ≥ ${TARGET_RATIO}× SciPy + pandas → ` +
          `${Number.isNaN(ratio) ? 'anchor skipped' : `${ratio.toFixed(1)}× (${ratio >= TARGET_RATIO ? 'met' : 'missed'})`}`,
      );
    }
    console.log(lines.join('\n'));
  } finally {
    if (values.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
