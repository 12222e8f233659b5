// Split search inside one node with scikit-learn's criterion arithmetic (sklearn/tree/_criterion.pyx):
// rows are grouped by feature value, then split points are scanned left to right and the first
// strictly best proxy improvement wins.
import type { TreeWorkspace } from './tree-workspace.js';

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
  constructor(nc: number) { this.sumLeft = new Float64Array(nc); this.scratch = new Float64Array(nc); }
}

/** Groups a presorted list segment [from, to) by rank; 1 when the feature is constant there. */
export function groupSortedList(ws: TreeWorkspace, from: number, to: number, nc: number): number {
  const { listRanks, listW, gRank, gCount, gWeight, gClassW } = ws;
  // entries hold rank * nc + class: equal ranks compare equal after dividing by nc
  if (((listRanks[from] / nc) | 0) === ((listRanks[to - 1] / nc) | 0)) return 1;
  let ng = 0, last = -1;
  for (let p = from; p < to; p++) {
    const key = listRanks[p];
    const rk = (key / nc) | 0;
    const w = listW[p];
    if (rk !== last) {
      gRank[ng] = rk; gCount[ng] = 0; gWeight[ng] = 0;
      const gb = ng * nc;
      for (let c = 0; c < nc; c++) gClassW[gb + c] = 0;
      ng++; last = rk;
    }
    const g = ng - 1;
    gCount[g]++; gWeight[g] += w; gClassW[g * nc + key - rk * nc] += w;
  }
  return ng;
}

/** Groups from the node histogram (stride nc + 1: rows, weight per class) of one feature. */
export function groupHistogram(ws: TreeWorkspace, h: Float64Array, off: number, K: number, nc: number): number {
  const { gRank, gCount, gWeight, gClassW } = ws;
  const hs = nc + 1;
  let ng = 0;
  for (let b = 0; b < K; b++) {
    const hb = (off + b) * hs;
    if (h[hb] === 0) continue;
    gRank[ng] = b; gCount[ng] = h[hb];
    const gb = ng * nc;
    let wsum = 0;
    for (let c = 0; c < nc; c++) { const v = h[hb + 1 + c]; gClassW[gb + c] = v; wsum += v; }
    gWeight[ng] = wsum;
    ng++;
  }
  return ng;
}

/** sklearn's split scan over the groups: the first strictly best proxy improvement wins. */
export function scanSplits(ws: TreeWorkspace, ng: number, m: number, nc: number, minSamplesLeaf: number, wNode: number,
  sumTotal: Float64Array, gini: boolean, f: number, best: BestSplit): void {
  const { gRank, gCount, gWeight, gClassW } = ws;
  const sumLeft = best.scratch;
  sumLeft.fill(0);
  let wL = 0, cntL = 0;
  for (let g = 0; g < ng - 1; g++) {
    const gb = g * nc;
    for (let c = 0; c < nc; c++) sumLeft[c] += gClassW[gb + c];
    wL += gWeight[g]; cntL += gCount[g];
    if (cntL < minSamplesLeaf || m - cntL < minSamplesLeaf) continue;
    const wR = wNode - wL;
    let impL = 0, impR = 0;
    if (gini) {
      let sqL = 0, sqR = 0;
      for (let c = 0; c < nc; c++) {
        const l = sumLeft[c]; sqL += l * l;
        const r = sumTotal[c] - l; sqR += r * r;
      }
      impL = 1.0 - sqL / (wL * wL);
      impR = 1.0 - sqR / (wR * wR);
    } else {
      impL = entropyImpurity(sumLeft, sumTotal, wL, 0, nc);
      impR = entropyImpurity(sumLeft, sumTotal, wR, 1, nc);
    }
    const proxy = -wR * impR - wL * impL;
    if (proxy > best.proxy) {
      best.proxy = proxy; best.feature = f; best.rankLo = gRank[g]; best.rankHi = gRank[g + 1];
      best.nLeft = cntL; best.wL = wL; best.sumLeft.set(sumLeft);
    }
  }
}

/** sklearn's Entropy.children_impurity for one side (log base 2 as ln(x) / ln(2)). */
export function entropyImpurity(sumLeft: Float64Array, sumTotal: Float64Array, w: number, side: 0 | 1, nc: number): number {
  let acc = 0;
  for (let c = 0; c < nc; c++) {
    let v = side === 0 ? sumLeft[c] : sumTotal[c] - sumLeft[c];
    if (v > 0.0) { v /= w; acc -= v * (Math.log(v) / Math.LN2); }
  }
  return acc;
}
