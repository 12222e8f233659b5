// learn benchmark: the anchor protocol (shared/anchors/ml/sklearn_baselines.py) reproduced with
// Cairn's pipelines — heart_disease_uci and stroke, scikit-learn's exact StratifiedKFold(5,
// shuffle, 42) folds, six models, metrics and timings — with the scikit-learn / XGBoost anchor run
// in the same invocation. Prints Markdown for BENCHMARKS.md; raw JSON goes to bench/out/.
// `npm run bench -- learn [flags]` or `npx tsx bench/learn.ts [flags]`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runCvOnce, summarise, quantile, type CvSummary, type FoldRecord } from './support/learn-cv.js';
import { loadDataset, scaledStroke, type BenchDataset, type DatasetName } from './support/learn-data.js';
import { LearnClasses, MODEL_NAMES, MODEL_SPECS, pipelineFactory, type ModelName } from './support/learn-models.js';
import { foldsMatchSklearn, runAnchor, type AnchorResults } from './support/learn-anchor.js';
import { StratifiedKFold } from '../src/learn/model-selection/stratified-k-fold.js';
import { renderMarkdown, type CairnResults } from './support/learn-report.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg: string) => process.stderr.write(`[bench learn ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const USAGE = `flags:
  --datasets heart_disease_uci,stroke   data sets (default both)
  --models <list>                       ${MODEL_NAMES.join(',')} (default all)
  --repeats N                           whole-CV repeats for timings (default 3, as the anchor)
  --single-row-calls N                  1-row predictProba calls per fold (default 50, as the anchor)
  --fast-calls N                        single-record fast-path calls per fold (default 500)
  --scaled-rows N                       stroke tiled to N rows for the scaled timing (default 100000)
  --skip-scaled                         no scaled timing (Cairn and anchor)
  --skip-anchor                         do not run the anchor (Cairn figures only)
  --anchor-json PATH                    reuse an anchor results.json instead of running it
  --load-guard quick|strict             anchor's idle-machine guard: strict = as written (may wait
                                        900 s per block, 8 attempts); quick = 1 attempt, wait <= --anchor-wait s (default)
  --anchor-wait S                       idle wait cap for --load-guard quick (default 20)
  --render DIR                          only re-render the Markdown of an earlier run (bench/out/learn-…)`;

export async function run(args: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args,
    options: {
      datasets: { type: 'string', default: 'heart_disease_uci,stroke' },
      models: { type: 'string', default: MODEL_NAMES.join(',') },
      repeats: { type: 'string', default: '3' },
      'single-row-calls': { type: 'string', default: '50' },
      'fast-calls': { type: 'string', default: '500' },
      'scaled-rows': { type: 'string', default: '100000' },
      'skip-scaled': { type: 'boolean', default: false },
      'skip-anchor': { type: 'boolean', default: false },
      'anchor-json': { type: 'string' },
      'load-guard': { type: 'string', default: 'quick' },
      'anchor-wait': { type: 'string', default: '20' },
      render: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const datasets = o.datasets!.split(',') as DatasetName[];
  for (const d of datasets)
    if (d !== 'heart_disease_uci' && d !== 'stroke') throw new Error(`--datasets: unknown data set "${d}"`);
  const models = o.models!.split(',') as ModelName[];
  for (const m of models)
    if (!MODEL_NAMES.includes(m)) throw new Error(`--models: unknown model "${m}" (known: ${MODEL_NAMES.join(', ')})`);
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const repeats = int('repeats', o.repeats, 1);
  const singleRowCalls = int('single-row-calls', o['single-row-calls'], 1);
  const fastCalls = int('fast-calls', o['fast-calls'], 1);
  const scaledRows = int('scaled-rows', o['scaled-rows'], 1000);
  if (o['load-guard'] !== 'quick' && o['load-guard'] !== 'strict')
    throw new Error(`--load-guard must be quick or strict, got ${o['load-guard']}`);

  const shared = process.env.CAIRN_SHARED ?? path.resolve(REPO_ROOT, '../shared');
  const referencePath = path.join(shared, 'anchors', 'ml', 'results.json');
  const reference = existsSync(referencePath)
    ? (JSON.parse(readFileSync(referencePath, 'utf8')) as AnchorResults)
    : undefined;
  if (o.render) {
    const dir = path.resolve(o.render);
    const cairnSaved = JSON.parse(readFileSync(path.join(dir, 'cairn.json'), 'utf8')) as CairnResults;
    const anchorFile = path.join(dir, 'anchor-results.json');
    const anchorSaved = existsSync(anchorFile)
      ? (JSON.parse(readFileSync(anchorFile, 'utf8')) as AnchorResults)
      : undefined;
    const md = renderMarkdown(cairnSaved, anchorSaved, {
      repeats,
      loadGuard: o['load-guard']!,
      anchorSource: anchorSaved ? 'run' : undefined,
      reference,
    });
    writeFileSync(path.join(dir, 'learn.md'), md);
    console.log(md);
    return;
  }
  const dataDir = path.join(shared, 'data');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = path.join(REPO_ROOT, 'bench', 'out', `learn-${stamp}`);
  mkdirSync(outDir, { recursive: true });
  log(`shared = ${shared}; output in ${path.relative(REPO_ROOT, outDir)}`);

  const cairn = await runCairn({
    dataDir,
    datasets,
    models,
    repeats,
    singleRowCalls,
    fastCalls,
    scaledRows,
    skipScaled: o['skip-scaled']!,
  });
  writeFileSync(path.join(outDir, 'cairn.json'), JSON.stringify(cairn, null, 2));

  let anchor: AnchorResults | undefined;
  if (o['anchor-json']) anchor = JSON.parse(readFileSync(o['anchor-json'], 'utf8')) as AnchorResults;
  else if (!o['skip-anchor']) {
    log(`running the anchor (load guard ${o['load-guard']})`);
    const t0 = performance.now();
    anchor = await runAnchor({
      script: path.join(shared, 'anchors', 'ml', 'sklearn_baselines.py'),
      dataDir,
      outJson: path.join(outDir, 'anchor-results.json'),
      outMd: path.join(outDir, 'anchor-RESULTS.md'),
      datasets,
      models,
      skipScaled: o['skip-scaled']!,
      loadGuard: o['load-guard'] as 'quick' | 'strict',
      waitS: int('anchor-wait', o['anchor-wait'], 0),
      log,
    });
    log(`anchor done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const md = renderMarkdown(cairn, anchor, {
    repeats,
    loadGuard: o['load-guard']!,
    anchorSource: o['anchor-json'] ?? (o['skip-anchor'] ? undefined : 'run'),
    reference,
  });
  writeFileSync(path.join(outDir, 'learn.md'), md);
  console.log(md);
}

interface CairnRunOptions {
  dataDir: string;
  datasets: DatasetName[];
  models: ModelName[];
  repeats: number;
  singleRowCalls: number;
  fastCalls: number;
  scaledRows: number;
  skipScaled: boolean;
}

async function runCairn(o: CairnRunOptions): Promise<CairnResults> {
  const classes = new LearnClasses(path.join(REPO_ROOT, 'src', 'learn'));
  const res: CairnResults = {
    environment: {
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      nproc: os.cpus().length,
      mem_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${os.platform()} ${os.release()}`,
    },
    started_at: new Date().toISOString(),
    datasets: {},
  };
  const loaded = new Map<DatasetName, BenchDataset>();
  for (const name of o.datasets) {
    const ds = loadDataset(o.dataDir, name);
    loaded.set(name, ds);
    const foldsMatch = foldsMatchSklearn(
      ds.y,
      new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 }).testFolds(ds.y),
    );
    log(`${name}: ${ds.X.nRows} rows; fold assignment identical to scikit-learn's: ${foldsMatch}`);
    const entry: CairnResults['datasets'][string] = {
      rows: ds.X.nRows,
      positives: ds.y.reduce((a, b) => a + b, 0),
      foldsMatchSklearn: foldsMatch,
      models: {},
    };
    res.datasets[name] = entry;
    for (const model of o.models) {
      const spec = MODEL_SPECS[model];
      if (!classes.has(spec.className)) {
        entry.models[model] = { error: `not available: no module in src/learn exports class ${spec.className} yet` };
        log(`${name} ${model}: skipped (${spec.className} not exported yet)`);
        continue;
      }
      try {
        const factory = await pipelineFactory(classes, model, ds.numeric, ds.categorical);
        const load0 = os.loadavg()[0];
        const reps: FoldRecord[][] = [];
        for (let r = 0; r < o.repeats; r++) reps.push(runCvOnce(ds, factory, o.singleRowCalls, o.fastCalls));
        const s: CvSummary = summarise(reps);
        entry.models[model] = { summary: s, loadavg_1m: [load0, os.loadavg()[0]] };
        log(
          `${name} ${model}: auc ${s.metrics.roc_auc.mean.toFixed(3)} acc ${s.metrics.accuracy.mean.toFixed(3)} f1 ${s.metrics.f1.mean.toFixed(3)} ` +
            `fit ${(s.timings.fit_s.median_of_repeats * 1000).toFixed(1)} ms, single-row ${s.timings.single_row_ms.median_of_repeats.toFixed(3)} ms, ` +
            `fast p50 ${s.fastPath.p50_ms.toFixed(4)} ms (load ${load0.toFixed(2)})`,
        );
      } catch (e) {
        entry.models[model] = { error: `failed: ${(e as Error).message}` };
        log(`${name} ${model}: FAILED ${(e as Error).stack}`);
      }
    }
  }
  if (!o.skipScaled && o.datasets.includes('stroke'))
    res.scaled = await runScaled(classes, loaded.get('stroke')!, o.scaledRows, o.models);
  res.finished_at = new Date().toISOString();
  return res;
}

async function runScaled(
  classes: LearnClasses,
  stroke: BenchDataset,
  rows: number,
  models: ModelName[],
): Promise<CairnResults['scaled']> {
  const big = scaledStroke(stroke, rows, 42);
  const out: NonNullable<CairnResults['scaled']> = { rows, positives: big.y.reduce((a, b) => a + b, 0), models: {} };
  for (const model of ['RandomForest_n_jobs2', 'XGBoost'] as ModelName[]) {
    if (!models.includes(model)) continue;
    const spec = MODEL_SPECS[model];
    if (!classes.has(spec.className)) {
      out.models[model] = { error: `not available: ${spec.className} not exported yet` };
      continue;
    }
    try {
      const factory = await pipelineFactory(classes, model, big.numeric, big.categorical);
      const fits: number[] = [],
        preds: number[] = [];
      for (let r = 0; r < 3; r++) {
        const pipe = factory();
        let t0 = performance.now();
        pipe.fit(big.X, big.y);
        fits.push((performance.now() - t0) / 1000);
        t0 = performance.now();
        pipe.predictProba(big.X);
        preds.push((performance.now() - t0) / 1000);
      }
      out.models[model] = {
        fit_s: { median: quantile(fits, 0.5), runs: fits },
        predict_proba_all_rows_s: { median: quantile(preds, 0.5), runs: preds },
      };
      log(
        `scaled ${model}: fit median ${quantile(fits, 0.5).toFixed(3)} s runs ${fits.map((f) => f.toFixed(3)).join(', ')}`,
      );
    } catch (e) {
      out.models[model] = { error: `failed: ${(e as Error).message}` };
      log(`scaled ${model}: FAILED ${(e as Error).stack}`);
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  run(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
