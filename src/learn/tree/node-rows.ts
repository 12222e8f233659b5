// Row bookkeeping of a node split: routing rows left/right, stable partitions that keep every
// presorted list sorted, and node histograms of the low-cardinality features.
import { PACKED_WEIGHT_BITS, PACKED_WEIGHT_MAX, type TreeWorkspace } from './tree-workspace.js';

/**
 * Stable partition of samples (with their weights and classes) by goLeft, so node scans keep
 * reading sequentially.
 */
export function partitionRows(ws: TreeWorkspace, from: number, to: number): void {
  if (ws.packedWeights) partitionWithOne(ws.samples, ws.sampCode, ws.tmp, ws.tmpCode, ws.goLeft, from, to);
  else partitionWithTwo(ws.samples, ws.sampY, ws.sampW, ws.tmp, ws.tmpY, ws.tmpW, ws.goLeft, from, to);
}

/** Stable partition of a presorted list and its ranks (and weights), so both children stay sorted. */
export function partitionSortedList(ws: TreeWorkspace, from: number, to: number): void {
  if (ws.packedWeights) partitionWithOne(ws.lists, ws.listRanks, ws.tmp, ws.tmpRanks, ws.goLeft, from, to);
  else partitionWithTwo(ws.lists, ws.listRanks, ws.listW, ws.tmp, ws.tmpRanks, ws.tmpListW, ws.goLeft, from, to);
}

// Branch-free: every entry is written to both destinations and only the chosen cursor advances,
// since near the root the side is a coin flip and a mispredicted branch costs more than the extra
// stores. Rows going right wait in tmp (indexed from 0) and are copied back after the left ones.

/** Partitions rows[from, to) and one column moved with it. */
function partitionWithOne(
  rows: Int32Array,
  a: Int32Array,
  tmp: Int32Array,
  tmpA: Int32Array,
  goLeft: Uint8Array,
  from: number,
  to: number,
): void {
  let l = from,
    t = 0;
  for (let p = from; p < to; p++) {
    const r = rows[p],
      x = a[p];
    const g = goLeft[r];
    a[l] = x;
    rows[l] = r;
    tmpA[t] = x;
    tmp[t] = r;
    l += g;
    t += 1 - g;
  }
  rows.set(tmp.subarray(0, t), l);
  a.set(tmpA.subarray(0, t), l);
}

/** Partitions rows[from, to) and two columns moved with it. */
function partitionWithTwo(
  rows: Int32Array,
  a: Int32Array,
  b: Float64Array,
  tmp: Int32Array,
  tmpA: Int32Array,
  tmpB: Float64Array,
  goLeft: Uint8Array,
  from: number,
  to: number,
): void {
  let l = from,
    t = 0;
  for (let p = from; p < to; p++) {
    const r = rows[p],
      x = a[p],
      w = b[p];
    const g = goLeft[r];
    a[l] = x;
    b[l] = w;
    rows[l] = r;
    tmpA[t] = x;
    tmpB[t] = w;
    tmp[t] = r;
    l += g;
    t += 1 - g;
  }
  rows.set(tmp.subarray(0, t), l);
  a.set(tmpA.subarray(0, t), l);
  b.set(tmpB.subarray(0, t), l);
}

/**
 * Counts rows[start, end) into h via the sparse rows; each feature's default value is filled as
 * the node totals (rows, class weight sums) minus its other values.
 */
export function fillNodeHistogram(
  ws: TreeWorkspace,
  h: Float64Array,
  start: number,
  end: number,
  sums: ArrayLike<number>,
): void {
  const { histOffset, valueOffsets, defaultRank, rowPtr, rowSlot, nFeatures: nF, nClasses: nc } = ws.data;
  const hs = nc + 1;
  if (ws.packedWeights) countSparseRowsPacked(h, start, end, ws.samples, ws.sampCode, rowPtr, rowSlot, hs);
  else countSparseRows(h, start, end, ws.samples, ws.sampY, ws.sampW, rowPtr, rowSlot, hs);
  for (let f = 0; f < nF; f++) {
    const off = histOffset[f];
    if (off < 0) continue;
    const K = valueOffsets[f + 1] - valueOffsets[f];
    const d = (off + defaultRank[f]) * hs;
    let cnt = end - start;
    for (let b = off * hs, e = (off + K) * hs; b < e; b += hs) if (b !== d) cnt -= h[b];
    h[d] = cnt;
    for (let c = 0; c < nc; c++) {
      let wc = sums[c];
      for (let b = off * hs, e = (off + K) * hs; b < e; b += hs) if (b !== d) wc -= h[b + 1 + c];
      h[d + 1 + c] = wc;
    }
  }
}

/** Marks goLeft for the rows of [start, end) by the split (feature f at rank <= rankLo); returns the left count. */
export function routeRows(
  ws: TreeWorkspace,
  f: number,
  rankLo: number,
  nLeft: number,
  start: number,
  end: number,
): number {
  const { goLeft, lists, samples } = ws;
  const { sortedSlot, smallRanks, nRows: n } = ws.data;
  const slot = sortedSlot[f];
  if (slot >= 0) {
    // the presorted list of the split feature already has the left rows first
    const lb = slot * n;
    for (let p = lb + start, e = lb + start + nLeft; p < e; p++) goLeft[lists[p]] = 1;
    for (let p = lb + start + nLeft, e = lb + end; p < e; p++) goLeft[lists[p]] = 0;
    return nLeft;
  }
  const fb = f * n;
  let nl = 0;
  for (let p = start; p < end; p++) {
    const r = samples[p];
    const g = smallRanks[fb + r] <= rankLo ? 1 : 0;
    goLeft[r] = g;
    nl += g;
  }
  return nl;
}

export function countSparseRows(
  h: Float64Array,
  start: number,
  end: number,
  samples: Int32Array,
  sampY: Int32Array,
  sampW: Float64Array,
  rowPtr: Int32Array,
  rowSlot: Int32Array,
  hs: number,
): void {
  for (let p = start; p < end; p++) {
    const r = samples[p];
    const y1 = 1 + sampY[p],
      w = sampW[p];
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = rowSlot[j] * hs;
      h[b] += 1;
      h[b + y1] += w;
    }
  }
}

/** countSparseRows over packed sample codes (class << PACKED_WEIGHT_BITS | weight). */
function countSparseRowsPacked(
  h: Float64Array,
  start: number,
  end: number,
  samples: Int32Array,
  sampCode: Int32Array,
  rowPtr: Int32Array,
  rowSlot: Int32Array,
  hs: number,
): void {
  for (let p = start; p < end; p++) {
    const r = samples[p],
      code = sampCode[p];
    const y1 = 1 + (code >> PACKED_WEIGHT_BITS),
      w = code & PACKED_WEIGHT_MAX;
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = rowSlot[j] * hs;
      h[b] += 1;
      h[b + y1] += w;
    }
  }
}
