// Batch prediction over a packed forest for a range of rows: the one loop used both in the
// calling thread and on the pool's workers, so a row's probabilities are bit-identical whichever
// thread computed them.
//
// Large batches walk a ForestLayout: each tree breadth-first with the two children of a node
// adjacent (right = left + 1) and every leaf pointing at itself with threshold +Infinity, so one
// step is `node = child[node] + (x > threshold)` for split and leaf alike, without a branch. Eight
// rows walk a tree side by side, two steps per check, until none of them moves, so the mispredicted
// branch per split becomes one loop exit per tree and block of eight rows. A row goes left when !(x > threshold) with
// x rounded to float32 (NaN compares false: left; a leaf stays put), as in the per-tree walk.
// Rows are first ordered by the leaves they reach in the first trees, so the rows of a block tend
// to follow similar paths (and stop at similar depths); each row's sum still runs in tree order.
import { allocArray } from '../core/shared-arrays.js';
import type { PackedForest } from './random-forest.js';

/** A row range to predict on a pool worker; every array lives in a SharedArrayBuffer. */
export interface PredictJob {
  forest: PackedForest;
  X: Float64Array;
  nCols: number;
  /** nRows x nClasses, written for rows [rowStart, rowEnd). */
  out: Float64Array;
  rowStart: number;
  rowEnd: number;
}

/**
 * A PackedForest re-laid out for branch-free batch walks. Tree t's nodes are
 * [roots[t], roots[t + 1]) (the last tree ends at feature.length), breadth-first; a split's
 * children are child[k] (left) and child[k] + 1 (right); a leaf has child[k] = k, feature 0 and
 * threshold +Infinity. proba holds each node's class fractions, in layout order.
 */
export interface ForestLayout {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  child: Int32Array;
  proba: Float64Array;
}

/** Trees whose leaves order the rows before the blocked walk. */
const SORT_TREES = 2;

/** Builds the layout of f (in shared memory when workers will read it). */
export function buildForestLayout(f: PackedForest, shared = false): ForestLayout {
  const { nTrees, nClasses: nc } = f;
  const total = f.feature.length;
  const L: ForestLayout = {
    roots: allocArray(Int32Array, nTrees, shared),
    feature: allocArray(Int32Array, total, shared),
    threshold: allocArray(Float64Array, total, shared),
    child: allocArray(Int32Array, total, shared),
    proba: allocArray(Float64Array, total * nc, shared),
  };
  const queue = new Int32Array(total);
  let pos = 0;
  for (let t = 0; t < nTrees; t++) {
    L.roots[t] = pos;
    let head = 0,
      tail = 0,
      next = pos + 1;
    queue[tail++] = f.roots[t];
    while (head < tail) {
      const o = queue[head++],
        k = pos++;
      for (let c = 0; c < nc; c++) L.proba[k * nc + c] = f.proba[o * nc + c];
      if (f.feature[o] < 0) {
        L.feature[k] = 0;
        L.threshold[k] = Infinity;
        L.child[k] = k;
      } else {
        L.feature[k] = f.feature[o];
        L.threshold[k] = f.threshold[o];
        L.child[k] = next;
        next += 2;
        queue[tail++] = f.left[o];
        queue[tail++] = f.right[o];
      }
    }
  }
  if (pos !== total) throw new Error(`forest layout: ${total - pos} nodes unreachable from the tree roots`);
  return L;
}

/** Layouts built in this thread, for the forests it predicts with (a worker's copy carries its own). */
const layouts = new WeakMap<PackedForest, ForestLayout>();

/**
 * Whether walking nRows rows pays for building the layout: the build costs some 40 ns per node,
 * the layout walk saves some 3 ns per row and tree (single one-off batches, e.g. a fresh model's
 * test fold, stay on the packed walk).
 */
export function layoutPays(f: PackedForest, nRows: number): boolean {
  return nRows * f.nTrees >= 4 * f.feature.length;
}

/** Mean class fractions of rows [i0, i1) of X into out (which must be zero there). */
export function predictForestRows(
  f: PackedForest,
  X: Float64Array | Float32Array,
  nCols: number,
  out: Float64Array,
  i0: number,
  i1: number,
): void {
  let L = f.layout ?? layouts.get(f);
  if (!L && layoutPays(f, i1 - i0)) {
    L = buildForestLayout(f);
    layouts.set(f, L);
  }
  if (L) predictLayoutRows(f, L, X, nCols, out, i0, i1);
  else predictPackedRows(f, X, nCols, out, i0, i1);
}

/** The per-tree walk over the packed arrays, tree-major. */
function predictPackedRows(
  f: PackedForest,
  X: Float64Array | Float32Array,
  nCols: number,
  out: Float64Array,
  i0: number,
  i1: number,
): void {
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
      const b = node * nc,
        ob = i * nc;
      for (let c = 0; c < nc; c++) out[ob + c] += proba[b + c];
    }
  }
  for (let k = i0 * nc, e = i1 * nc; k < e; k++) out[k] /= nTrees;
}

function predictLayoutRows(
  f: PackedForest,
  L: ForestLayout,
  X: Float64Array | Float32Array,
  nCols: number,
  out: Float64Array,
  i0: number,
  i1: number,
): void {
  const { nClasses: nc, nTrees } = f;
  const { roots, feature, threshold, child, proba } = L;
  const n = i1 - i0;
  if (n <= 0) return;
  const total = feature.length;
  // order the rows by the leaves of the first trees (stable counting sorts, last key first)
  const nKeys = Math.min(SORT_TREES, nTrees);
  const leaves: Int32Array[] = [];
  let perm = new Int32Array(n);
  for (let j = 0; j < n; j++) perm[j] = j;
  let spare = new Int32Array(n);
  for (let t = nKeys - 1; t >= 0; t--) {
    const root = roots[t],
      end = t + 1 < nTrees ? roots[t + 1] : total;
    const leaf = new Int32Array(n);
    const count = new Int32Array(end - root + 1);
    for (let j = 0; j < n; j++) {
      const off = (i0 + j) * nCols;
      let node = root;
      for (;;) {
        const c = child[node];
        if (c === node) break;
        node = Math.fround(X[off + feature[node]]) > threshold[node] ? c + 1 : c;
      }
      leaf[j] = node;
      count[node - root + 1]++;
    }
    for (let k = 1; k < count.length; k++) count[k] += count[k - 1];
    for (let j = 0; j < n; j++) {
      const r = perm[j];
      spare[count[leaf[r] - root]++] = r;
    }
    const p = perm;
    perm = spare;
    spare = p;
    leaves[t] = leaf;
  }
  // the rows in that order as float32 (what every split compares), and their sums so far
  const x = new Float32Array(n * nCols);
  const acc = new Float64Array(n * nc);
  for (let j = 0; j < n; j++) {
    const r = perm[j];
    const src = (i0 + r) * nCols,
      dst = j * nCols;
    for (let c = 0; c < nCols; c++) x[dst + c] = X[src + c];
    for (let t = 0; t < nKeys; t++) {
      const b = leaves[t][r] * nc;
      for (let c = 0; c < nc; c++) acc[j * nc + c] += proba[b + c];
    }
  }
  const nBlocked = n - (n % 8);
  for (let t = nKeys; t < nTrees; t++) {
    const root = roots[t];
    let j = 0;
    for (; j < nBlocked; j += 8) {
      const o0 = j * nCols;
      const o1 = o0 + nCols;
      const o2 = o1 + nCols;
      const o3 = o2 + nCols;
      const o4 = o3 + nCols;
      const o5 = o4 + nCols;
      const o6 = o5 + nCols;
      const o7 = o6 + nCols;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let n4 = root;
      let n5 = root;
      let n6 = root;
      let n7 = root;
      // +(a > b) compiles to a flag move (a `? 1 : 0` ternary to a branch); two steps per check
      for (;;) {
        n0 = child[n0] + +(x[o0 + feature[n0]] > threshold[n0]);
        n1 = child[n1] + +(x[o1 + feature[n1]] > threshold[n1]);
        n2 = child[n2] + +(x[o2 + feature[n2]] > threshold[n2]);
        n3 = child[n3] + +(x[o3 + feature[n3]] > threshold[n3]);
        n4 = child[n4] + +(x[o4 + feature[n4]] > threshold[n4]);
        n5 = child[n5] + +(x[o5 + feature[n5]] > threshold[n5]);
        n6 = child[n6] + +(x[o6 + feature[n6]] > threshold[n6]);
        n7 = child[n7] + +(x[o7 + feature[n7]] > threshold[n7]);
        const m0 = child[n0] + +(x[o0 + feature[n0]] > threshold[n0]);
        const m1 = child[n1] + +(x[o1 + feature[n1]] > threshold[n1]);
        const m2 = child[n2] + +(x[o2 + feature[n2]] > threshold[n2]);
        const m3 = child[n3] + +(x[o3 + feature[n3]] > threshold[n3]);
        const m4 = child[n4] + +(x[o4 + feature[n4]] > threshold[n4]);
        const m5 = child[n5] + +(x[o5 + feature[n5]] > threshold[n5]);
        const m6 = child[n6] + +(x[o6 + feature[n6]] > threshold[n6]);
        const m7 = child[n7] + +(x[o7 + feature[n7]] > threshold[n7]);
        const moved = (m0 ^ n0) | (m1 ^ n1) | (m2 ^ n2) | (m3 ^ n3) | (m4 ^ n4) | (m5 ^ n5) | (m6 ^ n6) | (m7 ^ n7);
        n0 = m0;
        n1 = m1;
        n2 = m2;
        n3 = m3;
        n4 = m4;
        n5 = m5;
        n6 = m6;
        n7 = m7;
        if (moved === 0) break;
      }
      const b = j * nc;
      for (let c = 0; c < nc; c++) {
        acc[b + c] += proba[n0 * nc + c];
        acc[b + 1 * nc + c] += proba[n1 * nc + c];
        acc[b + 2 * nc + c] += proba[n2 * nc + c];
        acc[b + 3 * nc + c] += proba[n3 * nc + c];
        acc[b + 4 * nc + c] += proba[n4 * nc + c];
        acc[b + 5 * nc + c] += proba[n5 * nc + c];
        acc[b + 6 * nc + c] += proba[n6 * nc + c];
        acc[b + 7 * nc + c] += proba[n7 * nc + c];
      }
    }
    for (; j < n; j++) {
      const off = j * nCols;
      let node = root;
      for (;;) {
        const c = child[node];
        if (c === node) break;
        node = x[off + feature[node]] > threshold[node] ? c + 1 : c;
      }
      const b = node * nc;
      for (let c = 0; c < nc; c++) acc[j * nc + c] += proba[b + c];
    }
  }
  for (let j = 0; j < n; j++) {
    const ob = (i0 + perm[j]) * nc;
    for (let c = 0; c < nc; c++) out[ob + c] = acc[j * nc + c] / nTrees;
  }
}
