// Depth-first best-split tree growth with scikit-learn's semantics (sklearn/tree/_splitter.pyx
// BestSplitter, _criterion.pyx Gini/Entropy, _tree.pyx DepthFirstTreeBuilder): features are drawn
// with sklearn's rand_r stream and constant-feature bookkeeping, the first strictly best split
// wins, thresholds sit at float32 midpoints, nodes are numbered in sklearn's order (left child
// first). Only how a node's values are ordered differs — presorted row lists for high-cardinality
// features, node histograms (smaller child counted, sibling = parent minus child) for the others —
// which does not change which split is found.
import type { FlatTree } from './flat-tree.js';
import { LEAF } from './flat-tree.js';
import type { SklearnRandR } from './sklearn-rng.js';
import { fillNodeHistogram, partitionRows, partitionSortedList, routeRows } from './node-rows.js';
import { BestSplit, groupHistogram, scanSortedList, scanSplits } from './split-scan.js';
import { PACKED_WEIGHT_BITS, PACKED_WEIGHT_MAX, TreeWorkspace } from './tree-workspace.js';

export { TreeWorkspace };

export type Criterion = 'gini' | 'entropy';

export interface TreeBuildParams {
  criterion: Criterion;
  /** Resolved: a positive integer (Number.MAX_SAFE_INTEGER for unlimited). */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxFeatures: number;
}

const EPSILON = 2.220446049250313e-16;

class NodeBuffer {
  count = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value: Float64Array;
  impurity = new Float64Array(64);
  nNodeSamples = new Int32Array(64);
  weighted = new Float64Array(64);
  constructor(readonly nc: number) {
    this.value = new Float64Array(64 * nc);
  }

  add(): number {
    if (this.count === this.feature.length) {
      const cap = this.count * 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, k = 1): T => {
        const b = new (a.constructor as { new (n: number): T })(cap * k);
        b.set(a);
        return b;
      };
      this.feature = grow(this.feature);
      this.threshold = grow(this.threshold);
      this.left = grow(this.left);
      this.right = grow(this.right);
      this.value = grow(this.value, this.nc);
      this.impurity = grow(this.impurity);
      this.nNodeSamples = grow(this.nNodeSamples);
      this.weighted = grow(this.weighted);
    }
    return this.count++;
  }

  finish(): FlatTree {
    const c = this.count;
    return {
      nodeCount: c,
      nClasses: this.nc,
      feature: this.feature.slice(0, c),
      threshold: this.threshold.slice(0, c),
      left: this.left.slice(0, c),
      right: this.right.slice(0, c),
      value: this.value.slice(0, c * this.nc),
      impurity: this.impurity.slice(0, c),
      nNodeSamples: this.nNodeSamples.slice(0, c),
      weightedNNodeSamples: this.weighted.slice(0, c),
    };
  }
}

/**
 * Grows one tree on the rows with sampleWeight > 0 (bootstrap counts or class weights folded in).
 * `rng` is consumed exactly as sklearn's splitter consumes its rand_r state.
 */
export function buildTree(
  ws: TreeWorkspace,
  sampleWeight: Float64Array,
  params: TreeBuildParams,
  rng: SklearnRandR,
): FlatTree {
  const data = ws.data;
  const { nRows: n, nFeatures: nF, nClasses: nc, yIdx, values, valueOffsets, sortedSlot, histOffset, histSlots } = data;
  const { samples, lists, listRanks, listW, features, constantFeatures, sampW, sampY } = ws;
  // node histogram of the histogram-counted features: stride nc + 1 = [rows, weight per class]
  const hs = nc + 1;
  const histSize = histSlots * hs;
  const histPool: Float64Array[] = [];
  const takeHist = (): Float64Array => {
    const h = histPool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(histSize);
  };
  const giveHist = (h: Float64Array | null): void => {
    if (h) histPool.push(h);
  };
  let curHist: Float64Array | null = null;
  /**
   * Counts rows[start, end) into h via the sparse rows; each feature's default value is filled
   * as the node totals (rows m, class weight sums) minus its other values.
   */
  const fillHist = (h: Float64Array, start: number, end: number, sums: ArrayLike<number>): void =>
    fillNodeHistogram(ws, h, start, end, sums);

  const { criterion, maxDepth, minSamplesSplit, minSamplesLeaf, maxFeatures } = params;
  const gini = criterion === 'gini';
  const nSorted = lists.length / Math.max(n, 1);

  let N = 0,
    smallIntWeights = true;
  const { weightCodes } = ws;
  for (let i = 0; i < n; i++) {
    const w = sampleWeight[i];
    weightCodes[i] = 0;
    if (w !== 0) {
      sampW[N] = w;
      sampY[N] = yIdx[i];
      samples[N++] = i;
      if (w <= PACKED_WEIGHT_MAX && Math.floor(w) === w) weightCodes[i] = w;
      else smallIntWeights = false;
    }
  }
  const { sortedOrder, sortedKeys } = data;
  const packed = smallIntWeights && n * nc <= 0x7fffffff >> PACKED_WEIGHT_BITS;
  ws.packedWeights = packed;
  if (packed) for (let p = 0; p < N; p++) ws.sampCode[p] = (sampY[p] << PACKED_WEIGHT_BITS) | sampW[p];
  for (let f = 0; f < nF; f++) {
    const slot = sortedSlot[f];
    if (slot < 0) continue;
    const base = slot * n;
    let k = base;
    if (packed) {
      for (let p = base, e = base + n; p < e; p++) {
        const r = sortedOrder[p];
        const w = weightCodes[r];
        if (w === 0) continue;
        listRanks[k] = (sortedKeys[p] << PACKED_WEIGHT_BITS) | w;
        lists[k++] = r;
      }
      continue;
    }
    for (let p = base, e = base + n; p < e; p++) {
      const r = sortedOrder[p];
      const w = sampleWeight[r];
      if (w === 0) continue;
      listRanks[k] = sortedKeys[p];
      listW[k] = w;
      lists[k++] = r;
    }
  }
  for (let f = 0; f < nF; f++) features[f] = f;

  const sumTotal = new Float64Array(nc);
  const sumRightTmp = new Float64Array(nc);
  const out = new NodeBuffer(nc);

  const childrenImpurity = (sl: Float64Array, wL: number, wR: number, side: 0 | 1): number => {
    let acc = 0;
    const w = side === 0 ? wL : wR;
    if (gini) {
      let sq = 0;
      for (let c = 0; c < nc; c++) {
        const v = side === 0 ? sl[c] : sumTotal[c] - sl[c];
        sq += v * v;
      }
      return 1.0 - sq / (w * w);
    }
    for (let c = 0; c < nc; c++) {
      let v = side === 0 ? sl[c] : sumTotal[c] - sl[c];
      if (v > 0.0) {
        v /= w;
        acc -= v * (Math.log(v) / Math.LN2);
      }
    }
    return acc;
  };

  // best split of the current node (written by evaluateFeature)
  let wNode = 0;
  const best = new BestSplit(nc);

  /** Scans split points of feature f in ascending order; false when f is constant in the node. */
  const evaluateFeature = (f: number, start: number, end: number): boolean => {
    const slot = sortedSlot[f];
    if (slot >= 0)
      return scanSortedList(ws, slot * n + start, slot * n + end, nc, minSamplesLeaf, wNode, sumTotal, gini, f, best);
    const ng = groupHistogram(ws, curHist!, histOffset[f], valueOffsets[f + 1] - valueOffsets[f], nc);
    if (ng <= 1) return false;
    scanSplits(ws, ng, end - start, nc, minSamplesLeaf, wNode, sumTotal, gini, f, best);
    return true;
  };

  /** sklearn's BestSplitter.node_split feature loop; returns the constant count for children. */
  const splitNode = (start: number, end: number, nKnownConst: number): number => {
    best.proxy = -Infinity;
    best.feature = -1;
    let fI = nF,
      nFoundConst = 0,
      nDrawnConst = 0,
      nTotalConst = nKnownConst,
      nVisited = 0;
    while (fI > nTotalConst && (nVisited < maxFeatures || nVisited <= nFoundConst + nDrawnConst)) {
      nVisited++;
      let fj = rng.int(nDrawnConst, fI - nFoundConst);
      if (fj < nKnownConst) {
        const t = features[nDrawnConst];
        features[nDrawnConst] = features[fj];
        features[fj] = t;
        nDrawnConst++;
        continue;
      }
      fj += nFoundConst;
      const f = features[fj];
      if (!evaluateFeature(f, start, end)) {
        features[fj] = features[nTotalConst];
        features[nTotalConst] = f;
        nFoundConst++;
        nTotalConst++;
        continue;
      }
      fI--;
      features[fj] = features[fI];
      features[fI] = f;
    }
    features.set(constantFeatures.subarray(0, nKnownConst), 0);
    constantFeatures.set(features.subarray(nKnownConst, nKnownConst + nFoundConst), nKnownConst);
    return nTotalConst;
  };

  const partitionSamples = (from: number, to: number): void => partitionRows(ws, from, to);
  const partitionList = (from: number, to: number): void => partitionSortedList(ws, from, to);

  // depth-first stack (sklearn pushes right then left, so the left subtree is numbered first)
  const stStart: number[] = [0],
    stEnd: number[] = [N],
    stDepth: number[] = [0],
    stParent: number[] = [-1];
  const stIsLeft: number[] = [0],
    stImp: number[] = [Infinity],
    stConst: number[] = [0];
  const stSums: number[] = [],
    stW: number[] = [];
  const stHist: (Float64Array | null)[] = [null];
  let first = true;
  const willBeLeaf = (m: number, depth: number, impurity: number): boolean =>
    depth >= maxDepth || m < minSamplesSplit || m < 2 * minSamplesLeaf || impurity <= EPSILON;
  while (stStart.length > 0) {
    const start = stStart.pop()!,
      end = stEnd.pop()!,
      depth = stDepth.pop()!,
      parent = stParent.pop()!;
    const isLeft = stIsLeft.pop()!;
    let impurity = stImp.pop()!;
    const nConst = stConst.pop()!;
    curHist = stHist.pop()!;
    const m = end - start;
    // class totals: summed at the root, handed down from the parent's split otherwise
    if (first) {
      sumTotal.fill(0);
      wNode = 0;
      for (let p = start; p < end; p++) {
        const w = sampW[p];
        sumTotal[sampY[p]] += w;
        wNode += w;
      }
    } else {
      wNode = stW.pop()!;
      for (let c = nc - 1; c >= 0; c--) sumTotal[c] = stSums.pop()!;
    }
    let isLeaf = depth >= maxDepth || m < minSamplesSplit || m < 2 * minSamplesLeaf;
    if (first) {
      impurity = nodeImpurity(sumTotal, wNode, gini);
      first = false;
    }
    isLeaf = isLeaf || impurity <= EPSILON;
    let childConst = nConst;
    if (!isLeaf) {
      if (curHist === null && histSize > 0) {
        curHist = takeHist();
        fillHist(curHist, start, end, sumTotal);
      }
      childConst = splitNode(start, end, nConst);
      isLeaf = best.feature < 0;
    }
    const id = out.add();
    if (parent >= 0) {
      if (isLeft) out.left[parent] = id;
      else out.right[parent] = id;
    }
    out.impurity[id] = impurity;
    out.nNodeSamples[id] = m;
    out.weighted[id] = wNode;
    out.value.set(sumTotal, id * nc);
    out.left[id] = -1;
    out.right[id] = -1;
    if (isLeaf) {
      out.feature[id] = LEAF;
      out.threshold[id] = -2;
      giveHist(curHist);
      curHist = null;
      continue;
    }
    const off = valueOffsets[best.feature];
    const lo = values[off + best.rankLo],
      hi = values[off + best.rankHi];
    let thr = lo / 2.0 + hi / 2.0;
    if (thr === hi || thr === Infinity || thr === -Infinity) thr = lo;
    out.feature[id] = best.feature;
    out.threshold[id] = thr;
    const wL = best.wL,
      wR = wNode - wL;
    const impL = childrenImpurity(best.sumLeft, wL, wR, 0);
    const impR = childrenImpurity(best.sumLeft, wL, wR, 1);
    const bestSlot = sortedSlot[best.feature];
    best.nLeft = routeRows(ws, best.feature, best.rankLo, best.nLeft, start, end);
    partitionSamples(start, end);
    for (let s = 0; s < nSorted; s++) if (s !== bestSlot) partitionList(s * n + start, s * n + end);
    const mid = start + best.nLeft;
    // children's histograms: count the smaller child, the larger is parent minus smaller
    let hL: Float64Array | null = null,
      hR: Float64Array | null = null;
    const needL = !willBeLeaf(mid - start, depth + 1, impL),
      needR = !willBeLeaf(end - mid, depth + 1, impR);
    if (curHist && (needL || needR)) {
      const leftSmaller = mid - start <= end - mid;
      const small = takeHist();
      if (leftSmaller) fillHist(small, start, mid, best.sumLeft);
      else {
        for (let c = 0; c < nc; c++) sumRightTmp[c] = sumTotal[c] - best.sumLeft[c];
        fillHist(small, mid, end, sumRightTmp);
      }
      const big = curHist;
      for (let i = 0; i < histSize; i++) big[i] -= small[i];
      hL = leftSmaller ? small : big;
      hR = leftSmaller ? big : small;
      if (!needL) {
        giveHist(hL);
        hL = null;
      }
      if (!needR) {
        giveHist(hR);
        hR = null;
      }
    } else giveHist(curHist);
    curHist = null;
    stStart.push(mid);
    stEnd.push(end);
    stDepth.push(depth + 1);
    stParent.push(id);
    stIsLeft.push(0);
    stImp.push(impR);
    stConst.push(childConst);
    for (let c = 0; c < nc; c++) stSums.push(sumTotal[c] - best.sumLeft[c]);
    stW.push(wR);
    stHist.push(hR);
    stStart.push(start);
    stEnd.push(mid);
    stDepth.push(depth + 1);
    stParent.push(id);
    stIsLeft.push(1);
    stImp.push(impL);
    stConst.push(childConst);
    for (let c = 0; c < nc; c++) stSums.push(best.sumLeft[c]);
    stW.push(wL);
    stHist.push(hL);
  }
  return out.finish();
}

function nodeImpurity(sum: Float64Array, w: number, gini: boolean): number {
  if (gini) {
    let sq = 0;
    for (let c = 0; c < sum.length; c++) sq += sum[c] * sum[c];
    return 1.0 - sq / (w * w);
  }
  let ent = 0;
  for (let c = 0; c < sum.length; c++) {
    if (sum[c] > 0) {
      const p = sum[c] / w;
      ent -= p * (Math.log(p) / Math.LN2);
    }
  }
  return ent;
}
