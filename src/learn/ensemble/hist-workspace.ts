// Per-fit state of histogram boosting: the binned data in the sparse row layout the kernels walk
// (hist-sparse-rows.ts), the row order of the tree being grown, gradient pairs, partial
// histograms and task records — on SharedArrayBuffers for large fits, so the helper thread
// (hist-helper.ts) can take a share of every step — plus the row-chunking rule all steps use.
import { allocArray, sharedCopy } from '../core/shared-arrays.js';
import { binCount, type BinCuts } from './hist-binning.js';
import {
  addLeafValue,
  KIND_LOGISTIC,
  KIND_LOGISTIC_ROOT,
  KIND_MARGIN,
  TASK_INTS,
  type HistKernelData,
} from './hist-kernels.js';
import { endHistHelper, runSharedTasks, startHistHelper } from './hist-helper.js';
import { buildSparseRows } from './hist-sparse-rows.js';
import type { HistTree } from './hist-tree-builder.js';

/** Fits with at least this many rows build shared buffers and use a helper thread (hist-helper.ts). */
const THREAD_MIN_ROWS = 20_000;
/**
 * Large nodes are processed in row chunks of about CHUNK_ROWS (at most MAX_CHUNKS): each chunk is
 * one task for whichever thread claims it, and a node's histogram is the sum of its chunks'
 * histograms in chunk order. This fixed rule, not the number of threads, decides the summation
 * order, so threaded and in-thread fits are bit-identical. (Partitions are exact in any case.)
 */
export const CHUNK_ROWS = 8192;
export const MAX_CHUNKS = 8;
/** Levels with fewer rows of work than this stay on the fitting thread (hand-over cost). */
export const PARALLEL_MIN_ROWS = 4096;

export class HistWorkspace {
  /** Flat arrays the kernels work on (SharedArrayBuffer-backed when `shared`). */
  readonly data: HistKernelData;
  readonly shared: boolean;
  readonly rows: Int32Array;
  readonly nFeatures: number;
  readonly activeSlots: Int32Array;
  /** Histogram slot of (feature f, bin b) is histOffset[f] + b; each feature has binCount + 1 slots. */
  readonly histOffset: Int32Array;
  readonly histSize: number;
  /** Partial histograms per task batch (data.partials holds this many). */
  readonly maxSlots: number;
  private pool: Float64Array[] = [];
  private rowBinsCache: Uint8Array | undefined;
  /** Chunks of the root histogram logisticGradients left in partial slots 0 .. rootChunks - 1. */
  private rootChunks = 0;

  constructor(
    readonly bins: Uint8Array,
    readonly cuts: BinCuts,
    readonly nRows: number,
  ) {
    const nF = cuts.nFeatures;
    this.shared = nRows >= THREAD_MIN_ROWS && typeof SharedArrayBuffer === 'function';
    if (this.shared) startHistHelper();
    const sh = this.shared;
    const i32 = (len: number): Int32Array => allocArray(Int32Array, len, sh);
    const f64 = (len: number): Float64Array => allocArray(Float64Array, len, sh);
    this.nFeatures = nF;
    this.activeSlots = new Int32Array(nF);
    this.histOffset = i32(nF);
    let off = 0;
    for (let f = 0; f < nF; f++) {
      this.histOffset[f] = off;
      off += binCount(cuts, f) + 1;
    }
    this.histSize = off;
    const sharedBins = sh ? sharedCopy(bins) : bins;
    const u16 = (len: number): Uint16Array => allocArray(Uint16Array, len, sh);
    const sparse = buildSparseRows(bins, cuts, nRows, this.histOffset, off, i32, u16);
    // a batch's tasks must fit; small data never has many large nodes per level
    const slotCap = Math.min(128, Math.ceil(nRows / 64), Math.floor(2 ** 21 / Math.max(1, sparse.histStride)));
    this.maxSlots = Math.max(MAX_CHUNKS, slotCap);
    this.rows = i32(nRows);
    this.data = {
      version: 0,
      nFeatures: nF,
      histSize: off,
      bins: sharedBins,
      nRows,
      rows: this.rows,
      tmp: i32(nRows),
      gh: f64(2 * nRows),
      ...sparse,
      histOffset: this.histOffset,
      partials: f64(this.maxSlots * 2 * sparse.histStride),
      tasks: i32(Math.max(this.maxSlots, 256) * TASK_INTS),
      margin: null,
      labels: null,
      weights: null,
      leafValues: f64(Math.max(this.maxSlots, 256)),
    };
  }

  /** Whether the helper thread may work on `a` (a copy would be posted otherwise). */
  private sharesArray(a: Float64Array): boolean {
    return this.shared && a.buffer instanceof SharedArrayBuffer;
  }

  /** A Float64Array the helper thread can read (shared when this workspace is). */
  float64(len: number): Float64Array {
    return allocArray(Float64Array, len, this.shared);
  }

  /**
   * Adds each leaf's output to the margins of the rows that reached it (margin[offset + row]),
   * after buildHistTree; `margin` must come from float64() for the helper thread to share the work.
   */
  addLeafValues(
    margin: Float64Array,
    offset: number,
    tree: HistTree,
    nodeStart: Int32Array,
    nodeEnd: Int32Array,
  ): void {
    const d = this.data,
      leaves: { start: number; end: number; v: number }[] = [];
    if (d.margin !== margin) {
      d.margin = margin;
      d.version++;
    }
    if (!this.sharesArray(margin)) {
      for (let node = 0; node < tree.nodeCount; node++) {
        if (tree.feature[node] < 0) addLeafValue(d, nodeStart[node], nodeEnd[node], offset, tree.value[node]);
      }
      return;
    }
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.feature[node] < 0 && nodeEnd[node] > nodeStart[node])
        leaves.push({ start: nodeStart[node], end: nodeEnd[node], v: tree.value[node] });
    }
    for (const batch of chunkBatches(leaves, d.leafValues.length)) {
      batch.tasks.forEach((t, i) => {
        const o = i * TASK_INTS;
        d.tasks[o] = t.start;
        d.tasks[o + 1] = t.end;
        d.tasks[o + 2] = offset;
        d.leafValues[i] = leaves[t.q].v;
      });
      runSharedTasks(d, this.sharesArray(margin) && batch.rows >= PARALLEL_MIN_ROWS, KIND_MARGIN, batch.tasks.length);
    }
  }

  /**
   * Binary logistic gradients of all rows from `margin` (allocated by float64()) into the
   * workspace's gradient pairs; buildHistTree then takes grad = hess = null. With
   * `withRootHistogram` (the next tree grows on all rows and all features) the root's histogram is
   * built in the same pass, chunk by chunk as buildHistTree would, and buildHistTree takes it over.
   */
  logisticGradients(
    margin: Float64Array,
    labels: Int32Array,
    weights: Float64Array | undefined,
    withRootHistogram = false,
  ): void {
    const d = this.data;
    if (d.margin !== margin) {
      d.margin = margin;
      d.version++;
    }
    if (d.labels === null) {
      d.version++;
      d.labels = labels;
      d.weights = weights ?? null;
      if (this.shared) {
        d.labels = sharedCopy(labels);
        if (weights) d.weights = sharedCopy(weights);
      }
    }
    const n = this.nRows;
    if (withRootHistogram) {
      const k = chunkCount(n);
      for (let j = 0; j < k; j++) {
        const o = j * TASK_INTS;
        d.tasks[o] = chunkStart(0, n, j, k);
        d.tasks[o + 1] = chunkStart(0, n, j + 1, k);
        d.tasks[o + 2] = j;
      }
      runSharedTasks(d, this.sharesArray(margin) && n >= PARALLEL_MIN_ROWS, KIND_LOGISTIC_ROOT, k);
      this.rootChunks = k;
      return;
    }
    const k = Math.min(d.tasks.length / TASK_INTS, Math.max(1, Math.ceil(n / CHUNK_ROWS)));
    for (let j = 0; j < k; j++) {
      const o = j * TASK_INTS;
      d.tasks[o] = Math.floor((j * n) / k);
      d.tasks[o + 1] = Math.floor(((j + 1) * n) / k);
    }
    runSharedTasks(d, this.sharesArray(margin) && n >= PARALLEL_MIN_ROWS, KIND_LOGISTIC, k);
  }

  /** Row-major copy of the bin codes (rowBins[i * nFeatures + f]) for column-sampled trees. */
  get rowBins(): Uint8Array {
    if (!this.rowBinsCache) {
      const { nRows, nFeatures: nF, bins } = this;
      const rb = new Uint8Array(nRows * nF);
      for (let f = 0; f < nF; f++) {
        const col = f * nRows;
        for (let i = 0; i < nRows; i++) rb[i * nF + f] = bins[col + i];
      }
      this.rowBinsCache = rb;
    }
    return this.rowBinsCache;
  }

  /** The root histogram logisticGradients built (once), or null. */
  takeRootHistogram(): Float64Array | null {
    const k = this.rootChunks;
    this.rootChunks = 0;
    return k > 0 ? this.sumPartials(Array.from({ length: k }, (_, j) => j)) : null;
  }

  /** A histogram from the partials in the given slots, summed in that order. */
  sumPartials(slots: number[]): Float64Array {
    const P = this.data.partials,
      size = 2 * this.histSize,
      stride = 2 * this.data.histStride;
    const hist = this.takeHist(false);
    const a = slots[0] * stride;
    hist.set(P.subarray(a, a + size));
    for (let j = 1; j < slots.length; j++) {
      const b = slots[j] * stride;
      for (let i = 0; i < size; i++) hist[i] += P[b + i];
    }
    return hist;
  }

  /** A histogram buffer from the pool, zeroed unless the caller overwrites it all. */
  takeHist(zero = true): Float64Array {
    const h = this.pool.pop();
    if (h) {
      if (zero) h.fill(0);
      return h;
    }
    return new Float64Array(this.data.histStride * 2); // room for the kernel's scratch slots
  }

  giveHist(h: Float64Array): void {
    this.pool.push(h);
  }

  /** Ends the fit's helper session (call when the fit is done). */
  release(): void {
    if (this.shared) endHistHelper();
  }
}

/** How many row chunks a node of c rows is processed in (a fixed rule: it decides summation order). */
export function chunkCount(c: number): number {
  return c < CHUNK_ROWS ? 1 : Math.min(MAX_CHUNKS, Math.floor(c / CHUNK_ROWS));
}

/** Start of chunk j of k over [start, start + c). */
export function chunkStart(start: number, c: number, j: number, k: number): number {
  return start + Math.floor((j * c) / k);
}

export interface ChunkTask {
  q: number;
  j: number;
  start: number;
  end: number;
}

/**
 * Chunk tasks of the given row ranges in batches that fit `cap` tasks (whole ranges per batch),
 * each batch ordered largest first so the two threads' claims end close together.
 */
export function* chunkBatches(
  ranges: { start: number; end: number }[],
  cap: number,
): Generator<{ first: number; last: number; tasks: ChunkTask[]; rows: number }> {
  let first = 0;
  while (first < ranges.length) {
    const tasks: ChunkTask[] = [];
    let last = first,
      rows = 0;
    while (last < ranges.length) {
      const { start, end } = ranges[last],
        c = end - start,
        k = chunkCount(c);
      if (tasks.length + k > cap && last > first) break;
      for (let j = 0; j < k; j++)
        tasks.push({ q: last, j, start: chunkStart(start, c, j, k), end: chunkStart(start, c, j + 1, k) });
      rows += c;
      last++;
    }
    tasks.sort((x, y) => y.end - y.start - (x.end - x.start) || x.q - y.q || x.j - y.j);
    yield { first, last, tasks, rows };
    first = last;
  }
}
