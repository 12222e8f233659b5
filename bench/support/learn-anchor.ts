// Runs the scikit-learn / XGBoost anchor (shared/anchors/ml/sklearn_baselines.py) unchanged but
// redirected: its data directory is the shared data, and its results.json / RESULTS.md go to
// bench/out/ instead of overwriting the shared anchor files.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface AnchorModelResult {
  accuracy: { mean: number; std: number };
  precision: { mean: number; std: number };
  recall: { mean: number; std: number };
  f1: { mean: number; std: number };
  roc_auc: { mean: number; std: number };
  fit_s: { median_of_repeats: number };
  predict_batch_s: { median_of_repeats: number };
  per_row_batch_us: { median_of_repeats: number };
  single_row_ms: { median_of_repeats: number };
  machine_load?: { foreign_share_of_all_cpus: number; clean?: boolean; attempts?: number };
}

export interface AnchorResults {
  environment?: Record<string, unknown>;
  generated_at?: string;
  baseline_wall_s?: number;
  baselines: Record<string, { data: Record<string, unknown>; models: Record<string, AnchorModelResult> }>;
  scaled_stroke?: {
    rows: number;
    positives: number;
    models: Record<
      string,
      {
        fit_s: { median: number; runs: number[] };
        predict_proba_all_rows_s: { median: number };
        machine_load?: { foreign_share_of_all_cpus: number };
      }
    >;
  };
}

export interface AnchorRunOptions {
  script: string;
  dataDir: string;
  outJson: string;
  outMd: string;
  datasets: string[];
  /** Anchor model keys to run (the script's MODELS); the scaled part needs RandomForest_n_jobs2 / XGBoost. */
  models: string[];
  skipScaled: boolean;
  /**
   * The script waits for an idle machine (up to 900 s per block) and repeats a block up to 8 times
   * while other processes use > 5% of the CPUs. On a shared machine 'quick' caps the idle wait at
   * waitS and runs each block once, still recording the foreign load it saw.
   */
  loadGuard: 'strict' | 'quick';
  waitS: number;
  log: (line: string) => void;
}

const WRAPPER = String.raw`
import importlib.util, json, sys
o = json.loads(sys.argv[1])
spec = importlib.util.spec_from_file_location("sklearn_baselines", o["script"])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.DATA = o["data_dir"]
mod.RESULTS_JSON = o["out_json"]
mod.RESULTS_MD = o["out_md"]
mod.DATASETS = {k: v for k, v in mod.DATASETS.items() if k in o["datasets"]}
_all_models = dict(mod.MODELS)
mod.MODELS = {k: v for k, v in mod.MODELS.items() if k in o["models"]}
# main() also builds a DecisionTree pipeline to count features: it must find every model
_make_pipeline = mod.make_pipeline
def make_pipeline(name, num, cat):
    chosen, mod.MODELS = mod.MODELS, _all_models
    try:
        return _make_pipeline(name, num, cat)
    finally:
        mod.MODELS = chosen
mod.make_pipeline = make_pipeline
if o["load_guard"] == "quick":
    ml = mod.machine_load
    _wait, _measured = ml.wait_idle, ml.measured
    ml.wait_idle = lambda threshold=0.03, sample_s=2.0, max_wait_s=900, log=print: _wait(threshold, 1.0, o["wait_s"], log)
    mod.machine_load.measured = lambda fn, attempts=8, limit=ml.MAX_FOREIGN_SHARE, log=print, label="": _measured(fn, 1, limit, log, label)
sys.argv = ["sklearn_baselines.py"] + (["--skip-scaled"] if o["skip_scaled"] else [])
mod.main()
`;

export function runAnchor(o: AnchorRunOptions): Promise<AnchorResults> {
  if (!existsSync(o.script)) throw new Error(`anchor script not found: ${o.script} (set CAIRN_SHARED)`);
  const args = JSON.stringify({
    script: o.script,
    data_dir: o.dataDir,
    out_json: o.outJson,
    out_md: o.outMd,
    datasets: o.datasets,
    models: o.models,
    skip_scaled: o.skipScaled,
    load_guard: o.loadGuard,
    wait_s: o.waitS,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, ['-c', WRAPPER, args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.dirname(o.script),
    });
    let err = '';
    const onLine = (buf: Buffer) => {
      for (const l of buf.toString().split('\n')) if (l.trim()) o.log(`anchor: ${l}`);
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      onLine(b);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`anchor exited ${code}: ${err.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(readFileSync(o.outJson, 'utf8')) as AnchorResults);
    });
  });
}

/** True when Cairn's StratifiedKFold(5, shuffle, 42) test folds equal scikit-learn's for these labels. */
export function foldsMatchSklearn(y: Float64Array, testFolds: Int32Array): boolean {
  const script =
    'import json,sys\nimport numpy as np\nfrom sklearn.model_selection import StratifiedKFold\n' +
    'y=np.array(json.load(sys.stdin))\nf=np.empty(len(y),dtype=int)\n' +
    'for k,(_,te) in enumerate(StratifiedKFold(5,shuffle=True,random_state=42).split(np.zeros(len(y)),y)): f[te]=k\n' +
    'print(json.dumps(f.tolist()))';
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script], {
    input: JSON.stringify(Array.from(y)),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`fold check failed: ${r.stderr}`);
  const sk = JSON.parse(r.stdout) as number[];
  return sk.length === testFolds.length && sk.every((f, i) => f === testFolds[i]);
}
