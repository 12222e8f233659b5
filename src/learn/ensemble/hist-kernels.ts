// The hot loops of histogram boosting, run as tasks by the fitting thread and the helper thread
// (hist-helper.ts, hist-helper-loop.ts): stable partition of a node's rows on a bin-space split, the
// sparse gradient histogram of a row range, logistic gradients and leaf-value margin updates of a
// row range. All work on flat (shared when threaded) typed arrays only.

/** Everything the kernels read; the same arrays (SharedArrayBuffer-backed when threaded) on every thread. */
export interface HistKernelData {
  /** Bumped whenever a field is reassigned, so the helper thread gets the new arrays. */
  version: number;
  nFeatures: number;
  histSize: number;
  /** Column-major bin codes: bins[f * nRows + i]. */
  bins: Uint8Array;
  nRows: number;
  rows: Int32Array;
  tmp: Int32Array;
  /** Interleaved gradient pairs: gh[2 * i] = gradient, gh[2 * i + 1] = hessian of row i. */
  gh: Float64Array;
  /** The sparse row layout (hist-sparse-rows.ts). */
  rowPtr: Int32Array;
  rowSlots: Uint16Array | Int32Array;
  plainFeatures: Int32Array;
  defaultSlot: Int32Array;
  histOffset: Int32Array;
  histEnd: Int32Array;
  groupPtr: Int32Array;
  groupCols: Int32Array;
  groupMode: Int32Array;
  /** Partial histograms, histStride * 2 doubles apart (gradient, hessian interleaved); slots past histSize are scratch. */
  partials: Float64Array;
  histStride: number;
  /** Task records of TASK_INTS ints (see below). */
  tasks: Int32Array;
  /** Binary logistic gradients: margins, 0/1 labels and optional sample weights of all rows. */
  margin: Float64Array | null;
  labels: Int32Array | null;
  weights: Float64Array | null;
  /** Leaf output per task of a margin job (task record: [start, end, margin offset]). */
  leafValues: Float64Array;
}

/** Task record: [start, end, a, b, c, d, result, done flag]. */
export const TASK_INTS = 8;
export const KIND_PARTITION = 1;
export const KIND_HISTOGRAM = 2;
export const KIND_LOGISTIC = 3;
export const KIND_MARGIN = 4;
export const KIND_LOGISTIC_ROOT = 5;

const goesLeft = new Uint8Array(256);

/**
 * Stable partition of rows[start, end) on feature column `col` (f * nRows): rows whose bin is
 * <= splitBin (or the missing bin nb when defaultLeft) keep their order at rows[start ..], the
 * others are written in order to tmp[start ..]. Returns the number of left rows. Branch-free
 * (the direction of a row is unpredictable): every row is written to both sides and only the
 * matching cursor advances.
 */
export function partitionRange(
  d: HistKernelData,
  start: number,
  end: number,
  col: number,
  splitBin: number,
  nb: number,
  defaultLeft: number,
): number {
  const { rows, tmp, bins } = d;
  if (end - start < 2 * nb) return partitionFew(d, start, end, col, splitBin, nb, defaultLeft);
  const lut = goesLeft;
  for (let b = 0; b < nb; b++) lut[b] = b <= splitBin ? 1 : 0;
  lut[nb] = defaultLeft;
  let l = start,
    t = start;
  for (let k = start; k < end; k++) {
    const r = rows[k];
    const c = lut[bins[col + r]];
    rows[l] = r;
    tmp[t] = r;
    l += c;
    t += c ^ 1;
  }
  return l - start;
}

/** partitionRange for ranges too short to pay for the lookup table. */
function partitionFew(
  d: HistKernelData,
  start: number,
  end: number,
  col: number,
  splitBin: number,
  nb: number,
  defaultLeft: number,
): number {
  const { rows, tmp, bins } = d;
  const dl = defaultLeft === 1;
  let l = start,
    t = start;
  for (let k = start; k < end; k++) {
    const r = rows[k],
      b = bins[col + r];
    if (b === nb ? dl : b <= splitBin) rows[l++] = r;
    else tmp[t++] = r;
  }
  return l - start;
}

/**
 * Gradient histogram of rows[start, end) into hist[base, base + 2 * histStride): each row adds
 * to its listed slots only; then every plain feature's most frequent bin is its total minus its
 * other bins, and each one-hot column's bins come from its group's category sums.
 */
export function sparseHistogram(d: HistKernelData, start: number, end: number, hist: Float64Array, base: number): void {
  const { rows, gh, rowPtr, rowSlots } = d;
  hist.fill(0, base, base + 2 * d.histStride);
  let G = 0,
    H = 0;
  for (let k = start; k < end; k++) {
    const r = rows[k];
    const g = gh[2 * r],
      h = gh[2 * r + 1];
    G += g;
    H += h;
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = base + (rowSlots[j] << 1);
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
  finishSparseHistogram(d, hist, base, G, H);
}

/** Fills the bins the row loop skipped: plain features' most frequent bins, one-hot columns' bins. */
function finishSparseHistogram(d: HistKernelData, hist: Float64Array, base: number, G: number, H: number): void {
  const HS = d.histSize;
  const { plainFeatures, defaultSlot, histOffset, histEnd } = d;
  for (let q = 0; q < plainFeatures.length; q++) {
    const f = plainFeatures[q],
      def = defaultSlot[f];
    let g = G,
      h = H;
    for (let b = histOffset[f], last = histEnd[f]; b <= last; b++) {
      if (b !== def) {
        g -= hist[base + 2 * b];
        h -= hist[base + 2 * b + 1];
      }
    }
    hist[base + 2 * def] = g;
    hist[base + 2 * def + 1] = h;
  }
  const { groupPtr, groupCols, groupMode } = d;
  for (let gi = 0; gi + 1 < groupPtr.length; gi++) {
    const first = groupPtr[gi],
      last = groupPtr[gi + 1],
      mode = first + groupMode[gi];
    let g = G,
      h = H;
    for (let k = first; k < last; k++)
      if (k !== mode) {
        g -= hist[base + 2 * (HS + k)];
        h -= hist[base + 2 * (HS + k) + 1];
      }
    hist[base + 2 * (HS + mode)] = g;
    hist[base + 2 * (HS + mode) + 1] = h;
    for (let k = first; k < last; k++) {
      const s0 = base + 2 * histOffset[groupCols[k]]; // bins 0, 1 and the (empty) missing bin
      const cg = hist[base + 2 * (HS + k)],
        ch = hist[base + 2 * (HS + k) + 1];
      hist[s0] = G - cg;
      hist[s0 + 1] = H - ch;
      hist[s0 + 2] = cg;
      hist[s0 + 3] = ch;
    }
  }
}

// exp(x) = 2^k * 2^(j/64) * exp(r) with |r| <= ln2/128: a 64-entry table, a degree-5 polynomial
// and a power-of-two table; within 2 ulp of Math.exp and about 3x faster where Math.exp and
// Math.round are library calls. Rounding to an integer uses the 1.5 * 2^52 shift.
const EXP_TABLE = Float64Array.from({ length: 64 }, (_, j) => Math.exp((j / 64) * Math.LN2));
const POW2_BIAS = 1100;
const POW2 = Float64Array.from({ length: 2 * POW2_BIAS }, (_, k) => 2 ** (k - POW2_BIAS));
// biome-ignore-start lint/correctness/noPrecisionLoss: fdlibm's ln2 split, quoted digit for digit as published
const EXP_INV = 64 / Math.LN2,
  EXP_HI = 6.9314718036912381649e-1 / 64,
  EXP_LO = 1.90821492927058770002e-10 / 64;
// biome-ignore-end lint/correctness/noPrecisionLoss: -
const ROUND_SHIFT = 6755399441055744.0;

/** exp(x), within 2 ulp of Math.exp (which it falls back to outside (-700, 700) and for NaN). */
export function fastExp(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x);
  const kf = x * EXP_INV + ROUND_SHIFT - ROUND_SHIFT;
  const r = x - kf * EXP_HI - kf * EXP_LO;
  const ki = kf | 0,
    j = ki & 63;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return EXP_TABLE[j] * POW2[((ki - j) >> 6) + POW2_BIAS] * p;
}

/**
 * Logistic-loss gradient pairs of rows [start, end) into gh: XGBoost's formulas and hessian floor
 * (XGBoost itself evaluates the sigmoid in float32).
 */
export function logisticGradients(d: HistKernelData, start: number, end: number): void {
  const { gh } = d,
    margin = d.margin!,
    y = d.labels!,
    w = d.weights;
  for (let i = start; i < end; i++) {
    const p = 1 / (1 + fastExp(-margin[i]));
    const wi = w ? w[i] : 1;
    gh[2 * i] = (p - y[i]) * wi;
    gh[2 * i + 1] = Math.max(p * (1 - p), 1e-16) * wi;
  }
}

/**
 * logisticGradients and the sparse histogram of rows [start, end) in index order (the root of a
 * tree over all rows) in one pass; the same sums, in the same order, as the two kernels in turn.
 */
export function logisticRootHistogram(d: HistKernelData, start: number, end: number, base: number): void {
  const { gh, rowPtr, rowSlots } = d,
    margin = d.margin!,
    y = d.labels!,
    w = d.weights;
  const hist = d.partials;
  hist.fill(0, base, base + 2 * d.histStride);
  let G = 0,
    H = 0;
  for (let i = start; i < end; i++) {
    const p = 1 / (1 + fastExp(-margin[i]));
    const wi = w ? w[i] : 1;
    const g = (p - y[i]) * wi,
      h = Math.max(p * (1 - p), 1e-16) * wi;
    gh[2 * i] = g;
    gh[2 * i + 1] = h;
    G += g;
    H += h;
    for (let j = rowPtr[i], e = rowPtr[i + 1]; j < e; j++) {
      const b = base + (rowSlots[j] << 1);
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
  finishSparseHistogram(d, hist, base, G, H);
}

/** Adds a leaf's output to the margins of its rows rows[start, end) (margin[offset + row]). */
export function addLeafValue(d: HistKernelData, start: number, end: number, offset: number, v: number): void {
  const { rows } = d,
    margin = d.margin!;
  for (let q = start; q < end; q++) margin[offset + rows[q]] += v;
}

/** Runs task i of the given kind; a partition task stores its left count in the record. */
export function runTask(d: HistKernelData, kind: number, i: number): void {
  const t = d.tasks,
    o = i * TASK_INTS;
  if (kind === KIND_PARTITION) t[o + 6] = partitionRange(d, t[o], t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5]);
  else if (kind === KIND_HISTOGRAM) sparseHistogram(d, t[o], t[o + 1], d.partials, t[o + 2] * 2 * d.histStride);
  else if (kind === KIND_LOGISTIC) logisticGradients(d, t[o], t[o + 1]);
  else if (kind === KIND_LOGISTIC_ROOT) logisticRootHistogram(d, t[o], t[o + 1], t[o + 2] * 2 * d.histStride);
  else addLeafValue(d, t[o], t[o + 1], t[o + 2], d.leafValues[i]);
}
