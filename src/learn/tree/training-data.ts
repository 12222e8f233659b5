// Rank-encodes a training matrix once for the exact best-split search: each feature's values are
// rounded to float32 (scikit-learn trees work in float32), their sorted distinct values kept,
// and every cell replaced by its rank. High-cardinality features also get their rows presorted
// so a node never sorts them; low-cardinality ones are counted into histograms instead.
import type { Matrix } from '../core/matrix.js';
import { allocArray } from '../core/shared-arrays.js';

/** Features with more distinct values than this are kept as presorted row lists. */
export const HISTOGRAM_MAX_VALUES = 256;

export interface TreeTrainingData {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly nClasses: number;
  /** Class index per row (into classes_). */
  readonly yIdx: Int32Array;
  /** Column-major ranks: ranks[f * nRows + i] indexes this feature's distinct values. */
  readonly ranks: Int32Array;
  /** Distinct float32-rounded values of every feature, ascending, concatenated (NaN as -Infinity). */
  readonly values: Float64Array;
  /** values of feature f are values[valueOffsets[f] .. valueOffsets[f + 1]). */
  readonly valueOffsets: Int32Array;
  /** Column-major ranks as bytes for histogram-counted features (zero for presorted ones). */
  readonly smallRanks: Uint8Array;
  /**
   * Node histograms of histogram-counted features: feature f's value r has slot
   * histOffset[f] + r (histOffset is -1 for presorted features); histSlots slots in all.
   */
  readonly histOffset: Int32Array;
  readonly histSlots: number;
  /** Most frequent rank of each histogram-counted feature (its slot is filled by subtraction). */
  readonly defaultRank: Int32Array;
  /** Sparse rows: histogram slots of row i whose rank is not the default are rowSlot[rowPtr[i] .. rowPtr[i + 1]). */
  readonly rowPtr: Int32Array;
  readonly rowSlot: Int32Array;
  /** Slot of feature f in sortedOrder, or -1 when it is histogram-counted. */
  readonly sortedSlot: Int32Array;
  /** Per presorted feature, all rows in ascending rank (ties by row index). */
  readonly sortedOrder: Int32Array;
  /** rank * nClasses + class of each sortedOrder entry (ascending within a slot), the tree builder's list key. */
  readonly sortedKeys: Int32Array;
}

/** Builds the rank encoding; with `shared` every array lives in a SharedArrayBuffer (for workers). */
export function prepareTreeData(X: Matrix, yIdx: Int32Array, nClasses: number, shared = false): TreeTrainingData {
  const { nRows: n, nCols: nF, data } = X;
  const ranks = allocArray(Int32Array, n * nF, shared);
  const perFeature: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let f = 0; f < nF; f++) {
    for (let i = 0; i < n; i++) {
      const v = data[i * nF + f];
      col[i] = v !== v ? -Infinity : Math.fround(v);
    }
    const base = f * n;
    const few = distinctFew(col);
    if (few) {
      perFeature.push(few);
      const rankOf = new Map<number, number>();
      few.forEach((v, r) => rankOf.set(v, r));
      for (let i = 0; i < n; i++) ranks[base + i] = rankOf.get(col[i])!;
      continue;
    }
    perFeature.push(rankBySort(col, ranks, base));
  }
  const valueOffsets = allocArray(Int32Array, nF + 1, shared);
  for (let f = 0; f < nF; f++) valueOffsets[f + 1] = valueOffsets[f] + perFeature[f].length;
  const values = allocArray(Float64Array, valueOffsets[nF], shared);
  for (let f = 0; f < nF; f++) values.set(perFeature[f], valueOffsets[f]);

  const sortedSlot = allocArray(Int32Array, nF, shared);
  let nSorted = 0;
  for (let f = 0; f < nF; f++) sortedSlot[f] = perFeature[f].length > HISTOGRAM_MAX_VALUES ? nSorted++ : -1;
  const sortedOrder = allocArray(Int32Array, nSorted * n, shared);
  if (n * nClasses > 0x7fffffff)
    throw new RangeError(`too many rows x classes for the tree builder (${n} x ${nClasses})`);
  const sortedKeys = allocArray(Int32Array, nSorted * n, shared);
  for (let f = 0; f < nF; f++) {
    const slot = sortedSlot[f];
    if (slot < 0) continue;
    // counting sort by rank: stable, so ties stay in row order
    const k = perFeature[f].length;
    const start = new Int32Array(k + 1);
    const base = f * n;
    for (let i = 0; i < n; i++) start[ranks[base + i] + 1]++;
    for (let r = 0; r < k; r++) start[r + 1] += start[r];
    const out = slot * n;
    for (let i = 0; i < n; i++) {
      const rk = ranks[base + i];
      const at = out + start[rk]++;
      sortedOrder[at] = i;
      sortedKeys[at] = rk * nClasses + yIdx[i];
    }
  }
  const smallRanks = allocArray(Uint8Array, n * nF, shared);
  for (let f = 0; f < nF; f++) {
    if (sortedSlot[f] >= 0) continue;
    smallRanks.set(ranks.subarray(f * n, (f + 1) * n), f * n);
  }
  const histOffset = allocArray(Int32Array, nF, shared);
  const defaultRank = allocArray(Int32Array, nF, shared);
  let histSlots = 0,
    nnz = 0;
  for (let f = 0; f < nF; f++) {
    if (sortedSlot[f] >= 0) {
      histOffset[f] = -1;
      continue;
    }
    const k = perFeature[f].length;
    histOffset[f] = histSlots;
    histSlots += k;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) counts[ranks[f * n + i]]++;
    let def = 0;
    for (let r = 1; r < k; r++) if (counts[r] > counts[def]) def = r;
    defaultRank[f] = def;
    nnz += n - counts[def];
  }
  const rowPtr = allocArray(Int32Array, n + 1, shared);
  const rowSlot = allocArray(Int32Array, nnz, shared);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < nF; f++) {
      if (histOffset[f] < 0) continue;
      const r = ranks[f * n + i];
      if (r !== defaultRank[f]) rowSlot[at++] = histOffset[f] + r;
    }
    rowPtr[i + 1] = at;
  }
  const yCopy = allocArray(Int32Array, n, shared);
  yCopy.set(yIdx);
  return {
    nRows: n,
    nFeatures: nF,
    nClasses,
    yIdx: yCopy,
    ranks,
    values,
    valueOffsets,
    smallRanks,
    histOffset,
    histSlots,
    defaultRank,
    rowPtr,
    rowSlot,
    sortedSlot,
    sortedOrder,
    sortedKeys,
  };
}

/** Ascending distinct values when there are at most HISTOGRAM_MAX_VALUES of them, else null. */
function distinctFew(col: Float64Array): Float64Array | null {
  const seen = new Set<number>();
  for (let i = 0; i < col.length; i++) {
    seen.add(col[i]);
    if (seen.size > HISTOGRAM_MAX_VALUES) return null;
  }
  return Float64Array.from(seen).sort();
}

const ROW_BITS = 2 ** 21;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Ranks a high-cardinality column (float32 values) into ranks[base ..] and returns its ascending
 * distinct values. Each value's float32 bits, made order-preserving, and its row index are packed
 * into one float64 (exact below 2^21 rows), so one native sort yields the ranks directly.
 */
function rankBySort(col: Float64Array, ranks: Int32Array, base: number): Float64Array {
  const n = col.length;
  if (n >= ROW_BITS) {
    const sorted = col.slice().sort();
    let k = 0;
    for (let j = 0; j < n; j++) if (j === 0 || sorted[j] !== sorted[k - 1]) sorted[k++] = sorted[j];
    const uniq = sorted.slice(0, k);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      let lo = 0,
        hi = k - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (uniq[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      ranks[base + i] = lo;
    }
    return uniq;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    f32[0] = col[i];
    const bits = u32[0];
    const key = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
    keys[i] = key * ROW_BITS + i;
  }
  keys.sort();
  const uniq: number[] = [];
  let lastKey = -1,
    rank = -1;
  for (let j = 0; j < n; j++) {
    const key = Math.floor(keys[j] / ROW_BITS);
    const i = keys[j] - key * ROW_BITS;
    if (key !== lastKey) {
      rank++;
      lastKey = key;
      uniq.push(col[i]);
    }
    ranks[base + i] = rank;
  }
  return Float64Array.from(uniq);
}
