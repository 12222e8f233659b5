// Shared machinery of grid and random search: cross-validate each candidate parameter set,
// rank by the refit metric, and refit the best on all data (scikit-learn's BaseSearchCV).
import type { Classifier, Labels } from '../core/estimator.js';
import type { Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import type { CrossValidateResult } from './cross-validate.js';
import { crossValidate, resolveCv } from './cross-validate.js';
import type { ParamSet } from './param-grid.js';
import type { ScoringSpec } from './scoring.js';
import { resolveScorers } from './scoring.js';
import type { CrossValidator } from './stratified-k-fold.js';

export interface SearchOptions {
  cv?: number | CrossValidator;
  scoring?: ScoringSpec | readonly ScoringSpec[];
  /** Which scorer picks the best candidate (default: the first); false = do not refit. */
  refit?: string | boolean;
  returnTrainScore?: boolean;
  /** Called after each candidate has been cross-validated. */
  onCandidate?: (index: number, params: ParamSet, result: CrossValidateResult<unknown>) => void;
}

export interface CvResults {
  params: ParamSet[];
  meanFitTime: Float64Array;
  stdFitTime: Float64Array;
  meanScoreTime: Float64Array;
  /** Per scorer: mean, population std and rank (1 = best, ties share the lowest rank). */
  meanTestScore: Record<string, Float64Array>;
  stdTestScore: Record<string, Float64Array>;
  rankTestScore: Record<string, Int32Array>;
  /** Per scorer, per split: splitTestScores[name][split][candidate]. */
  splitTestScores: Record<string, Float64Array[]>;
  meanTrainScore?: Record<string, Float64Array>;
}

export interface SearchResult<X> {
  cvResults: CvResults;
  bestIndex: number;
  bestParams: ParamSet;
  bestScore: number;
  /** Fitted on all of X with bestParams (absent when refit = false). */
  bestEstimator?: Classifier<X>;
  refitTime?: number;
  scorers: string[];
}

export function runSearch<X extends Matrix | Frame>(
  estimator: Classifier<X>,
  X: X,
  y: Labels,
  candidates: ParamSet[],
  options: SearchOptions,
): SearchResult<X> {
  if (candidates.length === 0) throw new RangeError('search: no candidate parameter sets');
  const scorers = resolveScorers(options.scoring);
  const names = scorers.map((s) => s.name);
  const refitName = typeof options.refit === 'string' ? options.refit : names[0];
  if (!names.includes(refitName)) {
    throw new RangeError(`search: refit "${refitName}" is not one of the scorers (${names.join(', ')})`);
  }
  const cv = resolveCv(options.cv);
  const results = candidates.map((params, i) => {
    const model = estimator.clone().setParams(params);
    const r = crossValidate(model, X, y, { cv, scoring: scorers, returnTrainScore: options.returnTrainScore });
    options.onCandidate?.(i, params, r);
    return r;
  });
  const cvResults = tabulate(candidates, results, names, cv.nSplits, options.returnTrainScore === true);
  const mean = cvResults.meanTestScore[refitName];
  const bestIndex = argmaxFirst(mean);
  const out: SearchResult<X> = {
    cvResults,
    bestIndex,
    bestParams: candidates[bestIndex],
    bestScore: mean[bestIndex],
    scorers: names,
  };
  if (options.refit !== false) {
    const t0 = performance.now();
    out.bestEstimator = estimator.clone().setParams(candidates[bestIndex]).fit(X, y);
    out.refitTime = (performance.now() - t0) / 1000;
  }
  return out;
}

function tabulate<X>(
  params: ParamSet[],
  results: CrossValidateResult<X>[],
  names: string[],
  nSplits: number,
  withTrain: boolean,
): CvResults {
  const n = params.length;
  const per = (f: (r: CrossValidateResult<X>) => number) => Float64Array.from(results, f);
  const cv: CvResults = {
    params,
    meanFitTime: per((r) => mean(r.fitTime)),
    stdFitTime: per((r) => std(r.fitTime)),
    meanScoreTime: per((r) => mean(r.scoreTime)),
    meanTestScore: {},
    stdTestScore: {},
    rankTestScore: {},
    splitTestScores: {},
  };
  if (withTrain) cv.meanTrainScore = {};
  for (const name of names) {
    cv.meanTestScore[name] = per((r) => r.summary[name].mean);
    cv.stdTestScore[name] = per((r) => r.summary[name].std);
    cv.rankTestScore[name] = rankDescending(cv.meanTestScore[name]);
    cv.splitTestScores[name] = Array.from({ length: nSplits }, (_, s) =>
      Float64Array.from({ length: n }, (_, c) => results[c].testScores[name][s]),
    );
    if (withTrain) cv.meanTrainScore![name] = per((r) => mean(r.trainScores![name]));
  }
  return cv;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function std(a: ArrayLike<number>): number {
  const m = mean(a);
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
  return Math.sqrt(v / a.length);
}

/** Rank 1 = highest; ties share the minimum rank; NaN ranks last. */
export function rankDescending(values: Float64Array): Int32Array {
  const key = (v: number) => (Number.isNaN(v) ? -Infinity : v);
  const order = Array.from(values.keys()).sort((a, b) => key(values[b]) - key(values[a]));
  const ranks = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) {
    const prev = order[i - 1];
    ranks[order[i]] = i > 0 && key(values[order[i]]) === key(values[prev]) ? ranks[prev] : i + 1;
  }
  return ranks;
}

/** Index of the first maximum, skipping NaN. */
export function argmaxFirst(values: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    if (best < 0 || values[i] > values[best]) best = i;
  }
  if (best < 0) throw new Error('search: every candidate scored NaN');
  return best;
}
