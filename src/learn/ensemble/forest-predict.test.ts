// The batch layout (breadth-first, self-looping leaves, eight rows per walk, rows reordered by
// leaf) must give exactly what the plain per-tree walk gives: leafIndex on each FlatTree, class
// fractions summed in tree order, then divided by the number of trees.
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { DecisionTreeClassifier } from '../tree/decision-tree.js';
import { leafIndex, type FlatTree } from '../tree/flat-tree.js';
import { buildForestLayout, layoutPays, predictForestRows } from './forest-predict.js';
import { packForest, RandomForestClassifier, type PackedForest } from './random-forest.js';

/** The packed forest's trees as FlatTrees again (local child indices), for leafIndex. */
function unpack(f: PackedForest): FlatTree[] {
  const total = f.feature.length,
    nc = f.nClasses;
  return Array.from(f.roots, (root, t) => {
    const end = t + 1 < f.nTrees ? f.roots[t + 1] : total,
      n = end - root;
    const local = (a: Int32Array) => Int32Array.from(a.subarray(root, end), (c) => (c < 0 ? c : c - root));
    return {
      nodeCount: n,
      nClasses: nc,
      feature: f.feature.slice(root, end),
      threshold: f.threshold.slice(root, end),
      left: local(f.left),
      right: local(f.right),
      value: f.proba.slice(root * nc, end * nc),
      impurity: new Float64Array(n),
      nNodeSamples: new Int32Array(n),
      weightedNNodeSamples: new Float64Array(n),
    };
  });
}

/** Reference: per-tree leafIndex walk, sums in tree order, / nTrees. */
function reference(f: PackedForest, X: Matrix): Float64Array {
  const trees = unpack(f),
    nc = f.nClasses;
  const out = new Float64Array(X.nRows * nc);
  for (let i = 0; i < X.nRows; i++) {
    for (const tree of trees) {
      const leaf = leafIndex(tree, X.data, i * X.nCols);
      for (let c = 0; c < nc; c++) out[i * nc + c] += tree.value[leaf * nc + c];
    }
    for (let c = 0; c < nc; c++) out[i * nc + c] /= f.nTrees;
  }
  return out;
}

function expectBitIdentical(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  let bad = -1;
  for (let k = 0; k < a.length && bad < 0; k++) if (!Object.is(a[k], b[k])) bad = k;
  expect(bad === -1 ? 'identical' : `differs at ${bad}: ${a[bad]} vs ${b[bad]}`).toBe('identical');
}

/** Few distinct values per column (ties), ~10% NaN; labels from a noisy rule over nClasses. */
function trainingData(seed: number, n: number, nCols: number, nClasses: number) {
  const rng = new Rng(seed);
  const X = matrix(n, nCols);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nCols; j++) {
      X.data[i * nCols + j] =
        rng.random() < 0.1 ? NaN : j % 2 === 0 ? Math.floor(rng.random() * 7) * 0.1 : rng.normal() * 3;
    }
    const a = X.data[i * nCols],
      b = X.data[i * nCols + 1];
    const s = (Number.isNaN(a) ? 0.3 : a) + 0.2 * (Number.isNaN(b) ? -1 : b) + 0.3 * rng.normal();
    y[i] = Math.min(nClasses - 1, Math.max(0, Math.floor(s * nClasses)));
  }
  return { X, y };
}

/** Rows made of each column's thresholds, their float32 neighbours, NaN, ±Infinity and -0. */
function thresholdRows(f: PackedForest, nCols: number, n: number, seed: number): Matrix {
  const cand: number[][] = Array.from({ length: nCols }, () => [NaN, Infinity, -Infinity, -0, 0]);
  for (let k = 0; k < f.feature.length; k++) {
    const j = f.feature[k];
    if (j < 0) continue;
    const t = f.threshold[k],
      r = Math.fround(t);
    const up = new Float32Array([r]),
      bits = new Int32Array(up.buffer);
    bits[0] += 1;
    const next = up[0];
    bits[0] -= 2;
    const prev = up[0];
    cand[j].push(t, r, next, prev);
  }
  const rng = new Rng(seed);
  const X = matrix(n, nCols);
  for (let i = 0; i < n; i++) for (let j = 0; j < nCols; j++) X.data[i * nCols + j] = cand[j][rng.int(cand[j].length)];
  return X;
}

/** Trees fitted on bootstrap samples, packed as the forest does. */
function fittedForest(seed: number, nTrees: number, nCols: number, nClasses: number) {
  const { X, y } = trainingData(seed, 400, nCols, nClasses);
  const rng = new Rng(seed + 1);
  const trees: FlatTree[] = [];
  for (let t = 0; t < nTrees; t++) {
    const Xb = matrix(X.nRows, nCols),
      yb = new Float64Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      const r = rng.int(X.nRows);
      Xb.data.set(X.data.subarray(r * nCols, r * nCols + nCols), i * nCols);
      yb[i] = y[r];
    }
    // keep every class present so all trees have the same nClasses
    for (let c = 0; c < nClasses; c++) yb[c] = c;
    trees.push(new DecisionTreeClassifier({ maxFeatures: 'sqrt', seed: t }).fit(Xb, yb).tree_!);
  }
  return packForest(trees, nClasses);
}

function predictRange(
  f: PackedForest,
  X: Matrix,
  i0: number,
  i1: number,
  x: Float64Array | Float32Array = X.data,
): Float64Array {
  const out = new Float64Array(X.nRows * f.nClasses);
  predictForestRows(f, x, X.nCols, out, i0, i1);
  return out.slice(i0 * f.nClasses, i1 * f.nClasses);
}

describe('forest batch prediction layout', () => {
  for (const nClasses of [2, 3]) {
    it(`equals the per-tree leafIndex walk bit for bit (${nClasses} classes, NaN, ties at thresholds)`, () => {
      const f = fittedForest(11 + nClasses, 17, 7, nClasses);
      const X = thresholdRows(f, 7, 3001, 5);
      const ref = reference(f, X);
      const nc = nClasses;
      // fresh object each time: no cached layout, so small ranges take the packed path (layoutPays)
      expect([layoutPays(f, 7), layoutPays(f, 3001)]).toEqual([false, true]);
      for (const [i0, i1] of [
        [0, 3001],
        [13, 2990],
        [100, 107],
        [5, 6],
        [0, 255],
        [0, 256],
        [7, 270],
      ]) {
        expectBitIdentical(predictRange({ ...f }, X, i0, i1), ref.slice(i0 * nc, i1 * nc));
      }
      // the cached layout (small ranges then walk it too) and float32 input
      for (const [i0, i1] of [
        [0, 3001],
        [100, 107],
        [2999, 3001],
      ])
        expectBitIdentical(predictRange(f, X, i0, i1), ref.slice(i0 * nc, i1 * nc));
      expectBitIdentical(predictRange(f, X, 0, 3001, new Float32Array(X.data)), ref);
    });
  }

  it('handles one-leaf trees, any node order and extreme thresholds', () => {
    const tree = (
      feature: number[],
      threshold: number[],
      left: number[],
      right: number[],
      value: number[],
    ): FlatTree => {
      const n = feature.length;
      return {
        nodeCount: n,
        nClasses: 2,
        feature: Int32Array.from(feature),
        threshold: Float64Array.from(threshold),
        left: Int32Array.from(left),
        right: Int32Array.from(right),
        value: Float64Array.from(value),
        impurity: new Float64Array(n),
        nNodeSamples: new Int32Array(n),
        weightedNNodeSamples: new Float64Array(n),
      };
    };
    const trees = [
      tree([-1], [0], [-1], [-1], [3, 1]),
      // children stored after their subtrees, right before left: 0 -> (4, 1); 1 -> (3, 2)
      tree(
        [1, 0, -1, -1, -1],
        [0.5, -Infinity, 0, 0, 0],
        [4, 3, -1, -1, -1],
        [1, 2, -1, -1, -1],
        [5, 5, 2, 1, 0, 4, 1, 3, 2, 7],
      ),
      tree(
        [0, -1, 1, -1, -1],
        [Number.MAX_VALUE, 0, 1e-40, 0, 0],
        [1, -1, 3, -1, -1],
        [2, -1, 4, -1, -1],
        [1, 1, 1, 2, 3, 0, 0, 3, 1, 1],
      ),
    ];
    const f = packForest(trees, 2);
    const vals = [
      NaN,
      -Infinity,
      Infinity,
      -0,
      0,
      0.5,
      Math.fround(0.5),
      1e-40,
      Math.fround(1e-40),
      1e-45,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
    ];
    const X = matrix(vals.length ** 2, 2);
    vals.forEach((a, p) =>
      vals.forEach((b, q) => {
        X.data[(p * vals.length + q) * 2] = a;
        X.data[(p * vals.length + q) * 2 + 1] = b;
      }),
    );
    const ref = reference(f, X);
    expectBitIdentical(predictRange({ ...f }, X, 0, X.nRows), ref);
    expectBitIdentical(predictRange({ ...f, layout: buildForestLayout(f) }, X, 0, X.nRows), ref);
  });

  it('worker-thread batches equal the per-tree walk bit for bit', () => {
    const { X, y } = trainingData(3, 500, 6, 3);
    const m = new RandomForestClassifier({ nEstimators: 12, seed: 4, nJobs: 2 }).fit(X, y);
    const f = m.forest_!;
    const big = thresholdRows(f, 6, 400_003, 9); // rows x trees above the threshold for worker prediction
    const ref = reference(f, big);
    expectBitIdentical(m.predictProba(big).data, ref);
    expectBitIdentical(m.predictProba(big).data, ref); // shared layout reused
    expectBitIdentical(m.setParams({ nJobs: 1 }).predictProba(big).data, ref);
  });
});
