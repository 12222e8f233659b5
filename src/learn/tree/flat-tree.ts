// A fitted tree as parallel typed arrays, so prediction is an index loop with no objects.
// Node 0 is the root; a leaf has feature -1. A row goes left when !(fround(x) > threshold): the
// value is rounded to float32 first, as scikit-learn casts X to float32 (thresholds are float32
// midpoints), and NaN goes left (the builder ranks NaN below every value).
import { decodeFloat64, decodeInt32, encodeFloat64, encodeInt32 } from '../core/serialization.js';

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
    const l = left[i], r = right[i];
    imp[feature[i]] += w[i] * impurity[i] - w[l] * impurity[l] - w[r] * impurity[r];
  }
  let total = 0;
  for (let f = 0; f < nFeatures; f++) { imp[f] /= w[0]; total += imp[f]; }
  if (total > 0) for (let f = 0; f < nFeatures; f++) imp[f] /= total;
  return imp;
}

export interface SerializedFlatTree {
  nodeCount: number; nClasses: number;
  feature: string; threshold: string; left: string; right: string; value: string;
  impurity: string; nNodeSamples: string; weightedNNodeSamples: string;
}

export function serializeFlatTree(t: FlatTree): SerializedFlatTree {
  return {
    nodeCount: t.nodeCount, nClasses: t.nClasses,
    feature: encodeInt32(t.feature), threshold: encodeFloat64(t.threshold),
    left: encodeInt32(t.left), right: encodeInt32(t.right), value: encodeFloat64(t.value),
    impurity: encodeFloat64(t.impurity), nNodeSamples: encodeInt32(t.nNodeSamples),
    weightedNNodeSamples: encodeFloat64(t.weightedNNodeSamples),
  };
}

export function deserializeFlatTree(s: SerializedFlatTree): FlatTree {
  return {
    nodeCount: s.nodeCount, nClasses: s.nClasses,
    feature: decodeInt32(s.feature), threshold: decodeFloat64(s.threshold),
    left: decodeInt32(s.left), right: decodeInt32(s.right), value: decodeFloat64(s.value),
    impurity: decodeFloat64(s.impurity), nNodeSamples: decodeInt32(s.nNodeSamples),
    weightedNNodeSamples: decodeFloat64(s.weightedNNodeSamples),
  };
}
