// Metrics on predicted probabilities: log loss, Brier score, calibration curve (scikit-learn 1.2).
import type { Labels } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { resolvePosLabel } from './ranking.js';
import { uniqueLabels } from './classification.js';

const FLOAT64_EPS = 2.220446049250313e-16;

/**
 * Cross-entropy −mean Σ_k [y = k] log p_k. yPred is a matrix (columns = sorted labels) or, for
 * binary targets, the probability of the larger label. Probabilities are clipped to
 * [eps, 1 − eps] (eps default float64 machine epsilon, scikit-learn 1.2's 'auto') and each row
 * renormalised. Throws when y_true holds one label and `labels` is not given.
 */
export function logLoss(
  yTrue: Labels,
  yPred: Matrix | ArrayLike<number>,
  options: { eps?: number; labels?: readonly number[]; sampleWeight?: ArrayLike<number>; normalize?: boolean } = {},
): number {
  const classes = options.labels ? uniqueLabels(options.labels) : uniqueLabels(yTrue);
  if (classes.length === 1) {
    throw new RangeError(
      options.labels
        ? `The labels array needs to contain at least two labels for logLoss, got [${classes.join(', ')}]`
        : `y_true contains only one label (${classes[0]}). Please provide the true labels explicitly through the labels option.`,
    );
  }
  const eps = options.eps ?? FLOAT64_EPS;
  const isMatrix = (yPred as Matrix).data !== undefined && (yPred as Matrix).nCols !== undefined;
  const n = yTrue.length;
  const k = isMatrix ? (yPred as Matrix).nCols : 1;
  const rows = isMatrix ? (yPred as Matrix).nRows : (yPred as ArrayLike<number>).length;
  if (rows !== n) throw new RangeError(`y_true has ${n} values but y_pred has ${rows} rows`);
  const nCols = k === 1 ? 2 : k;
  if (nCols !== classes.length) {
    throw new RangeError(
      `y_true and y_pred contain different numbers of classes ${classes.length}, ${nCols}; pass labels explicitly`,
    );
  }
  const index = new Map(classes.map((c, j) => [c, j]));
  const row = new Float64Array(nCols);
  let total = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const label = index.get(yTrue[i]);
    if (label === undefined)
      throw new RangeError(`y_true[${i}] = ${yTrue[i]} is not one of the labels [${classes.join(', ')}]`);
    if (k === 1) {
      const p = clip((yPred as ArrayLike<number>)[i] ?? (yPred as Matrix).data[i], eps);
      row[0] = 1 - p;
      row[1] = p;
    } else {
      const d = (yPred as Matrix).data;
      for (let j = 0; j < k; j++) row[j] = clip(d[i * k + j], eps);
    }
    let s = 0;
    for (let j = 0; j < nCols; j++) s += row[j];
    const loss = -Math.log(row[label] / s);
    const w = options.sampleWeight ? options.sampleWeight[i] : 1;
    total += loss * w;
    wsum += w;
  }
  return options.normalize === false ? total : total / wsum;
}

function clip(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

/**
 * Brier score: mean squared difference between the predicted probability of the positive class
 * and the outcome (1 if y = posLabel else 0). posLabel defaults to 1 for {0,1} or {−1,1} labels.
 */
export function brierScoreLoss(
  yTrue: Labels,
  yProb: ArrayLike<number>,
  options: { posLabel?: number; sampleWeight?: ArrayLike<number> } = {},
): number {
  if (yTrue.length !== yProb.length)
    throw new RangeError(`y_true has ${yTrue.length} values but y_prob has ${yProb.length}`);
  const labels = uniqueLabels(yTrue);
  if (labels.length > 2)
    throw new RangeError(
      `Only binary classification is supported. The type of the target is multiclass (labels ${labels.join(', ')})`,
    );
  for (let i = 0; i < yProb.length; i++) {
    if (yProb[i] > 1) throw new RangeError('y_prob contains values greater than 1.');
    if (yProb[i] < 0) throw new RangeError('y_prob contains values less than 0.');
  }
  const pos = resolvePosLabel(yTrue, options.posLabel);
  let s = 0;
  let ws = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = options.sampleWeight ? options.sampleWeight[i] : 1;
    const d = (yTrue[i] === pos ? 1 : 0) - yProb[i];
    s += d * d * w;
    ws += w;
  }
  return s / ws;
}

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin. */
  probTrue: Float64Array;
  /** Mean predicted probability in each non-empty bin. */
  probPred: Float64Array;
}

/**
 * Reliability curve: y_prob is cut into nBins bins — equal width on [0, 1] ('uniform') or at
 * the sample quantiles ('quantile', numpy's linear percentile) — and empty bins are left out.
 * A sample's bin is the number of inner edges strictly below it, so a value equal to an edge
 * falls in the lower bin (numpy's searchsorted, side='left').
 */
export function calibrationCurve(
  yTrue: Labels,
  yProb: ArrayLike<number>,
  options: { nBins?: number; strategy?: 'uniform' | 'quantile'; posLabel?: number } = {},
): CalibrationCurve {
  const nBins = options.nBins ?? 5;
  if (!Number.isInteger(nBins) || nBins < 1) throw new RangeError(`nBins must be an integer >= 1; got ${nBins}`);
  const strategy = options.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'quantile')
    throw new RangeError(`strategy must be 'uniform' or 'quantile'; got ${JSON.stringify(strategy)}`);
  if (yTrue.length !== yProb.length)
    throw new RangeError(`y_true has ${yTrue.length} values but y_prob has ${yProb.length}`);
  const pos = resolvePosLabel(yTrue, options.posLabel);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < yProb.length; i++) {
    lo = Math.min(lo, yProb[i]);
    hi = Math.max(hi, yProb[i]);
  }
  if (lo < 0 || hi > 1) throw new RangeError('y_prob has values outside [0, 1].');
  if (uniqueLabels(yTrue).length > 2) throw new RangeError('Only binary classification is supported.');
  const edges = linspace01(nBins);
  const bins = strategy === 'uniform' ? edges : percentiles(yProb, edges);
  const inner = bins.subarray(1, bins.length - 1);
  const sums = new Float64Array(bins.length);
  const trues = new Float64Array(bins.length);
  const totals = new Float64Array(bins.length);
  for (let i = 0; i < yProb.length; i++) {
    const b = searchsortedLeft(inner, yProb[i]);
    sums[b] += yProb[i];
    trues[b] += yTrue[i] === pos ? 1 : 0;
    totals[b] += 1;
  }
  const pt: number[] = [];
  const pp: number[] = [];
  for (let b = 0; b < bins.length; b++) {
    if (totals[b] === 0) continue;
    pt.push(trues[b] / totals[b]);
    pp.push(sums[b] / totals[b]);
  }
  return { probTrue: Float64Array.from(pt), probPred: Float64Array.from(pp) };
}

/** numpy.linspace(0, 1, n + 1): i * (1 / n), last exactly 1. */
function linspace01(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  const step = 1 / n;
  for (let i = 0; i <= n; i++) out[i] = i * step;
  out[n] = 1;
  return out;
}

/** numpy.percentile(x, q * 100) with the default linear method, evaluated as numpy does. */
function percentiles(x: ArrayLike<number>, q: Float64Array): Float64Array {
  const sorted = Float64Array.from(x).sort();
  const n = sorted.length;
  const out = new Float64Array(q.length);
  for (let k = 0; k < q.length; k++) {
    const qq = (q[k] * 100) / 100;
    const virtual = (n - 1) * qq;
    if (virtual >= n - 1) {
      out[k] = sorted[n - 1];
      continue;
    }
    const prevIdx = Math.floor(virtual);
    const gamma = virtual - prevIdx;
    const a = sorted[prevIdx];
    const b = sorted[prevIdx + 1];
    const diff = b - a;
    out[k] = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
  }
  return out;
}

function searchsortedLeft(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
