// Decision-threshold tuning on held-out scores: the threshold that maximises F1, or the highest
// threshold that still reaches a recall (or precision) target. "Positive" means score >= threshold.
import type { Labels } from '../core/estimator.js';
import { binaryClfCurve } from '../metrics/ranking.js';

export type ThresholdTarget = 'max_f1' | { recall: number } | { precision: number };

export interface ThresholdResult {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** False when a recall/precision target cannot be met; the closest threshold is returned. */
  targetMet: boolean;
}

export interface TuneThresholdOptions {
  target: ThresholdTarget;
  /** Positive class. Default 1. */
  posLabel?: number;
}

export function tuneThreshold(
  yTrue: Labels,
  scores: ArrayLike<number>,
  options: TuneThresholdOptions,
): ThresholdResult {
  const target = options.target;
  const posLabel = options.posLabel ?? 1;
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores, { posLabel });
  const n = yTrue.length;
  const P = tps[tps.length - 1];
  const N = n - P;
  if (P === 0) throw new RangeError(`tuneThreshold: yTrue has no positive (label ${posLabel}) samples`);
  const at = (k: number, met: boolean): ThresholdResult => {
    const tp = tps[k],
      fp = fps[k],
      fn = P - tp,
      tn = N - fp;
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = tp / P;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { threshold: thresholds[k], precision, recall, f1, accuracy: (tp + tn) / n, tp, fp, tn, fn, targetMet: met };
  };
  // Points k run from the highest threshold (fewest positives) to the lowest (all positive).
  if (target === 'max_f1') {
    let best = 0,
      bestF1 = -1;
    for (let k = 0; k < tps.length; k++) {
      const f1 = (2 * tps[k]) / (tps[k] + fps[k] + P);
      if (f1 > bestF1) {
        bestF1 = f1;
        best = k;
      }
    }
    return at(best, true);
  }
  if (typeof target === 'object' && target !== null && 'recall' in target) {
    const r = target.recall;
    if (!(r > 0 && r <= 1)) throw new RangeError(`tuneThreshold: target recall must be in (0, 1], got ${r}`);
    for (let k = 0; k < tps.length; k++) if (tps[k] / P >= r - 1e-12) return at(k, true);
    return at(tps.length - 1, false);
  }
  if (typeof target === 'object' && target !== null && 'precision' in target) {
    const p = target.precision;
    if (!(p > 0 && p <= 1)) throw new RangeError(`tuneThreshold: target precision must be in (0, 1], got ${p}`);
    // Lowest threshold (most recall) whose precision still meets the target.
    for (let k = tps.length - 1; k >= 0; k--) if (tps[k] / (tps[k] + fps[k]) >= p - 1e-12) return at(k, true);
    let best = 0;
    for (let k = 1; k < tps.length; k++) if (tps[k] / (tps[k] + fps[k]) > tps[best] / (tps[best] + fps[best])) best = k;
    return at(best, false);
  }
  throw new RangeError(
    `tuneThreshold: target must be 'max_f1', { recall } or { precision }, got ${JSON.stringify(target)}`,
  );
}

/** Labels from scores at a threshold (score >= threshold → posLabel, else negLabel). */
export function applyThreshold(scores: ArrayLike<number>, threshold: number, posLabel = 1, negLabel = 0): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? posLabel : negLabel;
  return out;
}
