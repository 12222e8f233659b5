// Brute-force search with exact pruning (the 'brute' algorithm's scan). The training rows are
// copied once, grouped by their values on a few low-cardinality columns (one-hot and other 0/1
// columns: the "profile" of a row) and sorted within each group along one other column. A query
//   1. walks a trie over the groups, nearer branch first, bounding the distance to a branch's
//      groups by the group columns' terms seen so far, and skips a branch whose bound exceeds the
//      current k-th distance (bounds carry a relative slack, as in space-tree.ts, so rounding
//      never skips a row that could tie);
//   2. scans a group from the query's position along the sort column, up then down, stopping in
//      each direction once that single coordinate's term exceeds the k-th distance: the row's
//      reduced distance sums (or maxes) that very term with other non-negative terms, and float
//      rounding is monotone, so such rows and all rows beyond them could not be kept;
//   3. computes every remaining row's distance with exactly the arithmetic of reducedDistance
//      (same terms, same column order), abandoning it once the partial sum exceeds the bound.
// The heap orders candidates by (distance, index), so visiting rows in this order instead of by
// index keeps exactly the same neighbours, and every bound comparison is strict (a row whose
// distance equals the k-th is always offered to the heap, which keeps it if its index is lower).
// Where the bounds cannot prune (continuous data in many dimensions) the caller scans plainly:
// create() declines such data, and `pays` turns false after a trial of queries that visited
// nearly every row.
import { boundedReduced, type Metric } from './distance-metric.js';
import type { NeighborHeap } from './neighbor-heap.js';

/** A column with at most this many distinct values may be used to group rows. */
const MAX_GROUP_LEVELS = 4;
/** Group columns are added while the rows per group stay at least this many on average. */
const MIN_MEAN_GROUP_SIZE = 8;
/** Columns' distinct values and variances are estimated from about this many rows. */
const SAMPLE_ROWS = 512;
/** Fewer training rows than this are scanned plainly. */
const MIN_ROWS = 64;
/** Without group columns, rows are scanned plainly above this many dimensions. */
const MAX_UNGROUPED_DIMS = 12;
/** Queries after which the scan checks that it pays... */
const TRIAL_QUERIES = 64;
/** ...by visiting at most this fraction of the rows per query on average (the rest pay their way by ordering). */
const MAX_VISITED_FRACTION = 0.85;
/** Relative slack on group bounds: summed in another order than the row distance, they may round differently. */
const BOUND_SLACK = 1 - 1e-12;

export class GroupedScan {
  private readonly data: Float64Array;
  private readonly rowIndex: Int32Array;
  private readonly sortKey: Float64Array;
  private readonly groupStart: Int32Array;
  private readonly sortCol: number;
  /** Trie over the groups: the children of a node split its groups by one group column's value. */
  private readonly trie: GroupTrie;
  private readonly stackNode: Int32Array;
  private readonly stackBound: Float64Array;
  private readonly v: Float64Array;
  private queries = 0;
  private visited = 0;
  /** False once the first TRIAL_QUERIES queries visited too many rows: a plain scan is then as fast. */
  pays = true;

  /**
   * The scan for these training rows, or undefined where a plain scan in index order is as fast:
   * few rows, or no group columns and many dimensions (one coordinate then bounds the distance
   * too loosely to skip rows).
   */
  static create(X: Float64Array, n: number, d: number, metric: Metric): GroupedScan | undefined {
    if (n < MIN_ROWS) return undefined;
    const groups = chooseGroups(X, n, d);
    if (groups.nGroups === 1 && d > MAX_UNGROUPED_DIMS) return undefined;
    return new GroupedScan(X, n, d, metric, groups);
  }

  private constructor(
    X: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly metric: Metric,
    { groupCols, groupOf, nGroups }: Groups,
  ) {
    const variances = Array.from({ length: d }, (_, j) => variance(X, n, d, j));
    const sortCol = (this.sortCol = widestColumn(variances, groupCols));
    const { order, groupStart } = groupedOrder(X, n, d, groupOf, nGroups, sortCol);
    this.rowIndex = order;
    this.groupStart = groupStart;
    const data = (this.data = new Float64Array(n * d));
    const sortKey = (this.sortKey = new Float64Array(n));
    for (let r = 0; r < n; r++) {
      const xo = order[r] * d;
      data.set(X.subarray(xo, xo + d), r * d);
      sortKey[r] = X[xo + sortCol];
    }
    this.trie = buildTrie(
      X,
      d,
      groupCols,
      variances,
      Int32Array.from({ length: nGroups }, (_, g) => order[groupStart[g]]),
    );
    const depth = groupCols.length;
    this.stackNode = new Int32Array(depth * MAX_GROUP_LEVELS + 2);
    this.stackBound = new Float64Array(depth * MAX_GROUP_LEVELS + 2);
    this.v = new Float64Array(d);
  }

  /**
   * Pushes the k nearest rows to q[qo .. qo + d) into heap (which must be empty). Walks the trie
   * depth first, nearer child first, so the first groups scanned are the closest by their group
   * columns and the k-th distance is small early; a subtree whose bound (the group columns' terms
   * seen so far) exceeds the k-th distance is skipped.
   */
  query(q: ArrayLike<number>, qo: number, heap: NeighborHeap): void {
    const { v, d, stackNode, stackBound, metric } = this;
    const { col, value, childStart, childEnd, group } = this.trie;
    for (let j = 0; j < d; j++) v[j] = q[qo + j];
    const euclidean = metric.kind === 0;
    let sp = 0;
    stackNode[sp] = 0;
    stackBound[sp++] = 0;
    while (sp > 0) {
      const node = stackNode[--sp],
        lb = stackBound[sp];
      if (lb * BOUND_SLACK > heap.bound()) continue;
      const g = group[node];
      if (g >= 0) {
        if (euclidean) this.scanEuclidean(g, heap);
        else this.scanGeneric(g, heap);
        continue;
      }
      // push the children farthest first (at most MAX_GROUP_LEVELS: insertion into the stack top)
      const a = v[col[node]],
        base = sp;
      for (let c = childStart[node], e = childEnd[node]; c < e; c++) {
        const t = a - value[c];
        const b =
          metric.kind === 0
            ? lb + t * t
            : metric.kind === 1
              ? lb + Math.abs(t)
              : metric.kind === 2
                ? Math.max(lb, Math.abs(t))
                : lb + Math.pow(Math.abs(t), metric.p);
        let k = sp++;
        while (k > base && stackBound[k - 1] < b) {
          stackNode[k] = stackNode[k - 1];
          stackBound[k] = stackBound[k - 1];
          k--;
        }
        stackNode[k] = c;
        stackBound[k] = b;
      }
    }
    if (++this.queries === TRIAL_QUERIES) this.pays = this.visited <= MAX_VISITED_FRACTION * this.n * TRIAL_QUERIES;
  }

  /** First row of group g whose sort key is >= a (binary search). */
  private startRow(g: number, a: number): number {
    const key = this.sortKey;
    let lo = this.groupStart[g],
      hi = this.groupStart[g + 1];
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (key[m] < a) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  /**
   * Squared-euclidean scan of group g with the distance loop inlined (the default metric): up
   * from the query's position along the sort column, then down, each sweep two rows at a time
   * (two independent sums keep the FP adder busy) and stopped once the nearer row of a pair is
   * beyond the k-th distance along the sort column.
   */
  private scanEuclidean(g: number, heap: NeighborHeap): void {
    const { v, d, data: X, sortKey: key, rowIndex } = this;
    const first = this.groupStart[g],
      last = this.groupStart[g + 1] - 1;
    const a = v[this.sortCol];
    const pos = this.startRow(g, a);
    let bound = heap.bound();
    for (let dir = 1; dir >= -1; dir -= 2) {
      let r = dir > 0 ? pos : pos - 1;
      const end = dir > 0 ? last + 1 : first - 1;
      for (; r !== end; r += 2 * dir) {
        const ta = a - key[r];
        if (ta * ta > bound) break; // computed as the row's own term in the distance loop below
        this.visited += 2;
        const r1 = r + dir;
        if (r1 === end) {
          // last row of the sweep alone
          const xo = r * d;
          let s = 0,
            j = 0;
          for (; j < d; j++) {
            const t = v[j] - X[xo + j];
            s += t * t;
            if (s > bound) break;
          }
          if (j === d && s <= bound) {
            heap.push(s, rowIndex[r]);
            bound = heap.bound();
          } // a NaN distance is never kept
          break;
        }
        const x0 = r * d,
          x1 = r1 * d;
        let s0 = 0,
          s1 = 0,
          j = 0;
        for (; j < d; j++) {
          const c = v[j];
          const t0 = c - X[x0 + j],
            t1 = c - X[x1 + j];
          s0 += t0 * t0;
          s1 += t1 * t1;
          if (s0 > bound && s1 > bound) break;
        }
        if (j < d) continue;
        if (s0 <= bound) {
          heap.push(s0, rowIndex[r]);
          bound = heap.bound();
        }
        if (s1 <= bound) {
          heap.push(s1, rowIndex[r1]);
          bound = heap.bound();
        }
      }
    }
  }

  /** The same two sweeps for the other metrics (one row at a time), distances as reducedDistance sums them. */
  private scanGeneric(g: number, heap: NeighborHeap): void {
    const { v, d, data: X, sortKey: key, rowIndex, metric } = this;
    const first = this.groupStart[g],
      last = this.groupStart[g + 1] - 1;
    const a = v[this.sortCol];
    const pos = this.startRow(g, a);
    for (let dir = 1; dir >= -1; dir -= 2) {
      const end = dir > 0 ? last + 1 : first - 1;
      for (let r = dir > 0 ? pos : pos - 1; r !== end; r += dir) {
        const bound = heap.bound();
        if (coordinateTerm(metric, a - key[r]) > bound) break;
        this.visited++;
        const s = boundedReduced(metric, v, 0, X, r * d, d, bound);
        if (s <= bound) heap.push(s, rowIndex[r]);
      }
    }
  }
}

/** One column's term of the reduced distance, computed as reducedDistance computes it. */
function coordinateTerm(m: Metric, t: number): number {
  if (m.kind === 0) return t * t;
  if (m.kind === 3) return Math.pow(Math.abs(t), m.p);
  return Math.abs(t);
}

interface GroupTrie {
  /** Internal node: the group column its children split on; leaf: -1. */
  col: Int32Array;
  /** The split column's value shared by the node's groups (unused at the root). */
  value: Float64Array;
  childStart: Int32Array;
  childEnd: Int32Array;
  /** Leaf: its group; internal node: -1. */
  group: Int32Array;
}

/**
 * Trie over the groups by their group column values, columns of larger variance first (their
 * terms are larger, so subtrees are pruned nearer the root). Children are stored contiguously.
 */
/** firstRow[g]: a training row of group g (all its rows share the group column values). */
function buildTrie(
  X: Float64Array,
  d: number,
  groupCols: Int32Array,
  variances: number[],
  firstRow: Int32Array,
): GroupTrie {
  const cols = Array.from(groupCols).sort((a, b) => variances[b] - variances[a] || a - b);
  const nGroups = firstRow.length;
  const val = (g: number, depth: number) => X[firstRow[g] * d + cols[depth]];
  const groups = Array.from({ length: nGroups }, (_, g) => g);
  const col: number[] = [-1],
    value: number[] = [0],
    childStart: number[] = [0],
    childEnd: number[] = [0],
    group: number[] = [-1];
  const fill = (node: number, depth: number, list: number[]): void => {
    if (depth === cols.length) {
      group[node] = list[0];
      return;
    }
    const byValue = new Map<number, number[]>();
    for (const g of list) {
      const x = val(g, depth);
      const bucket = byValue.get(x);
      if (bucket) bucket.push(g);
      else byValue.set(x, [g]);
    }
    col[node] = cols[depth];
    childStart[node] = col.length;
    for (const x of byValue.keys()) {
      col.push(-1);
      value.push(x);
      childStart.push(0);
      childEnd.push(0);
      group.push(-1);
    }
    childEnd[node] = col.length;
    let c = childStart[node];
    for (const bucket of byValue.values()) fill(c++, depth + 1, bucket);
  };
  fill(0, 0, groups);
  return {
    col: Int32Array.from(col),
    value: Float64Array.from(value),
    childStart: Int32Array.from(childStart),
    childEnd: Int32Array.from(childEnd),
    group: Int32Array.from(group),
  };
}

interface Groups {
  groupCols: Int32Array;
  groupOf: Int32Array;
  nGroups: number;
}

/**
 * Greedily picks group columns among those with 2 .. MAX_GROUP_LEVELS distinct values (fewest
 * values first, then by position) while the mean group size stays >= MIN_MEAN_GROUP_SIZE.
 */
function chooseGroups(X: Float64Array, n: number, d: number): Groups {
  // distinct values of each column among a sample of rows, up to MAX_GROUP_LEVELS + 1 of them (a
  // candidate with more values in the other rows is dropped when its groups are counted below)
  const levels = new Float64Array(d * (MAX_GROUP_LEVELS + 1)),
    nLevels = new Int32Array(d);
  const stride = Math.max(1, Math.floor(n / SAMPLE_ROWS));
  const candidates: number[] = [];
  for (let j = 0; j < d; j++) {
    const lo = j * (MAX_GROUP_LEVELS + 1);
    let m = 0;
    for (let i = 0; i < n && m <= MAX_GROUP_LEVELS; i += stride) {
      const x = X[i * d + j];
      let l = 0;
      while (l < m && levels[lo + l] !== x) l++;
      if (l === m) levels[lo + m++] = x;
    }
    nLevels[j] = m;
    if (m >= 2 && m <= MAX_GROUP_LEVELS) candidates.push(j);
  }
  candidates.sort((a, b) => nLevels[a] - nLevels[b] || a - b);
  const maxGroups = Math.floor(n / MIN_MEAN_GROUP_SIZE);
  let groupOf = new Int32Array(n),
    next = new Int32Array(n);
  let nGroups = 1;
  const cols: number[] = [];
  const ids = new Int32Array((maxGroups + 1) * MAX_GROUP_LEVELS);
  for (const j of candidates) {
    const lo = j * (MAX_GROUP_LEVELS + 1),
      m = nLevels[j];
    ids.fill(-1, 0, nGroups * MAX_GROUP_LEVELS);
    let count = 0,
      i = 0;
    for (; i < n && count <= maxGroups; i++) {
      const x = X[i * d + j];
      let l = 0;
      while (l < m && levels[lo + l] !== x) l++;
      if (l === m) break; // a value the sample missed
      const key = groupOf[i] * MAX_GROUP_LEVELS + l;
      if (ids[key] < 0) ids[key] = count++;
      next[i] = ids[key];
    }
    if (i < n || count > maxGroups) continue;
    [groupOf, next] = [next, groupOf];
    nGroups = count;
    cols.push(j);
  }
  return { groupCols: Int32Array.from(cols), groupOf, nGroups };
}

/** Row order: by group, then by the sort column, then by index (a counting sort, then each group sorted). */
function groupedOrder(
  X: Float64Array,
  n: number,
  d: number,
  groupOf: Int32Array,
  nGroups: number,
  sortCol: number,
): { order: Int32Array; groupStart: Int32Array } {
  const groupStart = new Int32Array(nGroups + 1);
  for (let i = 0; i < n; i++) groupStart[groupOf[i] + 1]++;
  for (let g = 0; g < nGroups; g++) groupStart[g + 1] += groupStart[g];
  const order = new Int32Array(n),
    fillAt = groupStart.slice(0, nGroups);
  for (let i = 0; i < n; i++) order[fillAt[groupOf[i]]++] = i;
  for (let g = 0; g < nGroups; g++) {
    order.subarray(groupStart[g], groupStart[g + 1]).sort((a, b) => X[a * d + sortCol] - X[b * d + sortCol] || a - b);
  }
  return { order, groupStart };
}

/** The column with the largest variance outside the group columns (any column if all are grouped). */
function widestColumn(variances: number[], groupCols: Int32Array): number {
  let best = -1;
  for (let pass = 0; pass < 2 && best < 0; pass++) {
    for (let j = 0; j < variances.length; j++) {
      if (pass === 0 && groupCols.includes(j)) continue;
      if (best < 0 || variances[j] > variances[best]) best = j;
    }
  }
  return best;
}

/** Variance of column j over a sample of about SAMPLE_ROWS rows (it only orders columns). */
function variance(X: Float64Array, n: number, d: number, j: number): number {
  const stride = Math.max(1, Math.floor(n / SAMPLE_ROWS));
  let s = 0,
    s2 = 0,
    m = 0;
  for (let i = 0; i < n; i += stride, m++) {
    const x = X[i * d + j];
    s += x;
    s2 += x * x;
  }
  return s2 / m - (s / m) * (s / m);
}
