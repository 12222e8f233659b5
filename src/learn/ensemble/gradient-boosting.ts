// GradientBoostingClassifier in XGBoost's hist style: binary logistic (softmax for more than two
// classes) with second-order trees on quantile bins (hist-binning.ts, hist-tree-builder.ts),
// row subsampling and per-tree column sampling, early stopping on an evaluation set (the best
// iteration is kept, as XGBoost's sklearn API predicts with it). Defaults follow XGBoost 1.7.
import { BaseEstimator } from '../core/base-estimator.js';
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import { argmaxClasses, type Matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { Rng } from '../core/random.js';
import { checkRoots, checkTreeNodes, MAX_MODEL_MAGNITUDE, StateReader, treeEnd } from '../core/restore-check.js';
import { encodeFloat64, encodeInt32, registerComponent } from '../core/serialization.js';
import { checkPredictInput, checkTrainingInput, encodeLabels, resolveSeed } from '../tree/tree-params.js';
import { predictBoostProba, sigmoid, softmaxInPlace, treeValue } from './boost-predict.js';
import { binMatrix, computeCuts, binCount, float32Columns } from './hist-binning.js';
import { buildHistTree, HistWorkspace, type HistTree } from './hist-tree-builder.js';

export interface GradientBoostingParams {
  nEstimators?: number;
  learningRate?: number;
  maxDepth?: number;
  minChildWeight?: number;
  /** L2 regularisation of leaf weights (XGBoost reg_lambda). */
  regLambda?: number;
  /** Minimum loss reduction to split (XGBoost gamma / min_split_loss). */
  gamma?: number;
  subsample?: number;
  colsampleByTree?: number;
  maxBin?: number;
  /** Initial probability (binary) or margin (multiclass), XGBoost's base_score. */
  baseScore?: number;
  /** Stop when the evalSet log loss has not improved for this many rounds; null = never. */
  earlyStoppingRounds?: number | null;
  seed?: number;
}

export interface GradientBoostingFitOptions extends FitOptions {
  /** Validation data for early stopping and evalsResult_ (log loss per round). */
  evalSet?: { X: Matrix; y: Labels };
}

const DEFAULTS: Required<GradientBoostingParams> = {
  nEstimators: 100,
  learningRate: 0.3,
  maxDepth: 6,
  minChildWeight: 1,
  regLambda: 1,
  gamma: 0,
  subsample: 1,
  colsampleByTree: 1,
  maxBin: 256,
  baseScore: 0.5,
  earlyStoppingRounds: null,
  seed: 0,
};

/** All trees in one set of arrays (absolute child indices); tree t adds to output t % nOutputs. */
export interface PackedBoost {
  nTrees: number;
  nOutputs: number;
  baseMargin: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

function packBoost(trees: HistTree[], nOutputs: number, baseMargin: number): PackedBoost {
  const total = trees.reduce((s, t) => s + t.nodeCount, 0);
  const b: PackedBoost = {
    nTrees: trees.length,
    nOutputs,
    baseMargin,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    defaultLeft: new Uint8Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
  };
  let off = 0;
  trees.forEach((t, k) => {
    b.roots[k] = off;
    b.feature.set(t.feature, off);
    b.threshold.set(t.threshold, off);
    b.defaultLeft.set(t.defaultLeft, off);
    b.value.set(t.value, off);
    for (let i = 0; i < t.nodeCount; i++) {
      b.left[off + i] = t.left[i] < 0 ? -1 : t.left[i] + off;
      b.right[off + i] = t.right[i] < 0 ? -1 : t.right[i] + off;
    }
    off += t.nodeCount;
  });
  return b;
}

export class GradientBoostingClassifier extends BaseEstimator<GradientBoostingParams> implements Classifier<Matrix> {
  static readonly TYPE = 'GradientBoostingClassifier';
  classes_: Float64Array | undefined;
  nFeaturesIn_: number | undefined;
  booster_: PackedBoost | undefined;
  featureImportances_: Float64Array | undefined;
  /** Round index (0-based) with the lowest evalSet log loss, when an evalSet was given. */
  bestIteration_: number | undefined;
  /** evalSet log loss after each round. */
  evalsResult_: number[] | undefined;

  constructor(params: GradientBoostingParams = {}) {
    super(params, DEFAULTS);
  }

  private resolved(): Required<GradientBoostingParams> {
    const p = { ...DEFAULTS, ...this.params };
    const intAtLeast = (name: keyof GradientBoostingParams, min: number): void => {
      const v = p[name] as number;
      if (!Number.isInteger(v) || v < min) throw paramError(name, `must be an integer >= ${min}`, v);
    };
    intAtLeast('nEstimators', 1);
    intAtLeast('maxDepth', 1);
    if (!Number.isInteger(p.maxBin) || p.maxBin < 2 || p.maxBin > 256)
      throw paramError('maxBin', 'must be an integer in [2, 256]', p.maxBin);
    if (!(p.learningRate > 0)) throw paramError('learningRate', 'must be > 0', p.learningRate);
    if (!(p.minChildWeight >= 0)) throw paramError('minChildWeight', 'must be >= 0', p.minChildWeight);
    if (!(p.regLambda >= 0)) throw paramError('regLambda', 'must be >= 0', p.regLambda);
    if (!(p.gamma >= 0)) throw paramError('gamma', 'must be >= 0', p.gamma);
    if (!(p.subsample > 0 && p.subsample <= 1)) throw paramError('subsample', 'must be in (0, 1]', p.subsample);
    if (!(p.colsampleByTree > 0 && p.colsampleByTree <= 1))
      throw paramError('colsampleByTree', 'must be in (0, 1]', p.colsampleByTree);
    if (!Number.isFinite(p.baseScore)) throw paramError('baseScore', 'must be a finite number', p.baseScore);
    if (p.earlyStoppingRounds !== null) intAtLeast('earlyStoppingRounds', 1);
    resolveSeed(p.seed);
    return p;
  }

  fit(X: Matrix, y: Labels, options: GradientBoostingFitOptions = {}): this {
    checkTrainingInput(X, y, options.sampleWeight);
    const p = this.resolved();
    const { classes, yIdx } = encodeLabels(y);
    const K = classes.length;
    const nOut = K <= 2 ? 1 : K;
    if (nOut === 1 && !(p.baseScore > 0 && p.baseScore < 1))
      throw paramError('baseScore', 'must be in (0, 1) for a binary target', p.baseScore);
    const baseMargin = nOut === 1 ? Math.log(p.baseScore / (1 - p.baseScore)) : p.baseScore;
    const n = X.nRows,
      nF = X.nCols;
    const sw = options.sampleWeight;

    const cols = float32Columns(X);
    const cuts = computeCuts(X, p.maxBin, cols);
    const bins = binMatrix(X, cuts, cols);
    const ws = new HistWorkspace(bins, cuts, n);
    const ev = options.evalSet;
    const trees: HistTree[] = [];
    const evals: number[] = [];
    let best = -1;
    // the workspace holds a pool worker for the fit: released on every exit, a thrown error included
    try {
      const margin = ws.float64(n * nOut).fill(baseMargin);
      const nGrad = nOut === 1 ? 0 : n * nOut; // the binary case keeps its gradients in the workspace
      const grad = new Float64Array(nGrad),
        hess = new Float64Array(nGrad);
      const rng = new Rng(p.seed);
      const treeParams = {
        maxDepth: p.maxDepth,
        minChildWeight: p.minChildWeight,
        lambda: p.regLambda,
        gamma: p.gamma,
        learningRate: p.learningRate,
      };
      const nColSample = Math.max(1, Math.floor(p.colsampleByTree * nF));
      const allFeatures = Int32Array.from({ length: nF }, (_, f) => f);
      const inSample = new Uint8Array(n);
      const sampled = new Int32Array(n);
      for (let i = 0; i < n; i++) sampled[i] = i; // all rows, unless subsample < 1 redraws them each round

      let evIdx: Int32Array | undefined, evMargin: Float64Array | undefined;
      if (ev) {
        if (ev.X.nCols !== nF) throw new RangeError(`evalSet.X has ${ev.X.nCols} columns, X has ${nF}`);
        if (ev.y.length !== ev.X.nRows)
          throw new RangeError(`evalSet.y has ${ev.y.length} labels, evalSet.X has ${ev.X.nRows} rows`);
        evIdx = new Int32Array(ev.y.length);
        for (let i = 0; i < ev.y.length; i++) {
          const k = classes.indexOf(ev.y[i]);
          if (k < 0) throw new RangeError(`evalSet.y[${i}] = ${ev.y[i]} is not a class seen in y`);
          evIdx[i] = k;
        }
        evMargin = new Float64Array(ev.X.nRows * nOut).fill(baseMargin);
      }
      if (p.earlyStoppingRounds !== null && !ev)
        throw paramError('earlyStoppingRounds', 'needs an evalSet in fit options', p.earlyStoppingRounds);

      let bestScore = Infinity;
      const prob = new Float64Array(nOut === 1 ? 1 : K);
      for (let round = 0; round < p.nEstimators; round++) {
        // binary: gradients straight into the workspace, on two threads for large data
        if (nOut === 1) ws.logisticGradients(margin, yIdx, sw, p.subsample === 1 && nColSample === nF);
        else computeGradients(margin, yIdx, sw, nOut, grad, hess, prob);
        let nUsed = 0;
        if (p.subsample < 1) {
          for (let i = 0; i < n; i++) {
            const keep = rng.random() < p.subsample;
            inSample[i] = keep ? 1 : 0;
            if (keep) sampled[nUsed++] = i;
          }
        } else {
          nUsed = n;
        }
        for (let k = 0; k < nOut; k++) {
          let features = allFeatures;
          if (nColSample < nF)
            features = Int32Array.from(rng.shuffle(allFeatures.slice()).subarray(0, nColSample)).sort();
          ws.rows.set(sampled.subarray(0, nUsed));
          const g = grad.subarray(k * n, (k + 1) * n),
            h = hess.subarray(k * n, (k + 1) * n);
          const { tree, nodeStart, nodeEnd } = buildHistTree(
            ws,
            nUsed,
            nOut === 1 ? null : g,
            nOut === 1 ? null : h,
            features,
            treeParams,
          );
          trees.push(tree);
          const mk = k * n;
          ws.addLeafValues(margin, mk, tree, nodeStart, nodeEnd);
          if (nUsed < n) {
            for (let i = 0; i < n; i++)
              if (inSample[i] === 0) margin[mk + i] += binnedTreeValue(tree, bins, n, cuts, i);
          }
        }
        if (ev) {
          const packedRound = packBoost(trees.slice(trees.length - nOut), nOut, 0);
          for (let i = 0; i < ev.X.nRows; i++) {
            for (let k = 0; k < nOut; k++) evMargin![i * nOut + k] += treeValue(packedRound, k, ev.X.data, i * nF);
          }
          const score = logLoss(evMargin!, evIdx!, nOut);
          evals.push(score);
          if (score < bestScore) {
            bestScore = score;
            best = round;
          } else if (p.earlyStoppingRounds !== null && round - best >= p.earlyStoppingRounds) break;
        }
      }
    } finally {
      ws.release();
    }
    const kept = ev && p.earlyStoppingRounds !== null ? trees.slice(0, (best + 1) * nOut) : trees;
    this.classes_ = classes;
    this.nFeaturesIn_ = nF;
    this.booster_ = packBoost(kept, nOut, baseMargin);
    this.featureImportances_ = gainImportances(kept, nF);
    this.bestIteration_ = ev ? best : undefined;
    this.evalsResult_ = ev ? evals : undefined;
    return this;
  }

  /** Raw margins of one row into out[0 .. nOutputs). */
  decisionFunctionRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    const b = this.booster_;
    if (!b) throw new Error('GradientBoostingClassifier is not fitted: call fit first');
    const nOut = b.nOutputs;
    for (let k = 0; k < nOut; k++) out[k] = b.baseMargin;
    for (let t = 0; t < b.nTrees; t++) out[t % nOut] += treeValue(b, t, row, offset);
    return out;
  }

  /** Class probabilities of one row (row[offset .. offset + nFeatures)) into out; no allocation. */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    const b = this.booster_;
    if (!b) throw new Error('GradientBoostingClassifier is not fitted: call fit first');
    if (b.nOutputs === 1) {
      let m = b.baseMargin;
      for (let t = 0; t < b.nTrees; t++) m += treeValue(b, t, row, offset);
      const p1 = sigmoid(m);
      out[0] = 1 - p1;
      out[1] = p1;
      return out;
    }
    this.decisionFunctionRowInto(row, out, offset);
    softmaxInPlace(out, 0, b.nOutputs);
    return out;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictInput(X, this.nFeaturesIn_, 'GradientBoostingClassifier');
    // tree-major over a padded layout, large batches split by rows over worker threads; per-row
    // sums keep tree order, so results equal predictProbaRowInto bit for bit (boost-predict.ts)
    return predictBoostProba(this.booster_!, this.classes_!.length, X);
  }

  predict(X: Matrix): Float64Array {
    return argmaxClasses(this.predictProba(X), this.classes_!);
  }

  toJSON(): SerializedComponent {
    const b = this.booster_;
    return {
      type: GradientBoostingClassifier.TYPE,
      version: 1,
      params: { ...this.params },
      state: b
        ? {
            classes: encodeFloat64(this.classes_!),
            nFeatures: this.nFeaturesIn_!,
            nTrees: b.nTrees,
            nOutputs: b.nOutputs,
            baseMargin: encodeFloat64(Float64Array.of(b.baseMargin)),
            roots: encodeInt32(b.roots),
            feature: encodeInt32(b.feature),
            threshold: encodeFloat64(b.threshold),
            defaultLeft: encodeInt32(Int32Array.from(b.defaultLeft)),
            left: encodeInt32(b.left),
            right: encodeInt32(b.right),
            value: encodeFloat64(b.value),
            featureImportances: encodeFloat64(this.featureImportances_!),
            bestIteration: this.bestIteration_ ?? null,
            evalsResult: this.evalsResult_ ?? null,
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): GradientBoostingClassifier {
    const m = new GradientBoostingClassifier().setParams(json.params);
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const classes = r.classes('classes');
      const nFeatures = r.int('nFeatures', 1, 2 ** 24);
      const nOutputs = r.int('nOutputs', 1, 2 ** 20);
      if (nOutputs !== (classes.length === 2 ? 1 : classes.length))
        r.fail('nOutputs', `must be ${classes.length === 2 ? 1 : classes.length} for ${classes.length} classes`);
      const nTrees = r.int('nTrees', 0, 2 ** 24);
      if (nTrees % nOutputs !== 0) r.fail('nTrees', `must be a multiple of nOutputs (${nOutputs}), got ${nTrees}`);
      const roots = r.int32('roots', nTrees);
      const feature = r.int32('feature');
      const n = feature.length;
      const defaultLeft = r.int32('defaultLeft', n);
      if (defaultLeft.some((v) => v !== 0 && v !== 1)) r.fail('defaultLeft', 'must hold only 0 and 1');
      const b: PackedBoost = {
        nTrees,
        nOutputs,
        baseMargin: r.finite64('baseMargin', 1)[0],
        roots,
        feature,
        threshold: r.float64('threshold', n),
        defaultLeft: Uint8Array.from(defaultLeft),
        left: r.int32('left', n),
        right: r.int32('right', n),
        value: r.finite64('value', n),
      };
      checkRoots(r, roots, n);
      // the largest margin any row can reach: bounded, so margins (and probabilities) stay finite
      let reach = Math.abs(b.baseMargin);
      for (let t = 0; t < nTrees; t++) {
        const end = treeEnd(roots, t, n);
        checkTreeNodes(r, b, roots[t], end, nFeatures, `tree ${t} `, false);
        let most = 0;
        for (let i = roots[t]; i < end; i++) most = Math.max(most, Math.abs(b.value[i]));
        reach += most;
      }
      if (!(reach <= MAX_MODEL_MAGNITUDE)) r.fail('value', 'sum to margins beyond 1e300: not a fitted model');
      m.classes_ = classes;
      m.nFeaturesIn_ = nFeatures;
      m.booster_ = b;
      m.featureImportances_ = r.finite64('featureImportances', nFeatures);
      m.bestIteration_ = r.has('bestIteration') ? r.int('bestIteration', 0, 2 ** 24) : undefined;
      const evals = r.has('evalsResult') ? r.array('evalsResult') : undefined;
      if (evals?.some((v) => typeof v !== 'number')) r.fail('evalsResult', 'must be an array of numbers');
      m.evalsResult_ = evals as number[] | undefined;
    }
    return m;
  }
}

/** Softmax gradients and hessians (XGBoost's formulas and hessian floor); the binary case is HistWorkspace.logisticGradients. */
function computeGradients(
  margin: Float64Array,
  yIdx: Int32Array,
  sw: Float64Array | undefined,
  nOut: number,
  grad: Float64Array,
  hess: Float64Array,
  prob: Float64Array,
): void {
  const n = yIdx.length;
  for (let i = 0; i < n; i++) {
    // margins are stored output-major (margin[k * n + i])
    for (let k = 0; k < nOut; k++) prob[k] = margin[k * n + i];
    softmaxInPlace(prob, 0, nOut);
    const w = sw ? sw[i] : 1;
    for (let k = 0; k < nOut; k++) {
      const p = prob[k];
      grad[k * n + i] = (p - (yIdx[i] === k ? 1 : 0)) * w;
      hess[k * n + i] = Math.max(2 * p * (1 - p), 1e-16) * w;
    }
  }
}

/** Mean log loss from row-major margins (XGBoost clips probabilities at 1e-16). */
function logLoss(margin: Float64Array, yIdx: Int32Array, nOut: number): number {
  const n = yIdx.length;
  let s = 0;
  const buf = new Float64Array(Math.max(nOut, 1));
  for (let i = 0; i < n; i++) {
    if (nOut === 1) {
      const p = sigmoid(margin[i]);
      s -= yIdx[i] === 1 ? Math.log(Math.max(p, 1e-16)) : Math.log(Math.max(1 - p, 1e-16));
    } else {
      for (let k = 0; k < nOut; k++) buf[k] = margin[i * nOut + k];
      softmaxInPlace(buf, 0, nOut);
      s -= Math.log(Math.max(buf[yIdx[i]], 1e-16));
    }
  }
  return s / n;
}

/** Tree output for training row i using its bins (rows outside the subsample). */
function binnedTreeValue(
  tree: HistTree,
  bins: Uint8Array,
  n: number,
  cuts: ReturnType<typeof computeCuts>,
  i: number,
): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const f = tree.feature[node];
    const b = bins[f * n + i];
    const goLeft = b === binCount(cuts, f) ? tree.defaultLeft[node] === 1 : b <= tree.splitBin[node];
    node = goLeft ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

/** XGBoost's 'gain' importance: mean loss change of the splits on each feature, normalised to sum 1. */
function gainImportances(trees: HistTree[], nF: number): Float64Array {
  const total = new Float64Array(nF),
    count = new Float64Array(nF);
  for (const t of trees) {
    for (let i = 0; i < t.nodeCount; i++)
      if (t.feature[i] >= 0) {
        total[t.feature[i]] += t.gain[i];
        count[t.feature[i]]++;
      }
  }
  let s = 0;
  for (let f = 0; f < nF; f++) {
    total[f] = count[f] > 0 ? total[f] / count[f] : 0;
    s += total[f];
  }
  if (s > 0) for (let f = 0; f < nF; f++) total[f] /= s;
  return total;
}

registerComponent(GradientBoostingClassifier.TYPE, (json) => GradientBoostingClassifier.fromJSON(json));
