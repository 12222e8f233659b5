// The sparse row layout the histogram kernel (hist-kernels.ts sparseHistogram) walks: per row,
// only the histogram slots that differ from each feature's most frequent bin; the most frequent
// bin is recovered as node total minus the rest (the sparsity trick of XGBoost and LightGBM).
// One-hot groups — runs of consecutive two-bin columns with exactly one column in its upper bin
// in every row — are stored as one categorical: a row lists the slot of its category only (none
// for the most frequent category), and each column's two bins are derived from the category
// sums afterwards. That halves the entries of one-hot encoded categoricals.
import { binCount, type BinCuts } from './hist-binning.js';

export interface SparseRows {
  /** Slots of row i: rowSlots[rowPtr[i] .. rowPtr[i + 1]), in feature order. */
  rowPtr: Int32Array;
  rowSlots: Uint16Array | Int32Array;
  /** Features outside one-hot groups, their most frequent bin's slot, and their last slot. */
  plainFeatures: Int32Array;
  defaultSlot: Int32Array;
  histEnd: Int32Array;
  /** One-hot group g holds columns groupCols[groupPtr[g] .. groupPtr[g + 1]); column k's category slot is histSize + k. */
  groupPtr: Int32Array;
  groupCols: Int32Array;
  /** Position (within its group) of the group's most frequent category. */
  groupMode: Int32Array;
  /** Slots per partial histogram: histSize + groupCols.length. */
  histStride: number;
}

type Alloc = (len: number) => Int32Array;

/** Bin counts of every feature, binCount + 1 entries each (the last is the missing bin). */
function binCounts(bins: Uint8Array, cuts: BinCuts, n: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let f = 0; f < cuts.nFeatures; f++) {
    const counts = new Int32Array(binCount(cuts, f) + 1),
      col = f * n;
    for (let i = 0; i < n; i++) counts[bins[col + i]]++;
    out.push(counts);
  }
  return out;
}

/** Maximal runs of consecutive two-bin columns (no missing values) that are one-hot in every row. */
function findOneHotGroups(bins: Uint8Array, counts: Int32Array[], n: number): number[][] {
  const nF = counts.length;
  const binary = (f: number): boolean => counts[f].length === 3 && counts[f][2] === 0 && counts[f][1] > 0;
  const groups: number[][] = [];
  const sum = new Uint8Array(n);
  let f = 0;
  while (f < nF) {
    if (!binary(f)) {
      f++;
      continue;
    }
    sum.set(bins.subarray(f * n, (f + 1) * n));
    let end = -1;
    for (let g = f + 1; g < nF && binary(g); g++) {
      const col = g * n;
      let fits = true;
      for (let i = 0; i < n && fits; i++) fits = sum[i] + bins[col + i] <= 1;
      if (!fits) break;
      let complete = true;
      for (let i = 0; i < n; i++) {
        sum[i] += bins[col + i];
        complete &&= sum[i] === 1;
      }
      if (complete) end = g + 1;
    }
    if (end > 0) {
      groups.push(Array.from({ length: end - f }, (_, k) => f + k));
      f = end;
    } else f++;
  }
  return groups;
}

export function buildSparseRows(
  bins: Uint8Array,
  cuts: BinCuts,
  n: number,
  histOffset: Int32Array,
  histSize: number,
  i32: Alloc,
  u16: (len: number) => Uint16Array,
): SparseRows {
  const nF = cuts.nFeatures;
  const counts = binCounts(bins, cuts, n);
  const groups = findOneHotGroups(bins, counts, n);
  const groupOf = new Int32Array(nF).fill(-1);
  const groupPtr = i32(groups.length + 1),
    groupCols = i32(groups.reduce((s, g) => s + g.length, 0)),
    groupMode = i32(groups.length);
  groups.forEach((cols, g) => {
    groupPtr[g + 1] = groupPtr[g] + cols.length;
    let mode = 0;
    cols.forEach((f, k) => {
      groupCols[groupPtr[g] + k] = f;
      groupOf[f] = groupPtr[g] + k;
      if (counts[f][1] > counts[cols[mode]][1]) mode = k;
    });
    groupMode[g] = mode;
  });
  const histStride = histSize + groupCols.length;
  // per feature: the bin a row must differ from to get an entry, and the slot it then gets
  // (group columns: bin 0, so only a row's own category counts; the mode category's column never)
  const skipBin = new Int32Array(nF),
    plain: number[] = [];
  const defaultSlot = i32(nF),
    histEnd = i32(nF);
  for (let f = 0; f < nF; f++) {
    histEnd[f] = histOffset[f] + binCount(cuts, f);
    if (groupOf[f] >= 0) {
      skipBin[f] = 0;
      continue;
    }
    let def = 0;
    for (let b = 1; b < counts[f].length; b++) if (counts[f][b] > counts[f][def]) def = b;
    skipBin[f] = def;
    defaultSlot[f] = histOffset[f] + def;
    plain.push(f);
  }
  const isModeColumn = (f: number): boolean => {
    const k = groupOf[f];
    if (k < 0) return false;
    const g = groups.findIndex((cols) => cols.includes(f));
    return k === groupPtr[g] + groupMode[g];
  };
  const skipColumn = Uint8Array.from({ length: nF }, (_, f) => (isModeColumn(f) ? 1 : 0));
  const rowPtr = i32(n + 1);
  for (let f = 0; f < nF; f++) {
    if (skipColumn[f]) continue;
    const col = f * n,
      skip = skipBin[f];
    for (let i = 0; i < n; i++) rowPtr[i + 1] += bins[col + i] !== skip ? 1 : 0;
  }
  for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
  const nnz = rowPtr[n];
  const rowSlots = histStride <= 0xffff ? u16(nnz) : i32(nnz);
  const fill = rowPtr.slice(0, n);
  for (let f = 0; f < nF; f++) {
    if (skipColumn[f]) continue;
    const col = f * n,
      skip = skipBin[f],
      k = groupOf[f];
    if (k >= 0) {
      for (let i = 0; i < n; i++) if (bins[col + i] !== 0) rowSlots[fill[i]++] = histSize + k;
    } else {
      const slot0 = histOffset[f];
      for (let i = 0; i < n; i++) {
        const b = bins[col + i];
        if (b !== skip) rowSlots[fill[i]++] = slot0 + b;
      }
    }
  }
  return {
    rowPtr,
    rowSlots,
    plainFeatures: Int32Array.from(plain),
    defaultSlot,
    histEnd,
    groupPtr,
    groupCols,
    groupMode,
    histStride,
  };
}
