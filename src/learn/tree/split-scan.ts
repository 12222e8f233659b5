// Split search inside one node with scikit-learn's criterion arithmetic (sklearn/tree/_criterion.pyx):
// rows are grouped by feature value, then split points are scanned left to right and the first
// strictly best proxy improvement wins.
import { PACKED_WEIGHT_BITS, PACKED_WEIGHT_MAX, type TreeWorkspace } from './tree-workspace.js';

/** The best split found so far in a node. */
export class BestSplit {
  proxy = -Infinity;
  feature = -1;
  rankLo = 0;
  rankHi = 0;
  nLeft = 0;
  wL = 0;
  readonly sumLeft: Float64Array;
  readonly scratch: Float64Array;
  constructor(nc: number) {
    this.sumLeft = new Float64Array(nc);
    this.scratch = new Float64Array(nc);
  }
}

/**
 * Scans the split points of a presorted list segment [from, to) in one pass (no group arrays):
 * weights are added to the left side entry by entry, as sklearn's criterion update does, and a
 * split is evaluated wherever the rank changes. False when the feature is constant there.
 */
export function scanSortedList(
  ws: TreeWorkspace,
  from: number,
  to: number,
  nc: number,
  minSamplesLeaf: number,
  wNode: number,
  sumTotal: Float64Array,
  gini: boolean,
  f: number,
  best: BestSplit,
): boolean {
  const { listRanks, listW } = ws;
  // entries hold rank * nc + class (shifted up by PACKED_WEIGHT_BITS over the weight when packed):
  // equal ranks compare equal after dividing by nc
  const packed = ws.packedWeights;
  const sh = packed ? PACKED_WEIGHT_BITS : 0;
  const first = ((listRanks[from] >> sh) / nc) | 0;
  if (first === (((listRanks[to - 1] >> sh) / nc) | 0)) return false;
  if (nc === 2 && gini) {
    scanSortedListGini2(listRanks, listW, packed, from, to, minSamplesLeaf, wNode, sumTotal, f, best);
    return true;
  }
  const m = to - from;
  const sumLeft = best.scratch;
  sumLeft.fill(0);
  let wL = 0,
    cntL = 0,
    last = first;
  for (let p = from; p < to; p++) {
    const e = listRanks[p];
    const key = e >> sh;
    const rk = (key / nc) | 0;
    if (rk !== last) {
      if (cntL >= minSamplesLeaf && m - cntL >= minSamplesLeaf) {
        const proxy = splitProxy(sumLeft, sumTotal, wL, wNode - wL, gini, nc);
        if (proxy > best.proxy) {
          best.proxy = proxy;
          best.feature = f;
          best.rankLo = last;
          best.rankHi = rk;
          best.nLeft = cntL;
          best.wL = wL;
          best.sumLeft.set(sumLeft);
        }
      }
      last = rk;
    }
    const w = packed ? e & PACKED_WEIGHT_MAX : listW[p];
    sumLeft[key - rk * nc] += w;
    wL += w;
    cntL++;
  }
  return true;
}

/** scanSortedList for two classes and gini (the common case), with the class sums in registers. */
function scanSortedListGini2(
  listRanks: Int32Array,
  listW: Float64Array,
  packed: boolean,
  from: number,
  to: number,
  minSamplesLeaf: number,
  wNode: number,
  sumTotal: Float64Array,
  f: number,
  best: BestSplit,
): void {
  const m = to - from;
  const t0 = sumTotal[0],
    t1 = sumTotal[1];
  const sh = packed ? PACKED_WEIGHT_BITS : 0;
  let l0 = 0,
    l1 = 0,
    wL = 0,
    cntL = 0,
    last = (listRanks[from] >> sh) >> 1;
  let bestProxy = best.proxy;
  for (let p = from; p < to; p++) {
    const e = listRanks[p];
    const key = e >> sh;
    const rk = key >> 1;
    if (rk !== last) {
      if (cntL >= minSamplesLeaf && m - cntL >= minSamplesLeaf) {
        const wR = wNode - wL;
        const r0 = t0 - l0,
          r1 = t1 - l1;
        const impL = 1.0 - (l0 * l0 + l1 * l1) / (wL * wL);
        const impR = 1.0 - (r0 * r0 + r1 * r1) / (wR * wR);
        const proxy = -wR * impR - wL * impL;
        if (proxy > bestProxy) {
          bestProxy = proxy;
          best.proxy = proxy;
          best.feature = f;
          best.rankLo = last;
          best.rankHi = rk;
          best.nLeft = cntL;
          best.wL = wL;
          best.sumLeft[0] = l0;
          best.sumLeft[1] = l1;
        }
      }
      last = rk;
    }
    const w = packed ? e & PACKED_WEIGHT_MAX : listW[p];
    if (key & 1) l1 += w;
    else l0 += w;
    wL += w;
    cntL++;
  }
}

/** sklearn's proxy_impurity_improvement: -wR * impurity(right) - wL * impurity(left). */
function splitProxy(
  sumLeft: Float64Array,
  sumTotal: Float64Array,
  wL: number,
  wR: number,
  gini: boolean,
  nc: number,
): number {
  let impL = 0,
    impR = 0;
  if (gini) {
    let sqL = 0,
      sqR = 0;
    for (let c = 0; c < nc; c++) {
      const l = sumLeft[c];
      sqL += l * l;
      const r = sumTotal[c] - l;
      sqR += r * r;
    }
    impL = 1.0 - sqL / (wL * wL);
    impR = 1.0 - sqR / (wR * wR);
  } else {
    impL = entropyImpurity(sumLeft, sumTotal, wL, 0, nc);
    impR = entropyImpurity(sumLeft, sumTotal, wR, 1, nc);
  }
  return -wR * impR - wL * impL;
}

/** Groups from the node histogram (stride nc + 1: rows, weight per class) of one feature. */
export function groupHistogram(ws: TreeWorkspace, h: Float64Array, off: number, K: number, nc: number): number {
  const { gRank, gCount, gWeight, gClassW } = ws;
  const hs = nc + 1;
  let ng = 0;
  for (let b = 0; b < K; b++) {
    const hb = (off + b) * hs;
    if (h[hb] === 0) continue;
    gRank[ng] = b;
    gCount[ng] = h[hb];
    const gb = ng * nc;
    let wsum = 0;
    for (let c = 0; c < nc; c++) {
      const v = h[hb + 1 + c];
      gClassW[gb + c] = v;
      wsum += v;
    }
    gWeight[ng] = wsum;
    ng++;
  }
  return ng;
}

/** sklearn's split scan over the groups: the first strictly best proxy improvement wins. */
export function scanSplits(
  ws: TreeWorkspace,
  ng: number,
  m: number,
  nc: number,
  minSamplesLeaf: number,
  wNode: number,
  sumTotal: Float64Array,
  gini: boolean,
  f: number,
  best: BestSplit,
): void {
  const { gRank, gCount, gWeight, gClassW } = ws;
  const sumLeft = best.scratch;
  sumLeft.fill(0);
  let wL = 0,
    cntL = 0;
  for (let g = 0; g < ng - 1; g++) {
    const gb = g * nc;
    for (let c = 0; c < nc; c++) sumLeft[c] += gClassW[gb + c];
    wL += gWeight[g];
    cntL += gCount[g];
    if (cntL < minSamplesLeaf || m - cntL < minSamplesLeaf) continue;
    const proxy = splitProxy(sumLeft, sumTotal, wL, wNode - wL, gini, nc);
    if (proxy > best.proxy) {
      best.proxy = proxy;
      best.feature = f;
      best.rankLo = gRank[g];
      best.rankHi = gRank[g + 1];
      best.nLeft = cntL;
      best.wL = wL;
      best.sumLeft.set(sumLeft);
    }
  }
}

/** sklearn's Entropy.children_impurity for one side (log base 2 as ln(x) / ln(2)). */
export function entropyImpurity(
  sumLeft: Float64Array,
  sumTotal: Float64Array,
  w: number,
  side: 0 | 1,
  nc: number,
): number {
  let acc = 0;
  for (let c = 0; c < nc; c++) {
    let v = side === 0 ? sumLeft[c] : sumTotal[c] - sumLeft[c];
    if (v > 0.0) {
      v /= w;
      acc -= v * (Math.log(v) / Math.LN2);
    }
  }
  return acc;
}
