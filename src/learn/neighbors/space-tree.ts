// KD-tree and ball tree over the training rows (sklearn/neighbors/_binary_tree.pxi, _kd_tree.pyx,
// _ball_tree.pyx): nodes split the widest dimension at its median until at most leafSize rows
// remain; queries walk the nearer child first and skip a node whose lower bound exceeds the
// current k-th distance. A bound equal to it is still visited, so an equally distant row with a
// lower index is never missed: results equal brute force exactly.
import {
  distanceToReduced,
  reducedDistance,
  reducedFromGaps,
  reducedToDistance,
  type Metric,
} from './distance-metric.js';
import type { NeighborHeap } from './neighbor-heap.js';

export type TreeKind = 'kd_tree' | 'ball_tree';

// relative slack on bounds so rounding in a bound never prunes a node holding a tie
const BOUND_SLACK = 1 - 1e-12;

export class SpaceTree {
  readonly idx: Int32Array;
  private nodeStart: number[] = [];
  private nodeEnd: number[] = [];
  private nodeLeft: number[] = [];
  private nodeRight: number[] = [];
  /** kd: per node lower and upper corners (d values each); ball: centroid (d values) and radius. */
  private lower: number[] = [];
  private upper: number[] = [];
  private radius: number[] = [];
  private readonly gaps: Float64Array;
  private readonly stack: Int32Array;

  constructor(
    readonly kind: TreeKind,
    readonly data: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly metric: Metric,
    readonly leafSize: number,
  ) {
    this.idx = Int32Array.from({ length: n }, (_, i) => i);
    this.gaps = new Float64Array(d);
    this.build(0, n);
    this.stack = new Int32Array(this.nodeStart.length + 1);
  }

  private build(start: number, end: number): number {
    const id = this.nodeStart.length;
    const { d, data, idx } = this;
    this.nodeStart.push(start);
    this.nodeEnd.push(end);
    this.nodeLeft.push(-1);
    this.nodeRight.push(-1);
    const lo = new Array<number>(d).fill(Infinity),
      hi = new Array<number>(d).fill(-Infinity);
    for (let k = start; k < end; k++) {
      const o = idx[k] * d;
      for (let j = 0; j < d; j++) {
        const v = data[o + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    if (this.kind === 'kd_tree') {
      this.lower.push(...lo);
      this.upper.push(...hi);
      this.radius.push(0);
    } else {
      const c = new Array<number>(d).fill(0);
      for (let k = start; k < end; k++) {
        const o = idx[k] * d;
        for (let j = 0; j < d; j++) c[j] += data[o + j];
      }
      for (let j = 0; j < d; j++) c[j] /= end - start;
      let r = 0;
      for (let k = start; k < end; k++)
        r = Math.max(r, reducedToDistance(this.metric, reducedDistance(this.metric, c, 0, data, idx[k] * d, d)));
      this.lower.push(...c);
      this.upper.push(...c);
      this.radius.push(r);
    }
    if (end - start <= this.leafSize) return id;
    let dim = 0,
      spread = -1;
    for (let j = 0; j < d; j++)
      if (hi[j] - lo[j] > spread) {
        spread = hi[j] - lo[j];
        dim = j;
      }
    if (spread <= 0) return id; // all rows identical: keep as a leaf
    const mid = (start + end) >> 1;
    this.select(start, end, mid, dim);
    const l = this.build(start, mid);
    const r = this.build(mid, end);
    this.nodeLeft[id] = l;
    this.nodeRight[id] = r;
    return id;
  }

  /** Quickselect: idx[start, end) reordered so idx[mid] holds the median along dim. */
  private select(start: number, end: number, mid: number, dim: number): void {
    const { idx, data, d } = this;
    let lo = start,
      hi = end - 1;
    while (lo < hi) {
      const pivot = data[idx[(lo + hi) >> 1] * d + dim];
      let i = lo,
        j = hi;
      while (i <= j) {
        while (data[idx[i] * d + dim] < pivot) i++;
        while (data[idx[j] * d + dim] > pivot) j--;
        if (i <= j) {
          const t = idx[i];
          idx[i] = idx[j];
          idx[j] = t;
          i++;
          j--;
        }
      }
      if (mid <= j) hi = j;
      else if (mid >= i) lo = i;
      else break;
    }
  }

  /** Lower bound of the reduced distance from the query to any row in the node. */
  private minReduced(node: number, q: ArrayLike<number>, qo: number): number {
    const { d, gaps, metric } = this;
    const base = node * d;
    if (this.kind === 'kd_tree') {
      for (let j = 0; j < d; j++) {
        const v = q[qo + j];
        const a = this.lower[base + j] - v,
          b = v - this.upper[base + j];
        gaps[j] = a > 0 ? a : b > 0 ? b : 0;
      }
      return reducedFromGaps(metric, gaps, d) * BOUND_SLACK;
    }
    const toCentre = reducedToDistance(metric, reducedDistance(metric, this.lower, base, q, qo, d));
    const lb = toCentre - this.radius[node];
    return lb <= 0 ? 0 : distanceToReduced(metric, lb) * BOUND_SLACK;
  }

  /** Pushes the k nearest rows to q[qo .. qo + d) into heap (which must be empty). */
  query(q: ArrayLike<number>, qo: number, heap: NeighborHeap): void {
    const { stack, data, d, idx, metric } = this;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp];
      if (this.minReduced(node, q, qo) > heap.bound()) continue;
      const l = this.nodeLeft[node];
      if (l < 0) {
        for (let k = this.nodeStart[node], e = this.nodeEnd[node]; k < e; k++) {
          const i = idx[k];
          heap.push(reducedDistance(metric, q, qo, data, i * d, d), i);
        }
        continue;
      }
      const r = this.nodeRight[node];
      // push the farther child first so the nearer one is searched first
      if (this.minReduced(l, q, qo) <= this.minReduced(r, q, qo)) {
        stack[sp++] = r;
        stack[sp++] = l;
      } else {
        stack[sp++] = l;
        stack[sp++] = r;
      }
    }
  }
}
