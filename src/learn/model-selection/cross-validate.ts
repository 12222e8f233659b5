// Cross-validation: clone, fit on each training fold, score on the held-out fold, time both.
import type { Classifier, Labels } from '../core/estimator.js';
import type { Frame } from '../core/frame.js';
import { takeFrameRows } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { takeRows } from '../core/matrix.js';
import type { Scorer, ScoringSpec } from './scoring.js';
import { predictionsOf, resolveScorers } from './scoring.js';
import type { CrossValidator, Split } from './stratified-k-fold.js';
import { StratifiedKFold } from './stratified-k-fold.js';

export interface FoldResult<X = Matrix> {
  fold: number;
  trainSize: number;
  testSize: number;
  /** Seconds. */
  fitTime: number;
  /** Seconds spent scoring the test fold (all scorers together). */
  scoreTime: number;
  test: Record<string, number>;
  train?: Record<string, number>;
  estimator?: Classifier<X>;
}

export interface CrossValidateOptions<X = Matrix> {
  /** Number of stratified folds (no shuffle, as scikit-learn), or a splitter. Default 5. */
  cv?: number | CrossValidator;
  scoring?: ScoringSpec | readonly ScoringSpec[];
  returnTrainScore?: boolean;
  returnEstimator?: boolean;
  /** Called after each fold (e.g. to report intermediate values to a pruner, or log). */
  onFold?: (fold: FoldResult<X>) => void;
}

export interface MeanStd {
  mean: number;
  /** Population standard deviation over folds (numpy's default, as the anchor reports). */
  std: number;
}

export interface CrossValidateResult<X = Matrix> {
  folds: FoldResult<X>[];
  scorers: string[];
  testScores: Record<string, Float64Array>;
  trainScores?: Record<string, Float64Array>;
  fitTime: Float64Array;
  scoreTime: Float64Array;
  summary: Record<string, MeanStd>;
}

/** Rows of a Frame or a Matrix. */
export function takeSamples<X extends Matrix | Frame>(X: X, indices: ArrayLike<number>): X {
  return ('columns' in X ? takeFrameRows(X, indices) : takeRows(X as Matrix, indices)) as X;
}

export function nSamples(X: Matrix | Frame): number {
  return X.nRows;
}

export function takeLabels(y: Labels, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = y[indices[k]];
  return out;
}

export function resolveCv(cv: number | CrossValidator | undefined): CrossValidator {
  if (cv === undefined) return new StratifiedKFold({ nSplits: 5 });
  if (typeof cv === 'number') return new StratifiedKFold({ nSplits: cv });
  return cv;
}

export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

export function crossValidate<X extends Matrix | Frame>(
  estimator: Classifier<X>,
  X: X,
  y: Labels,
  options: CrossValidateOptions<X> = {},
): CrossValidateResult<X> {
  if (nSamples(X) !== y.length) {
    throw new RangeError(`crossValidate: X has ${nSamples(X)} rows but y has ${y.length} labels`);
  }
  const scorers = resolveScorers(options.scoring);
  const splits: Split[] = [...resolveCv(options.cv).split(y)];
  const folds = splits.map((split, fold) => runFold(estimator, X, y, split, fold, scorers, options));
  return summarise(folds, scorers, options.returnTrainScore === true);
}

function runFold<X extends Matrix | Frame>(
  estimator: Classifier<X>,
  X: X,
  y: Labels,
  split: Split,
  fold: number,
  scorers: Scorer[],
  options: CrossValidateOptions<X>,
): FoldResult<X> {
  const model = estimator.clone();
  const Xtr = takeSamples(X, split.train);
  const ytr = takeLabels(y, split.train);
  const Xte = takeSamples(X, split.test);
  const yte = takeLabels(y, split.test);
  const t0 = performance.now();
  model.fit(Xtr, ytr);
  const fitTime = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const test = scoreAll(scorers, model, Xte, yte);
  const scoreTime = (performance.now() - t1) / 1000;
  const result: FoldResult<X> = {
    fold,
    trainSize: split.train.length,
    testSize: split.test.length,
    fitTime,
    scoreTime,
    test,
  };
  if (options.returnTrainScore) result.train = scoreAll(scorers, model, Xtr, ytr);
  if (options.returnEstimator) result.estimator = model;
  options.onFold?.(result);
  return result;
}

export function scoreAll<X>(scorers: Scorer[], model: Classifier<X>, X: X, y: Labels): Record<string, number> {
  const p = predictionsOf(model, X, y);
  const out: Record<string, number> = {};
  for (const s of scorers) out[s.name] = s.score(p);
  return out;
}

function summarise<X>(folds: FoldResult<X>[], scorers: Scorer[], withTrain: boolean): CrossValidateResult<X> {
  const names = scorers.map((s) => s.name);
  const testScores: Record<string, Float64Array> = {};
  const trainScores: Record<string, Float64Array> = {};
  const summary: Record<string, MeanStd> = {};
  for (const name of names) {
    testScores[name] = Float64Array.from(folds, (f) => f.test[name]);
    summary[name] = meanStd(testScores[name]);
    if (withTrain) trainScores[name] = Float64Array.from(folds, (f) => f.train![name]);
  }
  return {
    folds,
    scorers: names,
    testScores,
    trainScores: withTrain ? trainScores : undefined,
    fitTime: Float64Array.from(folds, (f) => f.fitTime),
    scoreTime: Float64Array.from(folds, (f) => f.scoreTime),
    summary,
  };
}
