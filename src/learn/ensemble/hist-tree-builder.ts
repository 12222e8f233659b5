// One depth-wise regression tree on binned data, XGBoost-hist style (src/tree/hist/,
// updater_quantile_hist): gradient/hessian histograms per node, the larger child's histogram
// derived as parent minus the smaller child's (subtraction trick), second-order gain
// G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda) - G^2/(H+lambda), a learned default direction for
// missing values (both directions tried), minChildWeight on hessian sums, gamma as the
// minimum loss change, leaf weight -G/(H+lambda) times the learning rate.
import { binCount, type BinCuts } from './hist-binning.js';

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

export class HistWorkspace {
  readonly rows: Int32Array;
  readonly tmp: Int32Array;
  /** Row-major copy of the bin codes (rowBins[i * nFeatures + f]) for column-sampled trees. */
  readonly rowBins: Uint8Array;
  /**
   * Sparse rows: the histogram slots of row i whose bin is not its feature's most frequent bin
   * are rowSlots[rowPtr[i] .. rowPtr[i + 1]). The most frequent bin of each feature (defaultSlot)
   * is filled afterwards as node total minus the feature's other bins, so one-hot columns cost
   * almost nothing (the sparsity trick of XGBoost and LightGBM).
   */
  readonly rowPtr: Int32Array;
  readonly rowSlots: Int32Array;
  readonly defaultSlot: Int32Array;
  readonly nFeatures: number;
  readonly activeSlots: Int32Array;
  /** Histogram slot of (feature f, bin b) is histOffset[f] + b; each feature has binCount + 1 slots. */
  readonly histOffset: Int32Array;
  readonly histSize: number;
  private pool: Float64Array[] = [];

  constructor(readonly bins: Uint8Array, readonly cuts: BinCuts, readonly nRows: number) {
    const nF = cuts.nFeatures;
    this.rows = new Int32Array(nRows);
    this.tmp = new Int32Array(nRows);
    this.nFeatures = nF;
    this.activeSlots = new Int32Array(nF);
    this.rowBins = new Uint8Array(nRows * nF);
    for (let f = 0; f < nF; f++) {
      const col = f * nRows;
      for (let i = 0; i < nRows; i++) this.rowBins[i * nF + f] = bins[col + i];
    }
    this.histOffset = new Int32Array(nF);
    let off = 0;
    for (let f = 0; f < nF; f++) { this.histOffset[f] = off; off += binCount(cuts, f) + 1; }
    this.histSize = off;
    this.defaultSlot = new Int32Array(nF);
    let nnz = 0;
    const isDefault = new Uint8Array(nRows * nF);
    for (let f = 0; f < nF; f++) {
      const nb = binCount(cuts, f) + 1, col = f * nRows;
      const counts = new Int32Array(nb);
      for (let i = 0; i < nRows; i++) counts[bins[col + i]]++;
      let def = 0;
      for (let b = 1; b < nb; b++) if (counts[b] > counts[def]) def = b;
      this.defaultSlot[f] = this.histOffset[f] + def;
      nnz += nRows - counts[def];
      for (let i = 0; i < nRows; i++) if (bins[col + i] === def) isDefault[i * nF + f] = 1;
    }
    this.rowPtr = new Int32Array(nRows + 1);
    this.rowSlots = new Int32Array(nnz);
    let k = 0;
    for (let i = 0; i < nRows; i++) {
      for (let f = 0; f < nF; f++) if (isDefault[i * nF + f] === 0) this.rowSlots[k++] = this.histOffset[f] + this.rowBins[i * nF + f];
      this.rowPtr[i + 1] = k;
    }
  }

  takeHist(): Float64Array {
    const h = this.pool.pop();
    if (h) { h.fill(0); return h; }
    return new Float64Array(this.histSize * 2);
  }

  giveHist(h: Float64Array): void {
    this.pool.push(h);
  }
}

interface OpenNode { id: number; start: number; end: number; G: number; H: number; depth: number; hist: Float64Array | null }

class TreeOut {
  n = 0;
  feature: number[] = []; threshold: number[] = []; defaultLeft: number[] = []; left: number[] = [];
  right: number[] = []; value: number[] = []; gain: number[] = []; splitBin: number[] = [];
  add(): number {
    this.feature.push(-1); this.threshold.push(0); this.defaultLeft.push(0); this.left.push(-1);
    this.right.push(-1); this.value.push(0); this.gain.push(0); this.splitBin.push(0);
    return this.n++;
  }
  finish(): HistTree {
    return {
      nodeCount: this.n, feature: Int32Array.from(this.feature), threshold: Float64Array.from(this.threshold),
      defaultLeft: Uint8Array.from(this.defaultLeft), left: Int32Array.from(this.left), right: Int32Array.from(this.right),
      value: Float64Array.from(this.value), gain: Float64Array.from(this.gain), splitBin: Int32Array.from(this.splitBin),
    };
  }
}

/**
 * Accumulates the gradient histogram of rows[start, end). Row-major bins make one row's updates
 * land in different features' slots, so consecutive adds never wait on each other (column-major
 * scans of 0/1 features hit the same slot every row and serialise on it).
 */
function buildHistogram(ws: HistWorkspace, hist: Float64Array, start: number, end: number, features: Int32Array,
  grad: Float64Array, hess: Float64Array): void {
  const { rows, rowBins, nFeatures: nF } = ws;
  const nA = features.length;
  if (nA === nF) {
    buildSparseHistogram(ws, hist, start, end, grad, hess);
    return;
  }
  const slot = ws.activeSlots;
  for (let j = 0; j < nA; j++) slot[j] = ws.histOffset[features[j]];
  if (nA === nF) {
    for (let k = start; k < end; k++) {
      const r = rows[k];
      const g = grad[r], h = hess[r];
      const rb = r * nF;
      for (let f = 0; f < nF; f++) {
        const b = (slot[f] + rowBins[rb + f]) << 1;
        hist[b] += g; hist[b + 1] += h;
      }
    }
    return;
  }
  for (let k = start; k < end; k++) {
    const r = rows[k];
    const g = grad[r], h = hess[r];
    const rb = r * nF;
    for (let j = 0; j < nA; j++) {
      const b = (slot[j] + rowBins[rb + features[j]]) << 1;
      hist[b] += g; hist[b + 1] += h;
    }
  }
}

function buildSparseHistogram(ws: HistWorkspace, hist: Float64Array, start: number, end: number,
  grad: Float64Array, hess: Float64Array): void {
  const { rows, rowPtr, rowSlots, defaultSlot, histOffset, cuts, nFeatures: nF } = ws;
  let G = 0, H = 0;
  for (let k = start; k < end; k++) {
    const r = rows[k];
    const g = grad[r], h = hess[r];
    G += g; H += h;
    for (let j = rowPtr[r], e = rowPtr[r + 1]; j < e; j++) {
      const b = rowSlots[j] << 1;
      hist[b] += g; hist[b + 1] += h;
    }
  }
  for (let f = 0; f < nF; f++) {
    const first = histOffset[f], last = first + binCount(cuts, f), def = defaultSlot[f];
    let g = G, h = H;
    for (let b = first; b <= last; b++) if (b !== def) { g -= hist[2 * b]; h -= hist[2 * b + 1]; }
    hist[2 * def] = g; hist[2 * def + 1] = h;
  }
}

interface Split { gain: number; feature: number; bin: number; defaultLeft: boolean; GL: number; HL: number }

function findBestSplit(ws: HistWorkspace, node: OpenNode, features: Int32Array, p: HistTreeParams, best: Split): void {
  const { histOffset, cuts } = ws;
  const hist = node.hist!;
  const { G, H } = node;
  const lambda = p.lambda, mcw = p.minChildWeight;
  const rootGain = (G * G) / (H + lambda);
  best.gain = 0; best.feature = -1;
  for (let j = 0; j < features.length; j++) {
    const f = features[j];
    const nb = binCount(cuts, f);
    const base = histOffset[f] * 2;
    // forward: missing values go right
    let GL = 0, HL = 0;
    for (let b = 0; b < nb; b++) {
      GL += hist[base + 2 * b]; HL += hist[base + 2 * b + 1];
      const GR = G - GL, HR = H - HL;
      if (HL < mcw || HR < mcw) continue;
      const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - rootGain;
      if (gain > best.gain) { best.gain = gain; best.feature = f; best.bin = b; best.defaultLeft = false; best.GL = GL; best.HL = HL; }
    }
    const Gm = hist[base + 2 * nb], Hm = hist[base + 2 * nb + 1];
    if (Gm === 0 && Hm === 0) continue;
    // backward: missing values go left; right = bins >= b
    let GR = 0, HR = 0;
    for (let b = nb - 1; b >= 0; b--) {
      GR += hist[base + 2 * b]; HR += hist[base + 2 * b + 1];
      const GLm = G - GR, HLm = H - HR;
      if (HLm < mcw || HR < mcw) continue;
      const gain = (GLm * GLm) / (HLm + lambda) + (GR * GR) / (HR + lambda) - rootGain;
      if (gain > best.gain) { best.gain = gain; best.feature = f; best.bin = b - 1; best.defaultLeft = true; best.GL = GLm; best.HL = HLm; }
    }
  }
}

function leafWeight(G: number, H: number, p: HistTreeParams): number {
  if (H < p.minChildWeight || H <= 0) return 0;
  return (-G / (H + p.lambda)) * p.learningRate;
}

/**
 * Grows one tree over rows[0, nRows) of ws (the caller fills ws.rows with the sampled rows).
 * Returns the tree and, per node, the [start, end) row range so callers can update margins.
 */
export function buildHistTree(ws: HistWorkspace, nRowsUsed: number, grad: Float64Array, hess: Float64Array,
  features: Int32Array, p: HistTreeParams): { tree: HistTree; nodeStart: Int32Array; nodeEnd: Int32Array } {
  const { rows, tmp, bins, cuts, nRows: n } = ws;
  const out = new TreeOut();
  const starts: number[] = [], ends: number[] = [];
  let G = 0, H = 0;
  for (let k = 0; k < nRowsUsed; k++) { const r = rows[k]; G += grad[r]; H += hess[r]; }
  const root: OpenNode = { id: out.add(), start: 0, end: nRowsUsed, G, H, depth: 0, hist: null };
  starts.push(0); ends.push(nRowsUsed);
  const canSplit = (nd: OpenNode): boolean => nd.depth < p.maxDepth && nd.H >= 2 * p.minChildWeight && nd.end - nd.start >= 2;
  if (canSplit(root)) {
    root.hist = ws.takeHist();
    buildHistogram(ws, root.hist, 0, nRowsUsed, features, grad, hess);
  }
  let level: OpenNode[] = [root];
  const best: Split = { gain: 0, feature: -1, bin: 0, defaultLeft: false, GL: 0, HL: 0 };
  while (level.length > 0) {
    const next: OpenNode[] = [];
    for (const nd of level) {
      if (nd.hist) findBestSplit(ws, nd, features, p, best); else best.feature = -1;
      if (best.feature < 0 || best.gain <= RT_EPS || best.gain < p.gamma) {
        out.value[nd.id] = leafWeight(nd.G, nd.H, p);
        if (nd.hist) ws.giveHist(nd.hist);
        continue;
      }
      const f = best.feature, sb = best.bin, nb = binCount(cuts, f), dl = best.defaultLeft;
      out.feature[nd.id] = f;
      out.threshold[nd.id] = sb < 0 ? -Infinity : cuts.cuts[cuts.offsets[f] + sb];
      out.defaultLeft[nd.id] = dl ? 1 : 0;
      out.gain[nd.id] = best.gain;
      out.splitBin[nd.id] = sb;
      // stable partition of the node's rows
      const col = f * n;
      let l = nd.start, t = 0;
      for (let k = nd.start; k < nd.end; k++) {
        const r = rows[k];
        const b = bins[col + r];
        if (b === nb ? dl : b <= sb) rows[l++] = r; else tmp[t++] = r;
      }
      rows.set(tmp.subarray(0, t), l);
      const left: OpenNode = { id: out.add(), start: nd.start, end: l, G: best.GL, H: best.HL, depth: nd.depth + 1, hist: null };
      starts.push(nd.start); ends.push(l);
      const right: OpenNode = { id: out.add(), start: l, end: nd.end, G: nd.G - best.GL, H: nd.H - best.HL, depth: nd.depth + 1, hist: null };
      starts.push(l); ends.push(nd.end);
      out.left[nd.id] = left.id; out.right[nd.id] = right.id;
      const needL = canSplit(left), needR = canSplit(right);
      if (needL || needR) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        const sh = ws.takeHist();
        buildHistogram(ws, sh, small.start, small.end, features, grad, hess);
        const ph = nd.hist!;
        for (let i = 0; i < ph.length; i++) ph[i] -= sh[i];
        small.hist = sh; large.hist = ph;
        if (!canSplit(small)) { ws.giveHist(sh); small.hist = null; }
        if (!canSplit(large)) { ws.giveHist(ph); large.hist = null; }
      } else {
        ws.giveHist(nd.hist!);
      }
      nd.hist = null;
      next.push(left, right);
    }
    level = next;
  }
  return { tree: out.finish(), nodeStart: Int32Array.from(starts), nodeEnd: Int32Array.from(ends) };
}
