// Batch prediction of a gradient-boosted model for a range of rows: the one loop used both in the
// calling thread and on the ensemble pool's workers, so a row's probabilities are bit-identical
// whichever thread computed them (margins summed in tree order, then the same sigmoid / softmax).
// Shallow trees are padded to complete binary trees (BoostLayout), so a row walks a fixed number
// of levels with children at 2j + 1 / 2j + 2. Each value is first replaced by its rank among the
// thresholds its feature is split at, so a split is an integer comparison done without a branch,
// and eight rows walk a tree side by side.
import { availableParallelism } from 'node:os';
import { matrix, type Matrix } from '../core/matrix.js';
import { allocArray, sharedCopy } from '../core/shared-arrays.js';
import { ensemblePool, runRowJobs } from './ensemble-pool.js';
import type { PackedBoost } from './gradient-boosting.js';

/** Trees deeper than this keep their node form (padding would cost 2^depth nodes per tree). */
const MAX_COMPLETE_DEPTH = 8;
/** Smaller batches walk the packed trees directly unless the layout exists already (a fresh model's per-fold predict). */
const LAYOUT_MIN_ROWS = 20_000;
/** Rows x trees per worker job at least (smaller batches stay on the calling thread: posting costs more). */
const PARALLEL_MIN_WORK = 1_000_000;
/** At most this many worker jobs per batch. */
const MAX_JOBS = 32;

/**
 * A PackedBoost laid out for batch prediction, in shared memory. Complete form: tree t has depth[t]
 * levels; its split nodes start at nodeStart[t] (heap order, 2^depth - 1 of them; a padding node
 * below a leaf sends both ways to copies of that leaf) and its 2^depth leaves at leafStart[t]; a
 * node splits on feature[k] at cuts[cutStart[feature[k]] + thresholdRank[k]] (cuts: each feature's
 * distinct thresholds, ascending). Node form (deep trees): the packed arrays with absolute child
 * indices. missRight is 1 where a missing value goes right.
 */
export interface BoostLayout {
  nTrees: number;
  nOutputs: number;
  nClasses: number;
  baseMargin: number;
  complete: boolean;
  depth: Int32Array;
  nodeStart: Int32Array;
  leafStart: Int32Array;
  feature: Int32Array;
  missRight: Int32Array;
  /** Leaf values (complete form) or node values (node form). */
  value: Float64Array;
  /** Complete form only. */
  thresholdRank: Int32Array;
  cuts: Float64Array;
  cutStart: Int32Array;
  /** Node form only: thresholds, tree roots and children. */
  threshold: Float64Array;
  roots: Int32Array;
  left: Int32Array;
  right: Int32Array;
}

/** A row range to predict on a pool worker; every array lives in a SharedArrayBuffer. */
export interface BoostPredictJob {
  layout: BoostLayout;
  /** Row-major input, already rounded to float32. */
  X: Float32Array;
  nCols: number;
  /** nRows x nClasses probabilities, written for rows [rowStart, rowEnd). */
  out: Float64Array;
  rowStart: number;
  rowEnd: number;
}

/** X rounded to float32 (as every split compares it), in shared memory when workers will read it. */
function float32Rows(X: Float64Array, shared: boolean): Float32Array {
  const x = allocArray(Float32Array, X.length, shared);
  x.set(X);
  return x;
}

// the link functions of every prediction path (batch here, single row in gradient-boosting.ts)
export function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-m));
}

export function softmaxInPlace(a: Float64Array, off: number, k: number): void {
  let mx = -Infinity;
  for (let c = 0; c < k; c++) mx = Math.max(mx, a[off + c]);
  let s = 0;
  for (let c = 0; c < k; c++) {
    a[off + c] = Math.exp(a[off + c] - mx);
    s += a[off + c];
  }
  for (let c = 0; c < k; c++) a[off + c] /= s;
}

/** Leaf value one tree gives the row at data[offset ..] (the packed trees' own walk: right when x >= threshold, NaN by defaultLeft). */
export function treeValue(b: PackedBoost, t: number, data: ArrayLike<number>, offset: number): number {
  const { feature, threshold, defaultLeft, left, right } = b;
  let node = b.roots[t];
  let f = feature[node];
  while (f >= 0) {
    const x = data[offset + f];
    if (x !== x) node = defaultLeft[node] === 1 ? left[node] : right[node];
    else node = Math.fround(x) < threshold[node] ? left[node] : right[node];
    f = feature[node];
  }
  return b.value[node];
}

/** Probabilities from row-major margins (nOut per row; softmax in place) into out's rows from outRow0 on. */
function probaFromMargins(
  margin: Float64Array,
  nOut: number,
  nClasses: number,
  out: Float64Array,
  outRow0: number,
): void {
  const rows = margin.length / nOut;
  for (let r = 0; r < rows; r++) {
    const i = outRow0 + r;
    if (nOut === 1) {
      const p1 = sigmoid(margin[r]);
      out[2 * i] = 1 - p1;
      out[2 * i + 1] = p1;
    } else {
      softmaxInPlace(margin, r * nOut, nOut);
      for (let c = 0; c < nClasses; c++) out[i * nClasses + c] = margin[r * nOut + c];
    }
  }
}

const layouts = new WeakMap<PackedBoost, BoostLayout>();

/** A tree's depth, walked with an explicit stack: a restored (possibly hostile) chain cannot overflow the call stack. */
function treeDepth(b: PackedBoost, root: number): number {
  const nodes = [root];
  const depths = [0];
  let deepest = 0;
  while (nodes.length > 0) {
    const node = nodes.pop() as number;
    const d = depths.pop() as number;
    if (b.feature[node] < 0) {
      if (d > deepest) deepest = d;
      continue;
    }
    nodes.push(b.left[node], b.right[node]);
    depths.push(d + 1, d + 1);
  }
  return deepest;
}

/** The batch layout of a booster, built on first use and kept for the model's lifetime. */
export function boostLayout(b: PackedBoost, nClasses: number): BoostLayout {
  let lay = layouts.get(b);
  if (lay) return lay;
  const T = b.nTrees;
  const depth = allocArray(Int32Array, T, true);
  const nodeStart = allocArray(Int32Array, T + 1, true),
    leafStart = allocArray(Int32Array, T + 1, true);
  for (let t = 0; t < T; t++) depth[t] = treeDepth(b, b.roots[t]);
  const complete =
    depth.every((d) => d <= MAX_COMPLETE_DEPTH) && !b.threshold.some((v, k) => b.feature[k] >= 0 && Number.isNaN(v));
  const none = new Int32Array(0);
  const base = {
    nTrees: T,
    nOutputs: b.nOutputs,
    nClasses,
    baseMargin: b.baseMargin,
    complete,
    depth,
    nodeStart,
    leafStart,
  };
  if (!complete) {
    lay = {
      ...base,
      feature: sharedCopy(b.feature),
      missRight: sharedCopy(Int32Array.from(b.defaultLeft, (d) => (d === 1 ? 0 : 1))),
      value: sharedCopy(b.value),
      thresholdRank: none,
      cuts: new Float64Array(0),
      cutStart: none,
      threshold: sharedCopy(b.threshold),
      roots: sharedCopy(b.roots),
      left: sharedCopy(b.left),
      right: sharedCopy(b.right),
    };
  } else {
    for (let t = 0; t < T; t++) {
      nodeStart[t + 1] = nodeStart[t] + (1 << depth[t]) - 1;
      leafStart[t + 1] = leafStart[t] + (1 << depth[t]);
    }
    const { cuts, cutStart, rankOf } = featureCuts(b);
    const feature = allocArray(Int32Array, nodeStart[T], true),
      thresholdRank = allocArray(Int32Array, nodeStart[T], true);
    const missRight = allocArray(Int32Array, nodeStart[T], true),
      value = allocArray(Float64Array, leafStart[T], true);
    const fill = (t: number, node: number, j: number, d: number): void => {
      if (d === depth[t]) {
        value[leafStart[t] + j - ((1 << d) - 1)] = b.value[node];
        return;
      }
      const at = nodeStart[t] + j;
      if (b.feature[node] < 0) {
        // padding below a leaf: feature 0 is read but both children lead to copies of the leaf
        fill(t, node, 2 * j + 1, d + 1);
        fill(t, node, 2 * j + 2, d + 1);
        return;
      }
      feature[at] = b.feature[node];
      thresholdRank[at] = rankOf(node);
      missRight[at] = b.defaultLeft[node] === 1 ? 0 : 1;
      fill(t, b.left[node], 2 * j + 1, d + 1);
      fill(t, b.right[node], 2 * j + 2, d + 1);
    };
    for (let t = 0; t < T; t++) fill(t, b.roots[t], 0, 0);
    lay = {
      ...base,
      feature,
      missRight,
      value,
      thresholdRank,
      cuts,
      cutStart,
      threshold: new Float64Array(0),
      roots: none,
      left: none,
      right: none,
    };
  }
  layouts.set(b, lay);
  return lay;
}

/** Each feature's distinct split thresholds, ascending, and a node's index among its feature's. */
function featureCuts(b: PackedBoost): { cuts: Float64Array; cutStart: Int32Array; rankOf: (node: number) => number } {
  let nFeat = 0;
  for (let k = 0; k < b.feature.length; k++) nFeat = Math.max(nFeat, b.feature[k] + 1);
  const perFeature: number[][] = Array.from({ length: nFeat }, () => []);
  for (let k = 0; k < b.feature.length; k++) if (b.feature[k] >= 0) perFeature[b.feature[k]].push(b.threshold[k]);
  // -0 and 0 are one threshold (x >= -0 exactly when x >= 0)
  const sorted = perFeature.map((v) => Float64Array.from(new Set(v)).sort());
  const cutStart = allocArray(Int32Array, nFeat + 1, true);
  for (let f = 0; f < nFeat; f++) cutStart[f + 1] = cutStart[f] + sorted[f].length;
  const cuts = allocArray(Float64Array, cutStart[nFeat], true);
  sorted.forEach((v, f) => cuts.set(v, cutStart[f]));
  const rankOf = (node: number): number => {
    const f = b.feature[node];
    return countBelow(cuts, cutStart[f], cutStart[f + 1], b.threshold[node]) - cutStart[f];
  };
  return { cuts, cutStart, rankOf };
}

/** First index in cuts[lo, hi) whose value is >= v (v not NaN). */
function countBelow(cuts: Float64Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rank of each value of rows [i0, i1) among its feature's thresholds: the number of thresholds
 * <= x, or -1 for a missing value. So x >= threshold k exactly when rank > k.
 */
function rowRanks(lay: BoostLayout, X: Float32Array, nCols: number, i0: number, i1: number): Int32Array {
  const R = new Int32Array((i1 - i0) * nCols);
  const { cuts, cutStart } = lay;
  const nFeat = Math.min(cutStart.length - 1, nCols);
  for (let j = 0; j < nFeat; j++) {
    const lo0 = cutStart[j],
      hi0 = cutStart[j + 1];
    if (lo0 === hi0) continue;
    for (let i = i0, at = j; i < i1; i++, at += nCols) {
      const x = X[i * nCols + j];
      if (x !== x) {
        R[at] = -1;
        continue;
      }
      let lo = lo0,
        hi = hi0;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cuts[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      R[at] = lo - lo0;
    }
  }
  return R;
}

/** Margins of rows [i0, i1) (row-major, nOutputs per row), summed in tree order from baseMargin. */
function boostMargins(lay: BoostLayout, X: Float32Array, nCols: number, i0: number, i1: number): Float64Array {
  const margin = new Float64Array((i1 - i0) * lay.nOutputs).fill(lay.baseMargin);
  if (lay.complete) completeTreeMargins(lay, rowRanks(lay, X, nCols, i0, i1), nCols, i1 - i0, margin);
  else nodeTreeMargins(lay, X, nCols, i0, i1, margin);
  return margin;
}

/**
 * Complete form over ranks R of m rows: tree-major (one small tree stays in L1 while the rows
 * stream past), eight rows at a time (independent walks the CPU overlaps). A step goes right (+1)
 * when rank > thresholdRank, or when the value is missing (rank -1) and missing goes right:
 * ((k - r) >>> 31) | ((r >>> 31) & missRight), with no branch to mispredict.
 */
function completeTreeMargins(lay: BoostLayout, R: Int32Array, nCols: number, m: number, margin: Float64Array): void {
  const { feature, thresholdRank: tk, missRight: mr, value } = lay;
  const nOut = lay.nOutputs;
  for (let t = 0; t < lay.nTrees; t++) {
    const D = lay.depth[t],
      ns = lay.nodeStart[t],
      ls = lay.leafStart[t] - ((1 << D) - 1),
      k = t % nOut;
    let i = 0;
    for (; i + 7 < m; i += 8) {
      const o0 = i * nCols,
        o1 = o0 + nCols,
        o2 = o1 + nCols,
        o3 = o2 + nCols;
      const o4 = o3 + nCols,
        o5 = o4 + nCols,
        o6 = o5 + nCols,
        o7 = o6 + nCols;
      let j0 = 0,
        j1 = 0,
        j2 = 0,
        j3 = 0,
        j4 = 0,
        j5 = 0,
        j6 = 0,
        j7 = 0;
      for (let d = 0; d < D; d++) {
        const q0 = ns + j0,
          q1 = ns + j1,
          q2 = ns + j2,
          q3 = ns + j3,
          q4 = ns + j4,
          q5 = ns + j5,
          q6 = ns + j6,
          q7 = ns + j7;
        const r0 = R[o0 + feature[q0]],
          r1 = R[o1 + feature[q1]],
          r2 = R[o2 + feature[q2]],
          r3 = R[o3 + feature[q3]];
        const r4 = R[o4 + feature[q4]],
          r5 = R[o5 + feature[q5]],
          r6 = R[o6 + feature[q6]],
          r7 = R[o7 + feature[q7]];
        j0 = 2 * j0 + 1 + (((tk[q0] - r0) >>> 31) | ((r0 >>> 31) & mr[q0]));
        j1 = 2 * j1 + 1 + (((tk[q1] - r1) >>> 31) | ((r1 >>> 31) & mr[q1]));
        j2 = 2 * j2 + 1 + (((tk[q2] - r2) >>> 31) | ((r2 >>> 31) & mr[q2]));
        j3 = 2 * j3 + 1 + (((tk[q3] - r3) >>> 31) | ((r3 >>> 31) & mr[q3]));
        j4 = 2 * j4 + 1 + (((tk[q4] - r4) >>> 31) | ((r4 >>> 31) & mr[q4]));
        j5 = 2 * j5 + 1 + (((tk[q5] - r5) >>> 31) | ((r5 >>> 31) & mr[q5]));
        j6 = 2 * j6 + 1 + (((tk[q6] - r6) >>> 31) | ((r6 >>> 31) & mr[q6]));
        j7 = 2 * j7 + 1 + (((tk[q7] - r7) >>> 31) | ((r7 >>> 31) & mr[q7]));
      }
      margin[i * nOut + k] += value[ls + j0];
      margin[(i + 1) * nOut + k] += value[ls + j1];
      margin[(i + 2) * nOut + k] += value[ls + j2];
      margin[(i + 3) * nOut + k] += value[ls + j3];
      margin[(i + 4) * nOut + k] += value[ls + j4];
      margin[(i + 5) * nOut + k] += value[ls + j5];
      margin[(i + 6) * nOut + k] += value[ls + j6];
      margin[(i + 7) * nOut + k] += value[ls + j7];
    }
    for (; i < m; i++) {
      const o = i * nCols;
      let j = 0;
      for (let d = 0; d < D; d++) {
        const q = ns + j,
          r = R[o + feature[q]];
        j = 2 * j + 1 + (((tk[q] - r) >>> 31) | ((r >>> 31) & mr[q]));
      }
      margin[i * nOut + k] += value[ls + j];
    }
  }
}

/** Node form (deep trees): right when x >= threshold, or when x is missing and missing goes right. */
function nodeTreeMargins(
  lay: BoostLayout,
  X: Float32Array,
  nCols: number,
  i0: number,
  i1: number,
  margin: Float64Array,
): void {
  const { feature, threshold, missRight, value, left, right } = lay;
  const nOut = lay.nOutputs;
  for (let t = 0; t < lay.nTrees; t++) {
    const root = lay.roots[t],
      k = t % nOut;
    for (let i = i0; i < i1; i++) {
      const off = i * nCols;
      let node = root;
      let f = feature[node];
      while (f >= 0) {
        const x = X[off + f];
        node = x >= threshold[node] || (x !== x && missRight[node] === 1) ? right[node] : left[node];
        f = feature[node];
      }
      margin[(i - i0) * nOut + k] += value[node];
    }
  }
}

/** Class probabilities of rows [i0, i1) of X into out (nClasses per row). */
export function predictBoostRows(
  lay: BoostLayout,
  X: Float32Array,
  nCols: number,
  out: Float64Array,
  i0: number,
  i1: number,
): void {
  probaFromMargins(boostMargins(lay, X, nCols, i0, i1), lay.nOutputs, lay.nClasses, out, i0);
}

/**
 * Batch class probabilities: large batches are split by rows over the ensemble pool's workers once
 * they are running (started here without waiting; until then, and if they cannot start, the
 * calling thread predicts). nJobs caps the threads (default all cores).
 */
export function predictBoostProba(
  b: PackedBoost,
  nClasses: number,
  X: Matrix,
  nJobs: number = availableParallelism(),
): Matrix {
  if (X.nRows < LAYOUT_MIN_ROWS && !layouts.has(b)) return packedBoostProba(b, nClasses, X);
  const lay = boostLayout(b, nClasses);
  const out = matrix(X.nRows, nClasses);
  const jobs = Math.min(nJobs, MAX_JOBS, Math.floor((X.nRows * b.nTrees) / PARALLEL_MIN_WORK));
  const parallel = jobs > 1 && ensemblePool.ready(jobs);
  const x32 = float32Rows(X.data, parallel);
  if (
    parallel &&
    runRowJobs('boost-predict', out.data, X.nRows, jobs, (os, rowStart, rowEnd) => ({
      layout: lay,
      X: x32,
      nCols: X.nCols,
      out: os,
      rowStart,
      rowEnd,
    }))
  )
    return out;
  predictBoostRows(lay, x32, X.nCols, out.data, 0, X.nRows);
  return out;
}

/** Small batches on a model without a layout yet: walk the packed trees directly (building the layout would cost more). */
function packedBoostProba(b: PackedBoost, nClasses: number, X: Matrix): Matrix {
  const nOut = b.nOutputs;
  const margin = new Float64Array(X.nRows * nOut).fill(b.baseMargin);
  for (let t = 0; t < b.nTrees; t++) {
    const k = t % nOut;
    for (let i = 0; i < X.nRows; i++) margin[i * nOut + k] += treeValue(b, t, X.data, i * X.nCols);
  }
  const out = matrix(X.nRows, nClasses);
  probaFromMargins(margin, nOut, nClasses, out.data, 0);
  return out;
}
