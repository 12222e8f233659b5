// Row bookkeeping of a node split: routing rows left/right, stable partitions that keep every
// presorted list sorted, and node histograms of the low-cardinality features.
import { PACKED_WEIGHT_BITS, PACKED_WEIGHT_MAX, type TreeWorkspace } from './tree-workspace.js';

/**
 * Stable partition of samples (with their weights and classes) by goLeft. Branch-free: every
 * entry is written to both destinations and only the chosen cursor advances, since near the
 * root the side is a coin flip and a mispredicted branch costs more than the extra stores.
 */
export function partitionRows(ws: TreeWorkspace, from: number, to: number): void {
  const { samples, sampW, sampY, tmp, tmpW, tmpY, goLeft } = ws;
  let l = from, t = 0;
  if (ws.packedWeights) {
    const { sampCode, tmpCode } = ws;
    for (let p = from; p < to; p++) {
      const r = samples[p], c = sampCode[p];
      const g = goLeft[r];
      sampCode[l] = c; samples[l] = r;
      tmpCode[t] = c; tmp[t] = r;
      l += g; t += 1 - g;
    }
    samples.set(tmp.subarray(0, t), l);
    sampCode.set(tmpCode.subarray(0, t), l);
    return;
  }
  for (let p = from; p < to; p++) {
    const r = samples[p], w = sampW[p], y = sampY[p];
    const g = goLeft[r];
    sampW[l] = w; sampY[l] = y; samples[l] = r;
    tmpW[t] = w; tmpY[t] = y; tmp[t] = r;
    l += g; t += 1 - g;
  }
  samples.set(tmp.subarray(0, t), l);
  sampW.set(tmpW.subarray(0, t), l);
  sampY.set(tmpY.subarray(0, t), l);
}

/** Stable partition of a presorted list and its ranks, so both children stay sorted (branch-free, as partitionRows). */
export function partitionSortedList(ws: TreeWorkspace, from: number, to: number): void {
  const { lists, listRanks, listW, tmp, tmpRanks, tmpListW, goLeft } = ws;
  let l = from, t = 0;
  if (ws.packedWeights) {
    for (let p = from; p < to; p++) {
      const r = lists[p], k = listRanks[p];
      const g = goLeft[r];
      listRanks[l] = k; lists[l] = r;
      tmpRanks[t] = k; tmp[t] = r;
      l += g; t += 1 - g;
    }
    lists.set(tmp.subarray(0, t), l);
    listRanks.set(tmpRanks.subarray(0, t), l);
    return;
  }
  for (let p = from; p < to; p++) {
    const r = lists[p], k = listRanks[p], w = listW[p];
    const g = goLeft[r];
    listRanks[l] = k; listW[l] = w; lists[l] = r;
    tmpRanks[t] = k; tmpListW[t] = w; tmp[t] = r;
    l += g; t += 1 - g;
  }
  lists.set(tmp.subarray(0, t), l);
  listRanks.set(tmpRanks.subarray(0, t), l);
  listW.set(tmpListW.subarray(0, t), l);
}

/**
 * Counts rows[start, end) into h via the sparse rows; each feature's default value is filled as
 * the node totals (rows, class weight sums) minus its other values.
 */
export function fillNodeHistogram(ws: TreeWorkspace, h: Float64Array, start: number, end: number, sums: ArrayLike<number>): void {
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
export function routeRows(ws: TreeWorkspace, f: number, rankLo: number, nLeft: number, start: number, end: number): number {
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
    goLeft[r] = g; nl += g;
  }
  return nl;
}

export function countSparseRows(h: Float64Array, start: number, end: number, samples: Int32Array, sampY: Int32Array,
  sampW: Float64Array, rowPtr: Int32Array, rowSlot: Int32Array, hs: number): void {
  for (let p = start; p < end; p++) {
    const r = samples[p];
    const y1 = 1 + sampY[p], w = sampW[p];
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = rowSlot[j] * hs;
      h[b] += 1; h[b + y1] += w;
    }
  }
}

/** countSparseRows over packed sample codes (class << PACKED_WEIGHT_BITS | weight). */
function countSparseRowsPacked(h: Float64Array, start: number, end: number, samples: Int32Array, sampCode: Int32Array,
  rowPtr: Int32Array, rowSlot: Int32Array, hs: number): void {
  for (let p = start; p < end; p++) {
    const r = samples[p], code = sampCode[p];
    const y1 = 1 + (code >> PACKED_WEIGHT_BITS), w = code & PACKED_WEIGHT_MAX;
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = rowSlot[j] * hs;
      h[b] += 1; h[b + y1] += w;
    }
  }
}
