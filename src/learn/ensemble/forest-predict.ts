// Batch prediction over a packed forest for a range of rows: the one loop used both in the
// calling thread and on the pool's workers, so a row's probabilities are bit-identical whichever
// thread computed them.
import type { PackedForest } from './random-forest.js';

/** A row range to predict on a pool worker; every array lives in a SharedArrayBuffer. */
export interface PredictJob {
  kind: 'predict';
  forest: PackedForest;
  X: Float64Array;
  nCols: number;
  /** nRows x nClasses, written for rows [rowStart, rowEnd). */
  out: Float64Array;
  rowStart: number;
  rowEnd: number;
}

/** Mean class fractions of rows [i0, i1) of X into out (which must be zero there). */
export function predictForestRows(f: PackedForest, X: Float64Array, nCols: number, out: Float64Array, i0: number, i1: number): void {
  const { roots, feature, threshold, left, right, proba, nClasses: nc, nTrees } = f;
  // tree-major: one tree stays in cache for every row; per-row sums keep tree order
  for (let t = 0; t < nTrees; t++) {
    const root = roots[t];
    for (let i = i0; i < i1; i++) {
      const off = i * nCols;
      let node = root;
      let feat = feature[node];
      while (feat >= 0) {
        node = Math.fround(X[off + feat]) > threshold[node] ? right[node] : left[node];
        feat = feature[node];
      }
      const b = node * nc, ob = i * nc;
      for (let c = 0; c < nc; c++) out[ob + c] += proba[b + c];
    }
  }
  for (let k = i0 * nc, e = i1 * nc; k < e; k++) out[k] /= nTrees;
}
