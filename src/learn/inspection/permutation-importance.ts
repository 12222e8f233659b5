// Permutation feature importance (scikit-learn's permutation_importance): the drop in a score
// when one feature's values are shuffled, nRepeats times. Shuffles use numpy's RandomState
// sequence, so for the same fitted model, seed and data the importances equal scikit-learn's.
import type { Classifier, Labels } from '../core/estimator.js';
import type { Column, Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { NumpyRandomState } from '../model-selection/numpy-random-state.js';
import { predictionsOf, resolveScorers } from '../model-selection/scoring.js';
import type { Scorer, ScoringSpec } from '../model-selection/scoring.js';

export interface PermutationImportanceOptions {
  /** Scorer name(s) or scorers; default 'accuracy' (the classifier's score, as scikit-learn). */
  scoring?: ScoringSpec | readonly ScoringSpec[];
  nRepeats?: number;
  /** numpy RandomState seed, integer in [0, 2^32). Default 0. */
  seed?: number;
}

export interface FeatureImportances {
  /** Score on the unpermuted data. */
  baseline: number;
  /** Per feature: mean over repeats of (baseline - permuted score). */
  importancesMean: Float64Array;
  /** Population std over repeats. */
  importancesStd: Float64Array;
  /** nFeatures x nRepeats. */
  importances: Matrix;
}

export interface PermutationImportanceResult {
  /** Column names for a Frame, "x0", "x1", … for a Matrix. */
  features: string[];
  byScorer: Record<string, FeatureImportances>;
}

export function permutationImportance<X extends Matrix | Frame>(
  estimator: Classifier<X>,
  X: X,
  y: Labels,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1)
    throw new RangeError(`permutationImportance: nRepeats must be an integer >= 1, got ${nRepeats}`);
  if (X.nRows !== y.length)
    throw new RangeError(`permutationImportance: X has ${X.nRows} rows but y has ${y.length} labels`);
  const scorers = resolveScorers(options.scoring);
  const isFrame = 'columns' in X;
  const nFeatures = isFrame ? (X as Frame).columns.length : (X as Matrix).nCols;
  const features = isFrame
    ? (X as Frame).columns.map((c) => c.name)
    : Array.from({ length: nFeatures }, (_, j) => `x${j}`);
  const score = (data: X) => {
    const p = predictionsOf(estimator, data, y);
    return scorers.map((s: Scorer) => s.score(p));
  };
  const baseline = score(X);
  // scikit-learn draws one seed, then replays the same shuffle sequence for every feature.
  const featureSeed = new NumpyRandomState(options.seed ?? 0).interval(0x7fffffff);
  const imps = scorers.map(() => matrix(nFeatures, nRepeats));
  for (let j = 0; j < nFeatures; j++) {
    const rng = new NumpyRandomState(featureSeed);
    const idx = Int32Array.from({ length: X.nRows }, (_, i) => i);
    // As scikit-learn, each repeat shuffles the already-shuffled column again.
    let permuted = X;
    for (let r = 0; r < nRepeats; r++) {
      rng.shuffle(idx);
      permuted = permuteColumn(permuted, j, idx);
      const s = score(permuted);
      scorers.forEach((_, k) => {
        imps[k].data[j * nRepeats + r] = baseline[k] - s[k];
      });
    }
  }
  const byScorer: Record<string, FeatureImportances> = {};
  scorers.forEach((sc, k) => {
    const mean = new Float64Array(nFeatures),
      std = new Float64Array(nFeatures);
    for (let j = 0; j < nFeatures; j++) {
      const row = imps[k].data.subarray(j * nRepeats, (j + 1) * nRepeats);
      const m = row.reduce((a, b) => a + b, 0) / nRepeats;
      mean[j] = m;
      std[j] = Math.sqrt(row.reduce((a, b) => a + (b - m) ** 2, 0) / nRepeats);
    }
    byScorer[sc.name] = { baseline: baseline[k], importancesMean: mean, importancesStd: std, importances: imps[k] };
  });
  return { features, byScorer };
}

/** A copy of X whose column j holds X[idx[i], j] in row i. */
function permuteColumn<X extends Matrix | Frame>(X: X, j: number, idx: Int32Array): X {
  if ('columns' in X) {
    const f = X as Frame;
    const c = f.columns[j];
    let col: Column;
    if (c.kind === 'numeric') col = { ...c, values: Float64Array.from(idx, (i) => c.values[i]) };
    else col = { ...c, codes: Int32Array.from(idx, (i) => c.codes[i]) };
    return { nRows: f.nRows, columns: f.columns.map((x, k) => (k === j ? col : x)) } as Frame as X;
  }
  const m = X as Matrix;
  const data = Float64Array.from(m.data);
  for (let i = 0; i < m.nRows; i++) data[i * m.nCols + j] = m.data[idx[i] * m.nCols + j];
  return matrix(m.nRows, m.nCols, data) as X;
}
