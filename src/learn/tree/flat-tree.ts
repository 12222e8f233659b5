// A fitted tree as parallel typed arrays, so prediction is an index loop with no objects.
// Node 0 is the root; a leaf has feature -1. A row goes left when !(fround(x) > threshold): the
// value is rounded to float32 first, as scikit-learn casts X to float32 (thresholds are float32
// midpoints), and NaN goes left (the builder ranks NaN below every value).
import { checkTreeNodes, type StateReader } from '../core/restore-check.js';
import { encodeFloat64, encodeInt32 } from '../core/serialization.js';

export interface FlatTree {
  readonly nodeCount: number;
  readonly nClasses: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** nodeCount x nClasses weighted class totals of the training rows reaching each node. */
  readonly value: Float64Array;
  readonly impurity: Float64Array;
  readonly nNodeSamples: Int32Array;
  readonly weightedNNodeSamples: Float64Array;
}

export const LEAF = -1;

/** Index of the leaf that `row` (values at row[offset + j]) reaches. */
export function leafIndex(tree: FlatTree, row: ArrayLike<number>, offset: number): number {
  const { feature, threshold, left, right } = tree;
  let node = 0;
  let f = feature[0];
  while (f !== LEAF) {
    node = Math.fround(row[offset + f]) > threshold[node] ? right[node] : left[node];
    f = feature[node];
  }
  return node;
}

/** scikit-learn's impurity-based importances: weighted impurity decrease per feature, normalised. */
export function treeFeatureImportances(tree: FlatTree, nFeatures: number): Float64Array {
  const imp = new Float64Array(nFeatures);
  const { feature, left, right, impurity, weightedNNodeSamples: w } = tree;
  for (let i = 0; i < tree.nodeCount; i++) {
    if (feature[i] === LEAF) continue;
    const l = left[i],
      r = right[i];
    imp[feature[i]] += w[i] * impurity[i] - w[l] * impurity[l] - w[r] * impurity[r];
  }
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    imp[f] /= w[0];
    total += imp[f];
  }
  if (total > 0) for (let f = 0; f < nFeatures; f++) imp[f] /= total;
  return imp;
}

export interface SerializedFlatTree {
  nodeCount: number;
  nClasses: number;
  feature: string;
  threshold: string;
  left: string;
  right: string;
  value: string;
  impurity: string;
  nNodeSamples: string;
  weightedNNodeSamples: string;
}

export function serializeFlatTree(t: FlatTree): SerializedFlatTree {
  return {
    nodeCount: t.nodeCount,
    nClasses: t.nClasses,
    feature: encodeInt32(t.feature),
    threshold: encodeFloat64(t.threshold),
    left: encodeInt32(t.left),
    right: encodeInt32(t.right),
    value: encodeFloat64(t.value),
    impurity: encodeFloat64(t.impurity),
    nNodeSamples: encodeInt32(t.nNodeSamples),
    weightedNNodeSamples: encodeFloat64(t.weightedNNodeSamples),
  };
}

/** Restores a tree, checked: array lengths, node order, feature indices, thresholds, leaf totals (restore-check.ts). */
export function deserializeFlatTree(r: StateReader, nClasses: number, nFeatures: number): FlatTree {
  const nodeCount = r.int('nodeCount', 1, 2 ** 30);
  if (r.int('nClasses', 1, 2 ** 20) !== nClasses) r.fail('nClasses', `must equal the number of classes (${nClasses})`);
  const t: FlatTree = {
    nodeCount,
    nClasses,
    feature: r.int32('feature', nodeCount),
    threshold: r.float64('threshold', nodeCount),
    left: r.int32('left', nodeCount),
    right: r.int32('right', nodeCount),
    value: r.finite64('value', nodeCount * nClasses),
    impurity: r.finite64('impurity', nodeCount),
    nNodeSamples: r.int32('nNodeSamples', nodeCount),
    weightedNNodeSamples: r.finite64('weightedNNodeSamples', nodeCount),
  };
  checkTreeNodes(r, t, 0, nodeCount, nFeatures);
  checkLeafTotals(r, 'value', t.feature, t.value, nClasses, 0, nodeCount);
  return t;
}

/** Each leaf's class totals (or fractions) are >= 0 with a positive finite sum, so they normalise to probabilities. */
export function checkLeafTotals(
  r: StateReader,
  key: string,
  feature: Int32Array,
  value: Float64Array,
  nc: number,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    if (feature[i] !== LEAF) continue;
    let total = 0;
    for (let c = 0; c < nc; c++) {
      const v = value[i * nc + c];
      if (!(v >= 0)) r.fail(key, `: leaf ${i} has class value ${v}, below 0`);
      total += v;
    }
    if (!(total > 0 && Number.isFinite(total)))
      r.fail(key, `: leaf ${i} has class total ${total}, not a positive finite number`);
  }
}
