// RandomForestClassifier after scikit-learn's: bootstrap rows, sqrt(features) per split, fully
// grown best-split trees, probabilities = mean of the trees' leaf class fractions. Trees are
// built on worker threads sharing the rank-encoded training data (SharedArrayBuffer); tree t
// uses a seed drawn t-th from the forest seed, so the fitted forest does not depend on nJobs.
// Prediction runs over one packed set of typed arrays for all trees; large batches are split by
// rows over the same worker pool (forest-predict.ts), with results identical to the in-thread loop.
import { BaseEstimator } from '../core/base-estimator.js';
import { availableParallelism } from 'node:os';
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import { argmaxClasses, matrix, type Matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { Rng } from '../core/random.js';
import { allocArray, sharedCopy } from '../core/shared-arrays.js';
import { checkRoots, checkTreeNodes, StateReader, treeEnd } from '../core/restore-check.js';
import { encodeFloat64, encodeInt32, registerComponent } from '../core/serialization.js';
import { treeFeatureImportances, type FlatTree } from '../tree/flat-tree.js';
import {
  checkPredictInput,
  checkTrainingInput,
  encodeLabels,
  resolveCriterion,
  resolveMaxDepth,
  resolveMaxFeatures,
  resolveMinSamplesLeaf,
  resolveMinSamplesSplit,
  resolveSeed,
  rowWeights,
  type ClassWeight,
  type MaxFeatures,
} from '../tree/tree-params.js';
import { prepareTreeData } from '../tree/training-data.js';
import { WorkerStartError } from '../core/worker-pool.js';
import { ensemblePool, MAX_WORKERS, runRowJobs } from './ensemble-pool.js';
import { buildForestLayout, layoutPays, predictForestRows, type ForestLayout } from './forest-predict.js';
import { buildForestTrees, type BuiltTrees, type ForestJob } from './forest-trees.js';

export interface RandomForestParams {
  nEstimators?: number;
  criterion?: 'gini' | 'entropy';
  maxDepth?: number | null;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  maxFeatures?: MaxFeatures;
  bootstrap?: boolean;
  classWeight?: ClassWeight;
  seed?: number;
  /** Worker threads; null = all cores (os.availableParallelism()), 1 = build in this thread. */
  nJobs?: number | null;
}

const DEFAULTS: Required<RandomForestParams> = {
  nEstimators: 100,
  criterion: 'gini',
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  bootstrap: true,
  classWeight: null,
  seed: 0,
  nJobs: null,
};

/** All trees in one set of arrays; child indices are absolute. proba holds each node's class fractions. */
export interface PackedForest {
  nTrees: number;
  nClasses: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  proba: Float64Array;
  /** Set only on the shared copy sent to pool workers (when the batch pays for it): the batch-walk layout (forest-predict.ts). */
  layout?: ForestLayout;
}

export function packForest(trees: FlatTree[], nClasses: number): PackedForest {
  const total = trees.reduce((s, t) => s + t.nodeCount, 0);
  const f: PackedForest = {
    nTrees: trees.length,
    nClasses,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    proba: new Float64Array(total * nClasses),
  };
  let off = 0;
  trees.forEach((t, k) => {
    f.roots[k] = off;
    f.feature.set(t.feature, off);
    f.threshold.set(t.threshold, off);
    for (let i = 0; i < t.nodeCount; i++) {
      f.left[off + i] = t.left[i] < 0 ? -1 : t.left[i] + off;
      f.right[off + i] = t.right[i] < 0 ? -1 : t.right[i] + off;
      let s = 0;
      for (let c = 0; c < nClasses; c++) s += t.value[i * nClasses + c];
      for (let c = 0; c < nClasses; c++) f.proba[(off + i) * nClasses + c] = t.value[i * nClasses + c] / s;
    }
    off += t.nodeCount;
  });
  return f;
}

export class RandomForestClassifier extends BaseEstimator<RandomForestParams> implements Classifier<Matrix> {
  static readonly TYPE = 'RandomForestClassifier';
  classes_: Float64Array | undefined;
  nFeaturesIn_: number | undefined;
  forest_: PackedForest | undefined;
  featureImportances_: Float64Array | undefined;

  constructor(params: RandomForestParams = {}) {
    super(params, DEFAULTS);
  }

  fit(X: Matrix, y: Labels, options: FitOptions = {}): this {
    checkTrainingInput(X, y, options.sampleWeight);
    const p = { ...DEFAULTS, ...this.params };
    if (!Number.isInteger(p.nEstimators) || p.nEstimators < 1)
      throw paramError('nEstimators', 'must be an integer >= 1', p.nEstimators);
    if (typeof p.bootstrap !== 'boolean') throw paramError('bootstrap', 'must be true or false', p.bootstrap);
    checkNJobs(p.nJobs);
    const minSamplesLeaf = resolveMinSamplesLeaf(p.minSamplesLeaf, X.nRows);
    const params = {
      criterion: resolveCriterion(p.criterion),
      maxDepth: resolveMaxDepth(p.maxDepth),
      minSamplesSplit: Math.max(resolveMinSamplesSplit(p.minSamplesSplit, X.nRows), 2 * minSamplesLeaf),
      minSamplesLeaf,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.nCols),
    };
    const seed = resolveSeed(p.seed);
    const { classes, yIdx } = encodeLabels(y);
    const nJobs = Math.min(resolveNJobs(p.nJobs), p.nEstimators);
    const shared = nJobs > 1;
    const data = prepareTreeData(X, yIdx, classes.length, shared);
    const w = rowWeights(yIdx, classes, p.classWeight, options.sampleWeight);
    const baseWeights = shared ? sharedCopy(w) : w;
    const rng = new Rng(seed);
    const seeds: number[] = [];
    for (let t = 0; t < p.nEstimators; t++) seeds.push(rng.nextUint32());

    const trees: FlatTree[] = new Array(p.nEstimators);
    const place = (built: BuiltTrees): void =>
      built.indices.forEach((t, k) => {
        trees[t] = built.trees[k];
      });
    const job: ForestJob = { data, baseWeights, params, bootstrap: p.bootstrap, seeds };
    if (!shared) {
      place(buildForestTrees(job));
    } else {
      const next = allocArray(Int32Array, 1, true);
      try {
        ensemblePool
          .runSync(
            'forest-build',
            Array.from({ length: nJobs }, () => ({ ...job, next })),
          )
          .forEach(place);
      } catch (e) {
        // same trees either way (per-tree seeds); only the thread differs
        if (!(e instanceof WorkerStartError)) throw e;
        place(buildForestTrees(job));
      }
    }
    this.classes_ = classes;
    this.nFeaturesIn_ = X.nCols;
    this.forest_ = packForest(trees, classes.length);
    this.featureImportances_ = forestImportances(trees, X.nCols);
    return this;
  }

  /** Mean class fractions of one row (row[offset .. offset + nFeatures)) into out; no allocation. */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    const f = this.forest_;
    if (!f) throw new Error('RandomForestClassifier is not fitted: call fit first');
    const { roots, feature, threshold, left, right, proba, nClasses: nc, nTrees } = f;
    for (let c = 0; c < nc; c++) out[c] = 0;
    for (let t = 0; t < nTrees; t++) {
      let node = roots[t];
      let feat = feature[node];
      while (feat >= 0) {
        node = Math.fround(row[offset + feat]) > threshold[node] ? right[node] : left[node];
        feat = feature[node];
      }
      const b = node * nc;
      for (let c = 0; c < nc; c++) out[c] += proba[b + c];
    }
    for (let c = 0; c < nc; c++) out[c] /= nTrees;
    return out;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictInput(X, this.nFeaturesIn_, 'RandomForestClassifier');
    const f = this.forest_!;
    const out = matrix(X.nRows, f.nClasses);
    const p = { ...DEFAULTS, ...this.params };
    const nJobs = Math.min(resolveNJobs(p.nJobs), X.nRows);
    if (nJobs > 1 && X.nRows * f.nTrees >= PARALLEL_PREDICT_MIN_WORK && predictOnWorkers(f, X, out.data, nJobs))
      return out;
    predictForestRows(f, X.data, X.nCols, out.data, 0, X.nRows);
    return out;
  }

  predict(X: Matrix): Float64Array {
    return argmaxClasses(this.predictProba(X), this.classes_!);
  }

  toJSON(): SerializedComponent {
    const f = this.forest_;
    return {
      type: RandomForestClassifier.TYPE,
      version: 1,
      params: { ...this.params },
      state: f
        ? {
            classes: encodeFloat64(this.classes_!),
            nFeatures: this.nFeaturesIn_!,
            nTrees: f.nTrees,
            roots: encodeInt32(f.roots),
            feature: encodeInt32(f.feature),
            threshold: encodeFloat64(f.threshold),
            left: encodeInt32(f.left),
            right: encodeInt32(f.right),
            proba: encodeFloat64(f.proba),
            featureImportances: encodeFloat64(this.featureImportances_!),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): RandomForestClassifier {
    const m = new RandomForestClassifier().setParams(json.params);
    checkNJobs(m.params.nJobs);
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const classes = r.classes('classes');
      const nFeatures = r.int('nFeatures', 1, 2 ** 24);
      const nTrees = r.int('nTrees', 1, 2 ** 24);
      const roots = r.int32('roots', nTrees);
      const feature = r.int32('feature');
      const n = feature.length,
        nc = classes.length;
      const f: PackedForest = {
        nTrees,
        nClasses: nc,
        roots,
        feature,
        threshold: r.float64('threshold', n),
        left: r.int32('left', n),
        right: r.int32('right', n),
        proba: r.finite64('proba', n * nc),
      };
      checkRoots(r, roots, n);
      for (let t = 0; t < nTrees; t++) checkTreeNodes(r, f, roots[t], treeEnd(roots, t, n), nFeatures, `tree ${t} `);
      checkLeafFractions(r, f);
      m.classes_ = classes;
      m.nFeaturesIn_ = nFeatures;
      m.forest_ = f;
      m.featureImportances_ = r.finite64('featureImportances', nFeatures);
    }
    return m;
  }
}

/** Threads to use: null / -1 = all cores; never more than the pool has (the trees are the same either way). */
function resolveNJobs(nJobs: number | null): number {
  return Math.min(nJobs === null || nJobs === -1 ? availableParallelism() : nJobs, MAX_WORKERS);
}

function checkNJobs(nJobs: number | null | undefined): void {
  if (nJobs !== undefined && nJobs !== null && (!Number.isInteger(nJobs) || (nJobs < 1 && nJobs !== -1))) {
    throw paramError('nJobs', 'must be null, -1 or an integer >= 1', nJobs);
  }
}

/** A leaf's class fractions are probabilities: each in [0, 1], summing to 1 (to rounding). */
function checkLeafFractions(r: StateReader, f: PackedForest): void {
  const nc = f.nClasses;
  for (let i = 0; i < f.feature.length; i++) {
    if (f.feature[i] !== -1) continue;
    let s = 0;
    for (let c = 0; c < nc; c++) {
      const p = f.proba[i * nc + c];
      if (!(p >= 0 && p <= 1)) r.fail('proba', `: leaf ${i} has class fraction ${p}, outside [0, 1]`);
      s += p;
    }
    if (!(Math.abs(s - 1) <= 1e-9)) r.fail('proba', `: leaf ${i}'s class fractions sum to ${s}, not 1`);
  }
}

/** Batch predictions smaller than this (rows x trees) stay on the calling thread: posting costs more. */
const PARALLEL_PREDICT_MIN_WORK = 4_000_000;

const sharedForests = new WeakMap<PackedForest, PackedForest>();

/**
 * Splits the rows over the pool's workers (the forest and its batch-walk layout copied into shared
 * memory once, X per call); false when workers cannot start, so the caller predicts in-thread.
 */
function predictOnWorkers(f: PackedForest, X: Matrix, out: Float64Array, nJobs: number): boolean {
  let sf = sharedForests.get(f);
  if (!sf) {
    sf = {
      ...f,
      roots: sharedCopy(f.roots),
      feature: sharedCopy(f.feature),
      threshold: sharedCopy(f.threshold),
      left: sharedCopy(f.left),
      right: sharedCopy(f.right),
      proba: sharedCopy(f.proba),
    };
    sharedForests.set(f, sf);
  }
  if (!sf.layout && layoutPays(f, X.nRows)) sf.layout = buildForestLayout(f, true);
  const xs = sharedCopy(X.data);
  return runRowJobs('forest-predict', out, X.nRows, nJobs, (os, rowStart, rowEnd) => ({
    forest: sf,
    X: xs,
    nCols: X.nCols,
    out: os,
    rowStart,
    rowEnd,
  }));
}

/** sklearn: mean of the per-tree importances over trees with a split, renormalised. */
function forestImportances(trees: FlatTree[], nFeatures: number): Float64Array {
  const acc = new Float64Array(nFeatures);
  let used = 0;
  for (const t of trees) {
    if (t.nodeCount <= 1) continue;
    const imp = treeFeatureImportances(t, nFeatures);
    for (let f = 0; f < nFeatures; f++) acc[f] += imp[f];
    used++;
  }
  if (used === 0) return acc;
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    acc[f] /= used;
    total += acc[f];
  }
  if (total > 0) for (let f = 0; f < nFeatures; f++) acc[f] /= total;
  return acc;
}

registerComponent(RandomForestClassifier.TYPE, (json) => RandomForestClassifier.fromJSON(json));
