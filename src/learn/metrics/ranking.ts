// Score-based binary metrics (ROC, precision-recall) following scikit-learn 1.2's _ranking.py.
import type { Labels } from '../core/estimator.js';

export interface CurveOptions {
  /** Positive class. Default 1, allowed only when labels are within {0, 1} or {-1, 1}. */
  posLabel?: number;
  sampleWeight?: ArrayLike<number>;
}

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; thresholds[0] = max score + 1 (no sample predicted positive), as scikit-learn 1.2. */
  thresholds: Float64Array;
}

export interface PrecisionRecallCurve {
  /** Last element 1 (recall 0), as scikit-learn. */
  precision: Float64Array;
  /** Decreasing; last element 0. */
  recall: Float64Array;
  /** Increasing; one fewer than precision/recall. */
  thresholds: Float64Array;
}

/** scikit-learn's _check_pos_label_consistency. */
export function resolvePosLabel(yTrue: Labels, posLabel: number | undefined): number {
  if (posLabel !== undefined) return posLabel;
  const set = new Set<number>();
  for (let i = 0; i < yTrue.length; i++) set.add(yTrue[i]);
  const ok = [...set].every((v) => v === 0 || v === 1) || [...set].every((v) => v === -1 || v === 1);
  if (!ok) {
    throw new RangeError(
      `y_true takes values in {${[...set].sort((a, b) => a - b).join(', ')}} and posLabel is not specified: either make y_true take values in {0, 1} or {-1, 1} or pass posLabel explicitly`,
    );
  }
  return 1;
}

function checkScores(yTrue: Labels, yScore: ArrayLike<number>, w?: ArrayLike<number>): void {
  if (yTrue.length !== yScore.length)
    throw new RangeError(`y_true has ${yTrue.length} values but y_score has ${yScore.length}`);
  if (w && w.length !== yTrue.length)
    throw new RangeError(`sampleWeight has ${w.length} values, expected ${yTrue.length}`);
  for (let i = 0; i < yScore.length; i++) {
    if (!Number.isFinite(yScore[i])) throw new RangeError(`y_score[${i}] is ${yScore[i]}; scores must be finite`);
  }
  const labels = new Set<number>();
  for (let i = 0; i < yTrue.length; i++) labels.add(yTrue[i]);
  if (labels.size > 2) throw new RangeError(`only binary y_true is supported; got ${labels.size} classes`);
}

/**
 * False and true positive (weighted) counts at each distinct score, from the highest threshold
 * down (scikit-learn's _binary_clf_curve). Ties share one threshold.
 */
export function binaryClfCurve(yTrue: Labels, yScore: ArrayLike<number>, options: CurveOptions = {}) {
  const w = options.sampleWeight;
  checkScores(yTrue, yScore, w);
  const pos = resolvePosLabel(yTrue, options.posLabel);
  const n = yTrue.length;
  // Stable ascending sort reversed, as numpy's argsort(kind="mergesort")[::-1].
  const order = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => yScore[a] - yScore[b] || a - b)
    .reverse();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const wi = w ? w[i] : 1;
    const isPos = yTrue[i] === pos;
    tp += isPos ? wi : 0;
    if (w) fp += isPos ? 0 : wi;
    const last = k === n - 1 || yScore[order[k + 1]] !== yScore[i];
    if (last) {
      tps.push(tp);
      fps.push(w ? fp : 1 + k - tp);
      thresholds.push(yScore[i]);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thresholds) };
}

/**
 * ROC curve points. With dropIntermediate (default true, as scikit-learn) points collinear with
 * their neighbours are dropped; they never change the area. A class absent from y_true makes
 * the corresponding rate NaN (scikit-learn warns and does the same).
 */
export function rocCurve(
  yTrue: Labels,
  yScore: ArrayLike<number>,
  options: CurveOptions & { dropIntermediate?: boolean } = {},
): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(yTrue, yScore, options);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let k = 1; k < fps.length - 1; k++) {
      // numpy's diff(x, 2) is (x[k+1]-x[k]) - (x[k]-x[k-1]); evaluate it that way for identical rounding.
      const f2 = fps[k + 1] - fps[k] - (fps[k] - fps[k - 1]);
      const t2 = tps[k + 1] - tps[k] - (tps[k] - tps[k - 1]);
      if (f2 !== 0 || t2 !== 0) keep.push(k);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (k) => fps[k]);
    tps = Float64Array.from(keep, (k) => tps[k]);
    thresholds = Float64Array.from(keep, (k) => thresholds[k]);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  const fpsLast = fps[fps.length - 1];
  const tpsLast = tps[tps.length - 1];
  th[0] = thresholds[0] + 1;
  fpr[0] = fpsLast <= 0 ? NaN : 0;
  tpr[0] = tpsLast <= 0 ? NaN : 0;
  for (let k = 1; k < m; k++) {
    fpr[k] = fpsLast <= 0 ? NaN : fps[k - 1] / fpsLast;
    tpr[k] = tpsLast <= 0 ? NaN : tps[k - 1] / tpsLast;
    th[k] = thresholds[k - 1];
  }
  return { fpr, tpr, thresholds: th };
}

/**
 * Area under a curve by the trapezoidal rule. x must be monotonic (increasing or decreasing);
 * otherwise throws, as scikit-learn's auc.
 */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2)
    throw new RangeError(`at least 2 points are needed to compute area under curve, but x has ${x.length}`);
  if (x.length !== y.length) throw new RangeError(`x has ${x.length} points but y has ${y.length}`);
  let direction = 1;
  let anyNeg = false;
  let allNonPos = true;
  for (let k = 1; k < x.length; k++) {
    const d = x[k] - x[k - 1];
    if (d < 0) anyNeg = true;
    if (d > 0) allNonPos = false;
  }
  if (anyNeg) {
    if (!allNonPos) throw new RangeError('x is neither increasing nor decreasing');
    direction = -1;
  }
  let area = 0;
  for (let k = 1; k < x.length; k++) area += ((x[k] - x[k - 1]) * (y[k] + y[k - 1])) / 2;
  return direction * area;
}

/**
 * Binary ROC-AUC: area under rocCurve (trapezoids over distinct thresholds, so tied scores count
 * one half). The positive class is the larger of the two labels, as scikit-learn's
 * roc_auc_score. Throws when y_true holds a single class (AUC is undefined).
 */
export function rocAucScore(
  yTrue: Labels,
  yScore: ArrayLike<number>,
  options: { sampleWeight?: ArrayLike<number> } = {},
): number {
  const classes = [...new Set(Array.from(yTrue))].sort((a, b) => a - b);
  if (classes.length !== 2) {
    throw new RangeError(
      classes.length < 2
        ? 'Only one class present in y_true. ROC AUC score is not defined in that case.'
        : `rocAucScore supports binary y_true only; got ${classes.length} classes`,
    );
  }
  const { fpr, tpr } = rocCurve(yTrue, yScore, { posLabel: classes[1], sampleWeight: options.sampleWeight });
  return auc(fpr, tpr);
}

/**
 * Precision-recall pairs at each distinct threshold, reversed so recall decreases, ending at
 * (recall 0, precision 1). Precision at a threshold with no predicted positives is 0. With no
 * positive in y_true, recall is 1 everywhere (scikit-learn warns and does the same).
 */
export function precisionRecallCurve(
  yTrue: Labels,
  probasPred: ArrayLike<number>,
  options: CurveOptions = {},
): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, probasPred, options);
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const tpsLast = tps[m - 1];
  for (let k = 0; k < m; k++) {
    const src = m - 1 - k;
    const ps = tps[src] + fps[src];
    precision[k] = ps !== 0 ? tps[src] / ps : 0;
    recall[k] = tpsLast === 0 ? 1 : tps[src] / tpsLast;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: Float64Array.from(thresholds).reverse() };
}

/**
 * Average precision AP = Σ (R_k − R_{k−1}) P_k over thresholds (a step function, no
 * interpolation), as scikit-learn's average_precision_score for binary targets.
 */
export function averagePrecisionScore(yTrue: Labels, yScore: ArrayLike<number>, options: CurveOptions = {}): number {
  const present = [...new Set(Array.from(yTrue))];
  const posLabel = options.posLabel ?? 1;
  if (present.length === 2 && !present.includes(posLabel)) {
    throw new RangeError(
      `posLabel=${posLabel} is not a valid label. It should be one of [${present.sort((a, b) => a - b).join(', ')}]`,
    );
  }
  const { precision, recall } = precisionRecallCurve(yTrue, yScore, { ...options, posLabel });
  let s = 0;
  for (let k = 0; k < recall.length - 1; k++) s += (recall[k + 1] - recall[k]) * precision[k];
  return -s;
}
