// Label-based classification metrics with scikit-learn 1.2's definitions and edge cases.
import type { Labels } from '../core/estimator.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted' | null;
/** Value used when a ratio is 0/0. scikit-learn's 'warn' behaves as 0 (without the warning). */
export type ZeroDivision = 0 | 1 | 'warn';

export interface PrfOptions {
  /** Default 'binary' (scores of posLabel only), as scikit-learn. */
  average?: Average;
  /** Positive class for average='binary'. Default 1. */
  posLabel?: number;
  /** Labels to include (and their order for average=null). Default: sorted labels present. */
  labels?: readonly number[];
  zeroDivision?: ZeroDivision;
  sampleWeight?: ArrayLike<number>;
  /** F-beta's beta; default 1. */
  beta?: number;
}

export interface PrfResult {
  precision: number;
  recall: number;
  fScore: number;
}

export interface PrfPerClass {
  labels: number[];
  precision: Float64Array;
  recall: Float64Array;
  fScore: Float64Array;
  support: Float64Array;
}

function checkLengths(yTrue: Labels, yPred: Labels | ArrayLike<number>, what = 'y_pred'): void {
  if (yTrue.length !== yPred.length)
    throw new RangeError(`y_true has ${yTrue.length} values but ${what} has ${yPred.length}`);
}

/** Sorted distinct labels of one or more label arrays (scikit-learn's unique_labels). */
export function uniqueLabels(...arrays: Labels[]): number[] {
  const s = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) s.add(a[i]);
  return [...s].sort((a, b) => a - b);
}

/**
 * Fraction (or, with normalize=false, weighted count) of exact matches.
 * Empty input gives NaN for the fraction, as numpy's average of nothing.
 */
export function accuracyScore(
  yTrue: Labels,
  yPred: Labels,
  options: { normalize?: boolean; sampleWeight?: ArrayLike<number> } = {},
): number {
  checkLengths(yTrue, yPred);
  const w = options.sampleWeight;
  let hit = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w ? w[i] : 1;
    if (yTrue[i] === yPred[i]) hit += wi;
    total += wi;
  }
  return options.normalize === false ? hit : hit / total;
}

/**
 * Confusion matrix C with C[i][j] = (weighted) count of samples of true label labels[i]
 * predicted as labels[j]. Labels default to the sorted union of both arrays; samples whose
 * true or predicted label is not in `labels` are ignored. `normalize` divides by row ('true'),
 * column ('pred') or grand ('all') totals; 0/0 gives 0 as scikit-learn.
 */
export function confusionMatrix(
  yTrue: Labels,
  yPred: Labels,
  options: { labels?: readonly number[]; sampleWeight?: ArrayLike<number>; normalize?: 'true' | 'pred' | 'all' } = {},
): number[][] {
  checkLengths(yTrue, yPred);
  const labels = options.labels ? [...options.labels] : uniqueLabels(yTrue, yPred);
  if (labels.length === 0) throw new RangeError('confusionMatrix: labels is empty');
  const idx = new Map(labels.map((l, k) => [l, k]));
  const k = labels.length;
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const a = idx.get(yTrue[i]);
    const b = idx.get(yPred[i]);
    if (a === undefined || b === undefined) continue;
    cm[a][b] += options.sampleWeight ? options.sampleWeight[i] : 1;
  }
  if (options.normalize) {
    if (options.normalize === 'true') {
      for (const row of cm) {
        const s = row.reduce((x, y) => x + y, 0);
        for (let j = 0; j < k; j++) row[j] = s === 0 ? 0 : row[j] / s;
      }
    } else if (options.normalize === 'pred') {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += cm[i][j];
        for (let i = 0; i < k; i++) cm[i][j] = s === 0 ? 0 : cm[i][j] / s;
      }
    } else {
      let s = 0;
      for (const row of cm) for (const v of row) s += v;
      for (const row of cm) for (let j = 0; j < k; j++) row[j] = s === 0 ? 0 : row[j] / s;
    }
  }
  return cm;
}

/** Resolves scikit-learn's _check_set_wise_labels: which labels the scores are computed over. */
function setWiseLabels(
  yTrue: Labels,
  yPred: Labels,
  average: Average,
  labels: readonly number[] | undefined,
  posLabel: number,
): number[] {
  const present = uniqueLabels(yTrue, yPred);
  if (average === 'binary') {
    if (present.length > 2) {
      throw new RangeError(
        `Target is multiclass but average='binary'. Choose another average setting, one of [null, 'micro', 'macro', 'weighted']`,
      );
    }
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new RangeError(`posLabel=${posLabel} is not a valid label. It should be one of [${present.join(', ')}]`);
    }
    return [posLabel];
  }
  if (average !== null && average !== 'micro' && average !== 'macro' && average !== 'weighted') {
    throw new RangeError(
      `average must be one of 'binary', 'micro', 'macro', 'weighted' or null; got ${JSON.stringify(average)}`,
    );
  }
  if (labels) return [...labels];
  return present;
}

function zeroValue(z: ZeroDivision): number {
  if (z !== 0 && z !== 1 && z !== 'warn')
    throw new RangeError(`zeroDivision must be 0, 1 or 'warn'; got ${JSON.stringify(z)}`);
  return z === 1 ? 1 : 0;
}

/** Per-label true-positive, predicted and true (weighted) sums over `labels`. */
function sufficientStats(yTrue: Labels, yPred: Labels, labels: number[], w?: ArrayLike<number>) {
  const idx = new Map(labels.map((l, k) => [l, k]));
  const tp = new Float64Array(labels.length);
  const pred = new Float64Array(labels.length);
  const truth = new Float64Array(labels.length);
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w ? w[i] : 1;
    const a = idx.get(yTrue[i]);
    const b = idx.get(yPred[i]);
    if (a !== undefined) truth[a] += wi;
    if (b !== undefined) pred[b] += wi;
    if (a !== undefined && a === b) tp[a] += wi;
  }
  return { tp, pred, truth };
}

function divide(num: Float64Array, den: Float64Array, zero: number): Float64Array {
  const out = new Float64Array(num.length);
  for (let k = 0; k < num.length; k++) out[k] = den[k] === 0 ? zero : num[k] / den[k];
  return out;
}

function mean(a: Float64Array, weights?: Float64Array): number {
  let s = 0;
  let ws = 0;
  for (let k = 0; k < a.length; k++) {
    const w = weights ? weights[k] : 1;
    s += a[k] * w;
    ws += w;
  }
  return s / ws;
}

/**
 * Precision tp/(tp+fp), recall tp/(tp+fn) and F-beta per label (`average: null`), or averaged:
 * 'binary' reports posLabel only; 'micro' pools the counts; 'macro' is the unweighted mean over
 * labels; 'weighted' weights by true support. A 0/0 ratio takes `zeroDivision` (default 0).
 * F is 0 when precision and recall are both 0. With 'weighted' and no true samples of any
 * label, the result follows scikit-learn (all zeroDivision if nothing was predicted either).
 */
export function precisionRecallFscoreSupport(
  yTrue: Labels,
  yPred: Labels,
  options: PrfOptions & { average: null },
): PrfPerClass;
export function precisionRecallFscoreSupport(yTrue: Labels, yPred: Labels, options?: PrfOptions): PrfResult;
export function precisionRecallFscoreSupport(
  yTrue: Labels,
  yPred: Labels,
  options: PrfOptions = {},
): PrfResult | PrfPerClass {
  checkLengths(yTrue, yPred);
  const average = options.average === undefined ? 'binary' : options.average;
  const posLabel = options.posLabel ?? 1;
  const zero = zeroValue(options.zeroDivision ?? 'warn');
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`beta must be >= 0; got ${beta}`);
  const labels = setWiseLabels(yTrue, yPred, average, options.labels, posLabel);
  let { tp, pred, truth } = sufficientStats(yTrue, yPred, labels, options.sampleWeight);
  if (average === 'micro') {
    tp = Float64Array.of(tp.reduce((a, b) => a + b, 0));
    pred = Float64Array.of(pred.reduce((a, b) => a + b, 0));
    truth = Float64Array.of(truth.reduce((a, b) => a + b, 0));
  }
  const precision = divide(tp, pred, zero);
  const recall = divide(tp, truth, zero);
  const beta2 = beta * beta;
  const f = new Float64Array(tp.length);
  for (let k = 0; k < f.length; k++) {
    if (beta === Infinity) {
      f[k] = recall[k];
      continue;
    }
    let denom = beta2 * precision[k] + recall[k];
    if (denom === 0) denom = 1;
    f[k] = ((1 + beta2) * precision[k] * recall[k]) / denom;
  }
  if (average === null) return { labels, precision, recall, fScore: f, support: truth };
  if (average === 'weighted') {
    const ws = truth.reduce((a, b) => a + b, 0);
    if (ws === 0) {
      const predTotal = pred.reduce((a, b) => a + b, 0);
      return predTotal === 0
        ? { precision: zero, recall: zero, fScore: zero }
        : { precision: 0, recall: zero, fScore: 0 };
    }
    return { precision: mean(precision, truth), recall: mean(recall, truth), fScore: mean(f, truth) };
  }
  return { precision: mean(precision), recall: mean(recall), fScore: mean(f) };
}

type ScalarPrfOptions = Omit<PrfOptions, 'average'> & { average?: Exclude<Average, null> };

function scalarPrf(yTrue: Labels, yPred: Labels, options: PrfOptions, name: string): PrfResult {
  if (options.average === null)
    throw new RangeError(`${name}: average=null gives per-label scores; use precisionRecallFscorePerClass`);
  return precisionRecallFscoreSupport(yTrue, yPred, options) as PrfResult;
}

/** Precision tp/(tp+fp); see precisionRecallFscoreSupport for averaging and zeroDivision. */
export function precisionScore(yTrue: Labels, yPred: Labels, options: ScalarPrfOptions = {}): number {
  return scalarPrf(yTrue, yPred, options, 'precisionScore').precision;
}

/** Recall tp/(tp+fn); see precisionRecallFscoreSupport for averaging and zeroDivision. */
export function recallScore(yTrue: Labels, yPred: Labels, options: ScalarPrfOptions = {}): number {
  return scalarPrf(yTrue, yPred, options, 'recallScore').recall;
}

/** F1 = 2PR/(P+R) computed per label then averaged (not the F1 of averaged P and R). */
export function f1Score(yTrue: Labels, yPred: Labels, options: Omit<ScalarPrfOptions, 'beta'> = {}): number {
  return scalarPrf(yTrue, yPred, { ...options, beta: 1 }, 'f1Score').fScore;
}

/** F-beta = (1+b²)PR/(b²P+R); beta > 1 favours recall. */
export function fbetaScore(
  yTrue: Labels,
  yPred: Labels,
  beta: number,
  options: Omit<ScalarPrfOptions, 'beta'> = {},
): number {
  return scalarPrf(yTrue, yPred, { ...options, beta }, 'fbetaScore').fScore;
}

/** Per-label precision/recall/F1/support (average null), labels sorted unless given. */
export function precisionRecallFscorePerClass(
  yTrue: Labels,
  yPred: Labels,
  options: Omit<PrfOptions, 'average' | 'posLabel'> = {},
): PrfPerClass {
  return precisionRecallFscoreSupport(yTrue, yPred, { ...options, average: null });
}
