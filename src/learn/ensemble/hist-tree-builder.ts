// One depth-wise regression tree on binned data, XGBoost-hist style (src/tree/hist/,
// updater_quantile_hist): gradient/hessian histograms per node, the larger child's histogram
// derived as parent minus the smaller child's (subtraction trick), second-order gain
// G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - G^2/(H+lambda), a learned default direction for
// missing values (both directions tried), minChildWeight on hessian sums, gamma as the
// minimum loss change, leaf weight -G/(H+lambda) times the learning rate.
import { binCount } from './hist-binning.js';
import { KIND_HISTOGRAM, KIND_PARTITION, partitionRange, sparseHistogram, TASK_INTS } from './hist-kernels.js';
import { runSharedTasks } from './hist-helper.js';
import {
  CHUNK_ROWS,
  chunkBatches,
  chunkCount,
  chunkStart,
  HistWorkspace,
  MAX_CHUNKS,
  PARALLEL_MIN_ROWS,
} from './hist-workspace.js';

export { HistWorkspace } from './hist-workspace.js';

export interface HistTreeParams {
  maxDepth: number;
  minChildWeight: number;
  lambda: number;
  gamma: number;
  learningRate: number;
}

/** A boosted tree: leaves have feature -1; a row goes left when fround(x) < threshold, NaN by defaultLeft. */
export interface HistTree {
  nodeCount: number;
  feature: Int32Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output (already scaled by the learning rate); 0 for internal nodes. */
  value: Float64Array;
  /** Loss change of each split (0 at leaves). */
  gain: Float64Array;
  /** Bin-space split (left = bins <= splitBin), for routing training rows. */
  splitBin: Int32Array;
}

const RT_EPS = 1e-6;

interface OpenNode {
  id: number;
  start: number;
  end: number;
  G: number;
  H: number;
  depth: number;
  hist: Float64Array | null;
}

class TreeOut {
  n = 0;
  feature: number[] = [];
  threshold: number[] = [];
  defaultLeft: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  gain: number[] = [];
  splitBin: number[] = [];
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.defaultLeft.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    this.gain.push(0);
    this.splitBin.push(0);
    return this.n++;
  }
  finish(): HistTree {
    return {
      nodeCount: this.n,
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      gain: Float64Array.from(this.gain),
      splitBin: Int32Array.from(this.splitBin),
    };
  }
}

/**
 * Dense histogram of a column sample over rows[start, end) into hist, on the row-major bins
 * (one row's updates land in different features' slots, so consecutive adds never wait on each other).
 */
function buildDenseHistogram(
  ws: HistWorkspace,
  hist: Float64Array,
  start: number,
  end: number,
  features: Int32Array,
): void {
  const { rows, gh } = ws.data;
  const rowBins = ws.rowBins,
    nF = ws.nFeatures;
  const nA = features.length;
  const slot = ws.activeSlots;
  for (let j = 0; j < nA; j++) slot[j] = ws.histOffset[features[j]];
  for (let k = start; k < end; k++) {
    const r = rows[k];
    const g = gh[2 * r],
      h = gh[2 * r + 1];
    const rb = r * nF;
    for (let j = 0; j < nA; j++) {
      const b = (slot[j] + rowBins[rb + features[j]]) << 1;
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
}

/**
 * Histograms of the given nodes (all features). A node of c rows is summed over chunkCount(c)
 * row chunks, chunk 0 first; the chunks are tasks for this thread and the helper (hist-helper.ts).
 */
function buildNodeHistograms(ws: HistWorkspace, nodes: OpenNode[]): void {
  const d = ws.data,
    tasks = d.tasks;
  if (!ws.shared && nodes.every((nd) => nd.end - nd.start < CHUNK_ROWS)) {
    // small data: one task per node on this thread, no batching
    for (const nd of nodes) {
      nd.hist = ws.takeHist(false);
      sparseHistogram(d, nd.start, nd.end, nd.hist, 0);
    }
    return;
  }
  for (const batch of chunkBatches(nodes, ws.maxSlots)) {
    const slotOf = new Map<number, number>(); // q * MAX_CHUNKS + j -> partial slot
    batch.tasks.forEach((t, i) => {
      const o = i * TASK_INTS;
      tasks[o] = t.start;
      tasks[o + 1] = t.end;
      tasks[o + 2] = i;
      slotOf.set(t.q * MAX_CHUNKS + t.j, i);
    });
    runSharedTasks(d, ws.shared && batch.rows >= PARALLEL_MIN_ROWS, KIND_HISTOGRAM, batch.tasks.length);
    for (let q = batch.first; q < batch.last; q++) {
      const k = chunkCount(nodes[q].end - nodes[q].start);
      nodes[q].hist = ws.sumPartials(Array.from({ length: k }, (_, j) => slotOf.get(q * MAX_CHUNKS + j)!));
    }
  }
}

interface PendingSplit {
  nd: OpenNode;
  col: number;
  bin: number;
  nb: number;
  dl: number;
  left: number;
}

/**
 * Stable partition of every splitting node's rows (lefts first, both sides in row order). Each
 * chunk is partitioned in place (lefts at its start, rights in tmp), then the pieces are put in order.
 */
function partitionNodes(ws: HistWorkspace, splits: PendingSplit[]): void {
  const d = ws.data,
    tasks = d.tasks,
    { rows, tmp } = d;
  if (!ws.shared && splits.every((sp) => sp.nd.end - sp.nd.start < CHUNK_ROWS)) {
    for (const sp of splits) {
      const { start, end } = sp.nd;
      sp.left = partitionRange(d, start, end, sp.col, sp.bin, sp.nb, sp.dl);
      rows.set(tmp.subarray(start, end - sp.left), start + sp.left);
    }
    return;
  }
  const ranges = splits.map((sp) => sp.nd);
  for (const batch of chunkBatches(ranges, d.tasks.length / TASK_INTS)) {
    const leftOf = new Map<number, number>(); // chunk start -> left count
    batch.tasks.forEach((t, i) => {
      const sp = splits[t.q],
        o = i * TASK_INTS;
      tasks[o] = t.start;
      tasks[o + 1] = t.end;
      tasks[o + 2] = sp.col;
      tasks[o + 3] = sp.bin;
      tasks[o + 4] = sp.nb;
      tasks[o + 5] = sp.dl;
    });
    runSharedTasks(d, ws.shared && batch.rows >= PARALLEL_MIN_ROWS, KIND_PARTITION, batch.tasks.length);
    batch.tasks.forEach((t, i) => leftOf.set(t.start, tasks[i * TASK_INTS + 6]));
    for (let q = batch.first; q < batch.last; q++) {
      const sp = splits[q],
        { start, end } = sp.nd,
        c = end - start,
        k = chunkCount(c);
      let dst = start;
      for (let j = 0; j < k; j++) {
        const s0 = chunkStart(start, c, j, k),
          l = leftOf.get(s0)!;
        if (dst !== s0) rows.copyWithin(dst, s0, s0 + l);
        dst += l;
      }
      sp.left = dst - start;
      for (let j = 0; j < k; j++) {
        const s0 = chunkStart(start, c, j, k),
          r = chunkStart(start, c, j + 1, k) - s0 - leftOf.get(s0)!;
        rows.set(tmp.subarray(s0, s0 + r), dst);
        dst += r;
      }
    }
  }
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  GL: number;
  HL: number;
}

function findBestSplit(ws: HistWorkspace, node: OpenNode, features: Int32Array, p: HistTreeParams, best: Split): void {
  const { histOffset, cuts } = ws;
  const hist = node.hist!;
  const { G, H } = node;
  const lambda = p.lambda,
    mcw = p.minChildWeight;
  const rootGain = (G * G) / (H + lambda);
  best.gain = 0;
  best.feature = -1;
  for (let j = 0; j < features.length; j++) {
    const f = features[j];
    const nb = binCount(cuts, f);
    const base = histOffset[f] * 2;
    // forward: missing values go right
    let GL = 0,
      HL = 0;
    for (let b = 0; b < nb; b++) {
      GL += hist[base + 2 * b];
      HL += hist[base + 2 * b + 1];
      const GR = G - GL,
        HR = H - HL;
      if (HL < mcw || HR < mcw) continue;
      const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - rootGain;
      if (gain > best.gain) {
        best.gain = gain;
        best.feature = f;
        best.bin = b;
        best.defaultLeft = false;
        best.GL = GL;
        best.HL = HL;
      }
    }
    const Gm = hist[base + 2 * nb],
      Hm = hist[base + 2 * nb + 1];
    if (Gm === 0 && Hm === 0) continue;
    // backward: missing values go left; right = bins >= b
    let GR = 0,
      HR = 0;
    for (let b = nb - 1; b >= 0; b--) {
      GR += hist[base + 2 * b];
      HR += hist[base + 2 * b + 1];
      const GLm = G - GR,
        HLm = H - HR;
      if (HLm < mcw || HR < mcw) continue;
      const gain = (GLm * GLm) / (HLm + lambda) + (GR * GR) / (HR + lambda) - rootGain;
      if (gain > best.gain) {
        best.gain = gain;
        best.feature = f;
        best.bin = b - 1;
        best.defaultLeft = true;
        best.GL = GLm;
        best.HL = HLm;
      }
    }
  }
}

function leafWeight(G: number, H: number, p: HistTreeParams): number {
  if (H < p.minChildWeight || H <= 0) return 0;
  return (-G / (H + p.lambda)) * p.learningRate;
}

/**
 * Grows one tree over rows[0, nRows) of ws (the caller fills ws.rows with the sampled rows), level
 * by level: find every node's split, partition all splitting nodes, build the smaller children's
 * histograms, derive the larger ones by subtraction.
 * grad and hess are per row; null means ws.logisticGradients() has already set them.
 * Returns the tree and, per node, the [start, end) row range so callers can update margins.
 */
export function buildHistTree(
  ws: HistWorkspace,
  nRowsUsed: number,
  grad: Float64Array | null,
  hess: Float64Array | null,
  features: Int32Array,
  p: HistTreeParams,
): { tree: HistTree; nodeStart: Int32Array; nodeEnd: Int32Array } {
  const { cuts, nRows: n } = ws;
  const { rows, gh } = ws.data;
  const dense = features.length < ws.nFeatures;
  if (grad && hess)
    for (let i = 0; i < n; i++) {
      gh[2 * i] = grad[i];
      gh[2 * i + 1] = hess[i];
    }
  const out = new TreeOut();
  const starts: number[] = [],
    ends: number[] = [];
  let G = 0,
    H = 0;
  for (let k = 0; k < nRowsUsed; k++) {
    const r = rows[k];
    G += gh[2 * r];
    H += gh[2 * r + 1];
  }
  const root: OpenNode = { id: out.add(), start: 0, end: nRowsUsed, G, H, depth: 0, hist: null };
  starts.push(0);
  ends.push(nRowsUsed);
  const canSplit = (nd: OpenNode): boolean =>
    nd.depth < p.maxDepth && nd.H >= 2 * p.minChildWeight && nd.end - nd.start >= 2;
  const histograms = (nodes: OpenNode[]): void => {
    if (!dense) {
      buildNodeHistograms(ws, nodes);
      return;
    }
    for (const nd of nodes) {
      nd.hist = ws.takeHist();
      buildDenseHistogram(ws, nd.hist, nd.start, nd.end, features);
    }
  };
  // the root over all rows may come with logisticGradients; it must be taken (or dropped) either way
  const rootHist = ws.takeRootHistogram();
  if (canSplit(root)) {
    if (rootHist && !dense && nRowsUsed === n) root.hist = rootHist;
    else histograms([root]);
  }
  if (rootHist && root.hist !== rootHist) ws.giveHist(rootHist);
  let level: OpenNode[] = [root];
  const best: Split = { gain: 0, feature: -1, bin: 0, defaultLeft: false, GL: 0, HL: 0 };
  while (level.length > 0) {
    const splits: (PendingSplit & { GL: number; HL: number })[] = [];
    for (const nd of level) {
      if (nd.hist) findBestSplit(ws, nd, features, p, best);
      else best.feature = -1;
      if (best.feature < 0 || best.gain <= RT_EPS || best.gain < p.gamma) {
        out.value[nd.id] = leafWeight(nd.G, nd.H, p);
        if (nd.hist) ws.giveHist(nd.hist);
        nd.hist = null;
        continue;
      }
      const f = best.feature,
        sb = best.bin;
      out.feature[nd.id] = f;
      out.threshold[nd.id] = sb < 0 ? -Infinity : cuts.cuts[cuts.offsets[f] + sb];
      out.defaultLeft[nd.id] = best.defaultLeft ? 1 : 0;
      out.gain[nd.id] = best.gain;
      out.splitBin[nd.id] = sb;
      splits.push({
        nd,
        col: f * n,
        bin: sb,
        nb: binCount(cuts, f),
        dl: best.defaultLeft ? 1 : 0,
        left: 0,
        GL: best.GL,
        HL: best.HL,
      });
    }
    partitionNodes(ws, splits);
    const next: OpenNode[] = [],
      toBuild: OpenNode[] = [],
      pairs: [OpenNode, OpenNode, Float64Array][] = [];
    for (const sp of splits) {
      const nd = sp.nd,
        l = nd.start + sp.left;
      const left: OpenNode = {
        id: out.add(),
        start: nd.start,
        end: l,
        G: sp.GL,
        H: sp.HL,
        depth: nd.depth + 1,
        hist: null,
      };
      starts.push(nd.start);
      ends.push(l);
      const right: OpenNode = {
        id: out.add(),
        start: l,
        end: nd.end,
        G: nd.G - sp.GL,
        H: nd.H - sp.HL,
        depth: nd.depth + 1,
        hist: null,
      };
      starts.push(l);
      ends.push(nd.end);
      out.left[nd.id] = left.id;
      out.right[nd.id] = right.id;
      if (canSplit(left) || canSplit(right)) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        toBuild.push(small);
        pairs.push([small, large, nd.hist!]);
      } else {
        ws.giveHist(nd.hist!);
      }
      nd.hist = null;
      next.push(left, right);
    }
    if (toBuild.length > 0) histograms(toBuild);
    for (const [small, large, ph] of pairs) {
      const sh = small.hist!;
      for (let i = 0, size = 2 * ws.histSize; i < size; i++) ph[i] -= sh[i];
      large.hist = ph;
      if (!canSplit(small)) {
        ws.giveHist(sh);
        small.hist = null;
      }
      if (!canSplit(large)) {
        ws.giveHist(ph);
        large.hist = null;
      }
    }
    level = next;
  }
  return { tree: out.finish(), nodeStart: Int32Array.from(starts), nodeEnd: Int32Array.from(ends) };
}
