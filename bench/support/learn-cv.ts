// One model's anchor-protocol cross-validation in Cairn: StratifiedKFold(5, shuffle, seed 42)
// (scikit-learn's exact folds), pipeline fit per training fold, class-1 metrics at threshold 0.5,
// and the anchor's timings (fit, batch predictProba, per row, single-row calls).
import type { Frame } from '../../src/learn/core/frame.js';
import { takeFrameRows } from '../../src/learn/core/frame.js';
import { frameToRecords, recordToRowInto, type Cell } from '../../src/learn/data/records.js';
import { accuracyScore, f1Score, precisionScore, recallScore } from '../../src/learn/metrics/classification.js';
import { rocAucScore } from '../../src/learn/metrics/ranking.js';
import { StratifiedKFold } from '../../src/learn/model-selection/stratified-k-fold.js';
import { takeLabels } from '../../src/learn/model-selection/cross-validate.js';
import type { BenchDataset } from './learn-data.js';
import type { PipelineFactory } from './learn-models.js';

export const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const;
export type MetricName = (typeof METRICS)[number];
export const TIMINGS = ['fit_s', 'predict_batch_s', 'per_row_batch_us', 'single_row_ms', 'single_row_fast_ms'] as const;
export type TimingName = (typeof TIMINGS)[number];

export interface FoldRecord extends Record<MetricName | TimingName, number> {
  n_test: number;
  /** Per-call latencies (ms) of the single-record fast path: recordToRowInto + predictProbaRow. */
  fast_latencies_ms: number[];
}

export interface CvSummary {
  metrics: Record<MetricName, { mean: number; std: number; folds: number[] }>;
  metricsIdenticalAcrossRepeats: boolean;
  timings: Record<TimingName, { median_of_repeats: number; per_repeat_means: number[] }>;
  /** Fast-path single-record latency over every measured call (ms). */
  fastPath: { calls: number; p50_ms: number; p99_ms: number; mean_ms: number };
}

const now = () => performance.now();

export function runCvOnce(
  ds: BenchDataset,
  factory: PipelineFactory,
  singleRowCalls: number,
  fastCalls: number,
): FoldRecord[] {
  const skf = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 });
  const folds: FoldRecord[] = [];
  for (const { train, test } of skf.split(ds.y)) {
    const pipe = factory();
    const Xtr = takeFrameRows(ds.X, train),
      ytr = takeLabels(ds.y, train);
    const Xte = takeFrameRows(ds.X, test),
      yte = takeLabels(ds.y, test);
    let t0 = now();
    pipe.fit(Xtr, ytr);
    const fit = (now() - t0) / 1000;
    t0 = now();
    const P = pipe.predictProba(Xte);
    const pred_s = (now() - t0) / 1000;
    const proba = Float64Array.from({ length: P.nRows }, (_, i) => P.data[i * P.nCols + 1]);
    const pred = proba.map((p) => (p > 0.5 ? 1 : 0));
    const nSingle = Math.min(singleRowCalls, test.length);
    // Slicing the 1-row Frame is inside the timed loop, as the anchor's Xte.iloc[i:i + 1].
    t0 = now();
    for (let i = 0; i < nSingle; i++) pipe.predictProba(takeFrameRows(Xte, [i]));
    const single = (now() - t0) / nSingle;
    const fast = fastPathLatencies(pipe, Xte, fastCalls);
    folds.push({
      accuracy: accuracyScore(yte, pred),
      precision: precisionScore(yte, pred, { zeroDivision: 0 }),
      recall: recallScore(yte, pred, { zeroDivision: 0 }),
      f1: f1Score(yte, pred, { zeroDivision: 0 }),
      roc_auc: rocAucScore(yte, proba),
      fit_s: fit,
      predict_batch_s: pred_s,
      per_row_batch_us: (pred_s / test.length) * 1e6,
      single_row_ms: single,
      single_row_fast_ms: fast.reduce((a, b) => a + b, 0) / fast.length,
      n_test: test.length,
      fast_latencies_ms: fast,
    });
  }
  return folds;
}

/** A serving-style call per record: JSON record → row cells → pipeline.predictProbaRow. */
function fastPathLatencies(pipe: any, Xte: Frame, calls: number): number[] {
  const records = frameToRecords(
    takeFrameRows(
      Xte,
      Array.from({ length: Math.min(Xte.nRows, 200) }, (_, i) => i),
    ),
  );
  const schema = pipe.inputSchema();
  const row: Cell[] = new Array(schema.columns.length).fill(null);
  const out = new Float64Array(2);
  for (let i = 0; i < 20; i++) pipe.predictProbaRow(recordToRowInto(records[i % records.length], schema, row), out); // warm-up
  const lat: number[] = [];
  for (let c = 0; c < calls; c++) {
    const t0 = now();
    pipe.predictProbaRow(recordToRowInto(records[c % records.length], schema, row), out);
    lat.push(now() - t0);
  }
  return lat;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export function summarise(repeats: FoldRecord[][]): CvSummary {
  const first = repeats[0];
  const metrics = {} as CvSummary['metrics'];
  for (const k of METRICS) {
    const v = first.map((f) => f[k]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    metrics[k] = { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), folds: v };
  }
  const identical = repeats
    .slice(1)
    .every((r) => r.every((f, i) => METRICS.every((k) => Math.abs(f[k] - first[i][k]) < 1e-12)));
  const timings = {} as CvSummary['timings'];
  for (const k of TIMINGS) {
    const per = repeats.map((r) => r.reduce((a, f) => a + f[k], 0) / r.length);
    timings[k] = { median_of_repeats: median(per), per_repeat_means: per };
  }
  const lat = repeats.flatMap((r) => r.flatMap((f) => f.fast_latencies_ms));
  return {
    metrics,
    metricsIdenticalAcrossRepeats: identical,
    timings,
    fastPath: {
      calls: lat.length,
      p50_ms: quantile(lat, 0.5),
      p99_ms: quantile(lat, 0.99),
      mean_ms: lat.reduce((a, b) => a + b, 0) / lat.length,
    },
  };
}
