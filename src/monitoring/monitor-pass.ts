// One monitoring pass over a window of logged predictions: feature drift, prediction drift, the
// prediction distribution, live performance and target drift once labels exist — pure computation.
import { accuracyScore, f1Score, precisionScore, recallScore, rocAucScore } from '../learn/metrics/index.js';
import type { LoadedModel } from '../models/package/load-model.js';
import { type DriftColumn, type FeatureDrift, type StatTestChoice, columnDrift, DEFAULT_DRIFT_SHARE } from './drift.js';
import { frameColumns, histogramDrift, referenceColumns } from './reference-data.js';

/** The live metrics, named as the training pipeline logs them (src/pipelines/evaluate.ts). */
export const LIVE_METRICS = ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc'] as const;
export type LiveMetric = (typeof LIVE_METRICS)[number];

/** One logged prediction as monitoring reads it (serving's prediction log rows have this shape). */
export interface WindowRow {
  inputs: Record<string, unknown>;
  prediction: number;
  /** P(positive class). */
  probability: number;
  /** Ground truth from /feedback, when given. */
  label: number | null;
}

export interface LivePerformance {
  nLabeled: number;
  /** null when undefined on the labeled rows (ROC-AUC with one class present). */
  metrics: Record<LiveMetric, number | null>;
}

export interface MonitorPassResult {
  nPredictions: number;
  referenceRows: number;
  referenceSource: 'sample' | 'profile';
  referenceNote: string;
  features: FeatureDrift[];
  nDrifted: number;
  /** Share of the tested features that drift. */
  driftShare: number;
  /** The share at which the data set drifts (Evidently's drift_share, default 0.5). */
  driftShareThreshold: number;
  datasetDrift: boolean;
  /** Drift of P(positive class), null without a reference for it. */
  prediction: FeatureDrift | null;
  predictionMean: number | null;
  predictionShares: Record<string, number>;
  live: LivePerformance | null;
  /** Labels of the window against the training labels, once labels exist. */
  target: FeatureDrift | null;
}

export interface MonitorPassOptions {
  choices?: ReadonlyMap<string, StatTestChoice>;
  driftShare?: number;
}

function livePerformance(rows: readonly WindowRow[]): LivePerformance | null {
  const labeled = rows.filter((r) => r.label !== null);
  if (labeled.length === 0) return null;
  const y = Float64Array.from(labeled, (r) => r.label!);
  const pred = Float64Array.from(labeled, (r) => r.prediction);
  const score = Float64Array.from(labeled, (r) => r.probability);
  const prf = { posLabel: 1, zeroDivision: 0 } as const;
  let auc: number | null = null;
  if (new Set(y).size === 2) auc = rocAucScore(y, score);
  return {
    nLabeled: labeled.length,
    metrics: {
      accuracy: accuracyScore(y, pred),
      precision_1: precisionScore(y, pred, prf),
      recall_1: recallScore(y, pred, prf),
      f1_1: f1Score(y, pred, prf),
      roc_auc: auc,
    },
  };
}

export function runMonitorPass(
  model: LoadedModel,
  rows: readonly WindowRow[],
  options: MonitorPassOptions = {},
): MonitorPassResult {
  const frame = model.toFrame(rows.map((r) => r.inputs) as never);
  const current = frameColumns(frame);
  const ref = referenceColumns(model, current);
  const choices = options.choices ?? new Map();
  const names = new Set([...ref.columns.map((c) => c.name), ...ref.histogramOnly.map((h) => h.name)]);
  for (const name of choices.keys())
    if (!names.has(name))
      throw new Error(`--stattest names '${name}', which is not a feature of the model (${[...names].join(', ')})`);
  const byName = new Map<string, FeatureDrift>();
  for (const c of ref.columns) byName.set(c.name, columnDrift(c, choices.get(c.name)));
  for (const h of ref.histogramOnly)
    byName.set(h.name, histogramDrift(h.name, h.profile, h.current, choices.get(h.name)));
  const features = model.inputSchema.columns.map((c) => byName.get(c.name)).filter((f): f is FeatureDrift => !!f);
  const tested = features.filter((f) => !Number.isNaN(f.score));
  const nDrifted = tested.filter((f) => f.drifted).length;
  const share = tested.length ? nDrifted / tested.length : 0;
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;

  // a loop: Float64Array.from(rows, fn) goes through the iterator protocol, slow at 100k rows
  const probs = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) probs[i] = rows[i].probability;
  let prediction: FeatureDrift | null = null;
  const sample = model.referenceSample;
  if (rows.length > 0 && sample?.prediction) {
    const col: DriftColumn = {
      name: 'prediction',
      kind: 'numeric',
      reference: Float64Array.from(sample.prediction.probabilities),
      current: probs,
    };
    prediction = columnDrift(col);
  } else if (rows.length > 0 && model.referenceProfile?.prediction) {
    const p = model.referenceProfile.prediction;
    prediction = histogramDrift(
      'prediction',
      {
        name: 'prediction',
        type: 'double',
        count: model.referenceProfile.n_rows,
        missing: 0,
        missing_share: 0,
        min: 0,
        max: 1,
        mean: p.mean,
        std: null,
        quantiles: p.quantiles,
        histogram: p.histogram,
      },
      probs,
    );
  }
  const predictionShares: Record<string, number> = {};
  const predictionCounts = new Map<number, number>();
  for (const r of rows) predictionCounts.set(r.prediction, (predictionCounts.get(r.prediction) ?? 0) + 1);
  for (const [p, n] of predictionCounts) predictionShares[String(p)] = n / rows.length;

  const live = livePerformance(rows);
  let target: FeatureDrift | null = null;
  if (live) {
    const labels = rows.filter((r) => r.label !== null).map((r) => String(r.label));
    let reference: string[] | null = null;
    if (sample?.target) reference = sample.target.map(String);
    else if (model.referenceProfile?.target) {
      const t = model.referenceProfile.target;
      reference = t.classes.flatMap((c, k) => new Array<string>(t.counts[k]).fill(String(c)));
    }
    if (reference) target = columnDrift({ name: 'target', kind: 'categorical', reference, current: labels });
  }
  let sum = 0;
  for (const p of probs) sum += p;
  return {
    nPredictions: rows.length,
    referenceRows: ref.referenceRows,
    referenceSource: ref.source,
    referenceNote: ref.note,
    features,
    nDrifted,
    driftShare: share,
    driftShareThreshold: driftShare,
    datasetDrift: tested.length > 0 && share >= driftShare,
    prediction,
    predictionMean: rows.length ? sum / rows.length : null,
    predictionShares,
    live,
    target,
  };
}
