// The scorer type and its three shapes: metrics over predicted labels, over the positive-class
// score, or over the probability matrix.
import type { Labels } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';

/** Lazily computed, cached model outputs on one data set, shared by every scorer of a fold. */
export interface Predictions {
  readonly yTrue: Labels;
  readonly classes: Float64Array;
  /** predict(X). */
  labels(): Float64Array;
  /** predictProba(X), nRows x nClasses in the order of classes. */
  proba(): Matrix;
  /** Probability of the positive class (classes[1]) for binary problems. */
  positiveScore(): Float64Array;
}

export interface Scorer {
  readonly name: string;
  /** Higher is better; loss-type metrics are negated (as scikit-learn's 'neg_log_loss'). */
  score(p: Predictions): number;
}

export type LabelMetric = (yTrue: Labels, yPred: Float64Array) => number;

/** A scorer from a metric over predicted labels, e.g. accuracy. */
export function labelScorer(name: string, metric: LabelMetric, sign: 1 | -1 = 1): Scorer {
  return { name, score: (p) => sign * metric(p.yTrue, p.labels()) };
}

/** A scorer from a metric over the positive-class score, e.g. ROC-AUC. */
export function scoreScorer(
  name: string,
  metric: (yTrue: Labels, score: Float64Array) => number,
  sign: 1 | -1 = 1,
): Scorer {
  return { name, score: (p) => sign * metric(p.yTrue, p.positiveScore()) };
}

/** A scorer from a metric over the probability matrix, e.g. log loss (sign -1). */
export function probaScorer(
  name: string,
  metric: (yTrue: Labels, proba: Matrix, classes: Float64Array) => number,
  sign: 1 | -1 = 1,
): Scorer {
  return { name, score: (p) => sign * metric(p.yTrue, p.proba(), p.classes) };
}
