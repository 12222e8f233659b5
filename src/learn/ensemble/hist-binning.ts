// Quantile binning for histogram boosting (XGBoost's hist method): each feature's float32 values
// get at most min(maxBin, 256) - 1 value bins (codes fit one byte together with the missing
// code) whose upper bounds ("cuts") follow XGBoost's layout —
// cut[b] is the smallest value of bin b + 1, the last cut sits above the maximum — and a value
// x falls in the first bin whose cut is > x. Missing values (NaN) get one extra bin per feature.
import type { Matrix } from '../core/matrix.js';

export interface BinCuts {
  nFeatures: number;
  /** cuts of feature f are cuts[offsets[f] .. offsets[f + 1]) (float32 values, ascending). */
  cuts: Float64Array;
  offsets: Int32Array;
}

/** Value-bin count of feature f; the missing bin is index binCount(f). */
export function binCount(c: BinCuts, f: number): number {
  return c.offsets[f + 1] - c.offsets[f];
}

/**
 * Cut points per feature: all distinct values when they fit, otherwise values at evenly spaced
 * ranks of the sorted column (an exact quantile summary with equal row weights).
 */
export function computeCuts(X: Matrix, maxBin: number): BinCuts {
  const { nRows: n, nCols: nF, data } = X;
  const maxValueBins = Math.min(maxBin, 256) - 1; // one byte per cell, the last code is "missing"
  const perFeature: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let f = 0; f < nF; f++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * nF + f];
      if (v === v) col[m++] = Math.fround(v);
    }
    // few distinct values (one-hot, flags): collect them without sorting the column
    const seen = new Set<number>();
    for (let i = 0; i < m && seen.size <= maxValueBins; i++) seen.add(col[i]);
    let points: number[];
    if (seen.size <= maxValueBins) {
      points = Array.from(seen).sort((a, b) => a - b);
    } else {
      // rank-spaced summary over all (non-distinct) values, then deduplicated
      const all = col.subarray(0, m).slice().sort();
      points = [];
      for (let b = 0; b < maxValueBins; b++) {
        const v = all[Math.min(m - 1, Math.floor((b * m) / maxValueBins))];
        if (points.length === 0 || v > points[points.length - 1]) points.push(v);
      }
    }
    const cuts: number[] = [];
    for (let i = 1; i < points.length; i++) cuts.push(points[i]);
    if (points.length > 0) {
      const last = points[points.length - 1];
      cuts.push(Math.fround(last + (Math.abs(last) + 1e-5)));
    }
    perFeature.push(Float64Array.from(cuts));
  }
  const offsets = new Int32Array(nF + 1);
  for (let f = 0; f < nF; f++) offsets[f + 1] = offsets[f] + perFeature[f].length;
  const cuts = new Float64Array(offsets[nF]);
  for (let f = 0; f < nF; f++) cuts.set(perFeature[f], offsets[f]);
  return { nFeatures: nF, cuts, offsets };
}

/** Column-major bin codes: bins[f * nRows + i]; NaN maps to binCount(f). */
export function binMatrix(X: Matrix, c: BinCuts): Uint8Array {
  const { nRows: n, nCols: nF, data } = X;
  const bins = new Uint8Array(n * nF);
  for (let f = 0; f < nF; f++) {
    const off = c.offsets[f], nb = c.offsets[f + 1] - off, base = f * n;
    for (let i = 0; i < n; i++) {
      const v = data[i * nF + f];
      if (v !== v) { bins[base + i] = nb; continue; }
      const x = Math.fround(v);
      // first cut > x (upper_bound)
      let lo = 0, hi = nb;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.cuts[off + mid] > x) hi = mid; else lo = mid + 1;
      }
      bins[base + i] = lo >= nb ? nb - 1 : lo;
    }
  }
  return bins;
}
