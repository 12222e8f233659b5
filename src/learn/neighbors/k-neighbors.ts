// KNeighborsClassifier after scikit-learn's: k nearest training rows by euclidean, manhattan,
// chebyshev or minkowski(p) distance, uniform or 1/distance weights (a query at distance 0 from
// some rows gives those rows weight 1 and the others 0, as sklearn), found by brute force, a
// KD-tree or a ball tree. All algorithms return the same neighbours in the same order: ascending
// distance, ties by training index. Brute force scans the rows grouped and pruned by exact bounds
// where that pays (grouped-scan.ts), and in index order otherwise.
import { BaseEstimator } from '../core/base-estimator.js';
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import { argmaxClasses, matrix, probaByRows, type Matrix } from '../core/matrix.js';
import { StateReader } from '../core/restore-check.js';
import { encodeFloat64, registerComponent } from '../core/serialization.js';
import { checkPredictInput, encodeLabels } from '../tree/tree-params.js';
import { paramError } from '../core/params.js';
import {
  boundedReduced,
  reducedDistance,
  reducedToDistance,
  resolveMetric,
  type Metric,
  type MetricName,
} from './distance-metric.js';
import { GroupedScan } from './grouped-scan.js';
import { NeighborHeap } from './neighbor-heap.js';
import { SpaceTree } from './space-tree.js';

export type NeighborAlgorithm = 'auto' | 'brute' | 'kd_tree' | 'ball_tree';

export interface KNeighborsParams {
  nNeighbors?: number;
  weights?: 'uniform' | 'distance';
  algorithm?: NeighborAlgorithm;
  leafSize?: number;
  metric?: MetricName;
  /** Minkowski power (metric 'minkowski'); 1 = manhattan, 2 = euclidean. */
  p?: number;
}

const DEFAULTS: Required<KNeighborsParams> = {
  nNeighbors: 5,
  weights: 'uniform',
  algorithm: 'auto',
  leafSize: 30,
  metric: 'minkowski',
  p: 2,
};

export interface KNeighborsResult {
  /** nRows x k distances, ascending per row. */
  distances: Matrix;
  /** nRows x k training row indices, row-major. */
  indices: Int32Array;
}

export class KNeighborsClassifier extends BaseEstimator<KNeighborsParams> implements Classifier<Matrix> {
  static readonly TYPE = 'KNeighborsClassifier';
  classes_: Float64Array | undefined;
  nFeaturesIn_: number | undefined;
  /** The algorithm used ('auto' resolved). */
  fitAlgorithm_: Exclude<NeighborAlgorithm, 'auto'> | undefined;
  private X_: Float64Array | undefined;
  private yIdx_: Int32Array | undefined;
  private nRows_ = 0;
  private metric_: Metric | undefined;
  private tree_: SpaceTree | undefined;
  private scan_: GroupedScan | undefined;
  private heap_: NeighborHeap | undefined;

  constructor(params: KNeighborsParams = {}) {
    super(params, DEFAULTS);
  }

  fit(X: Matrix, y: Labels, options: FitOptions = {}): this {
    if (options.sampleWeight) throw new RangeError('KNeighborsClassifier does not support sampleWeight');
    if (X.nRows === 0 || X.nCols === 0) throw new RangeError('X must have at least one row and one column');
    if (y.length !== X.nRows) throw new RangeError(`y has ${y.length} labels, X has ${X.nRows} rows`);
    for (let i = 0; i < X.data.length; i++) {
      if (!Number.isFinite(X.data[i]))
        throw new RangeError(
          `X contains a non-finite value at row ${Math.floor(i / X.nCols)}: impute missing values first`,
        );
    }
    this.resolve(X.nRows, X.nCols); // invalid params throw before any fitted state changes
    const { classes, yIdx } = encodeLabels(y);
    this.classes_ = classes;
    this.yIdx_ = yIdx;
    this.X_ = X.data.slice();
    this.nRows_ = X.nRows;
    this.nFeaturesIn_ = X.nCols;
    this.build();
    return this;
  }

  /** Checks the params against the training shape; returns the metric and the algorithm to use. */
  private resolve(
    nRows: number,
    nCols: number,
  ): { metric: Metric; algorithm: Exclude<NeighborAlgorithm, 'auto'>; p: Required<KNeighborsParams> } {
    const p = { ...DEFAULTS, ...this.params };
    if (!Number.isInteger(p.nNeighbors) || p.nNeighbors < 1)
      throw paramError('nNeighbors', 'must be an integer >= 1', p.nNeighbors);
    if (p.weights !== 'uniform' && p.weights !== 'distance')
      throw paramError('weights', "must be 'uniform' or 'distance'", p.weights);
    if (!Number.isInteger(p.leafSize) || p.leafSize < 1)
      throw paramError('leafSize', 'must be an integer >= 1', p.leafSize);
    if (!['auto', 'brute', 'kd_tree', 'ball_tree'].includes(p.algorithm)) {
      throw paramError('algorithm', "must be 'auto', 'brute', 'kd_tree' or 'ball_tree'", p.algorithm);
    }
    if (p.nNeighbors > nRows)
      throw paramError('nNeighbors', `must be <= the number of training rows (${nRows})`, p.nNeighbors);
    const metric = resolveMetric(p.metric, p.p);
    let algorithm = p.algorithm;
    if (algorithm === 'auto') algorithm = nCols > 15 || p.nNeighbors >= nRows / 2 ? 'brute' : 'kd_tree';
    return { metric, algorithm, p };
  }

  private build(): void {
    const { metric, algorithm, p } = this.resolve(this.nRows_, this.nFeaturesIn_!);
    this.metric_ = metric;
    this.fitAlgorithm_ = algorithm;
    this.tree_ =
      algorithm === 'brute'
        ? undefined
        : new SpaceTree(algorithm, this.X_!, this.nRows_, this.nFeaturesIn_!, metric, p.leafSize);
    this.scan_ =
      algorithm === 'brute' ? GroupedScan.create(this.X_!, this.nRows_, this.nFeaturesIn_!, metric) : undefined;
    this.heap_ = new NeighborHeap(p.nNeighbors);
  }

  /** Fills heap with the k nearest training rows of q[qo ..] (sorted by distance, then index). */
  private search(q: ArrayLike<number>, qo: number, heap: NeighborHeap): void {
    heap.reset();
    if (this.tree_) this.tree_.query(q, qo, heap);
    else if (this.scan_?.pays) this.scan_.query(q, qo, heap);
    else if (this.metric_!.kind === 0) bruteEuclidean(q, qo, this.X_!, this.nRows_, this.nFeaturesIn_!, heap);
    else {
      const d = this.nFeaturesIn_!,
        X = this.X_!,
        m = this.metric_!;
      // abandoning a row early pays for chebyshev and minkowski(p), whose terms cost more than
      // the extra comparison; for manhattan the plain sum is faster
      const early = m.kind >= 2;
      for (let i = 0; i < this.nRows_; i++) {
        const bound = heap.bound();
        const r = early ? boundedReduced(m, q, qo, X, i * d, d, bound) : reducedDistance(m, q, qo, X, i * d, d);
        if (r <= bound) heap.push(r, i);
      }
    }
    heap.sort();
  }

  /**
   * The k nearest training rows of each row of X (sklearn's kneighbors). Without X, each training
   * row's neighbours excluding itself.
   */
  kneighbors(X?: Matrix, nNeighbors?: number): KNeighborsResult {
    if (!this.X_) throw new Error('KNeighborsClassifier is not fitted: call fit first');
    const k = nNeighbors ?? this.params.nNeighbors ?? DEFAULTS.nNeighbors;
    const self = X === undefined;
    const q = X ?? matrix(this.nRows_, this.nFeaturesIn_!, this.X_);
    checkPredictInput(q, this.nFeaturesIn_, 'KNeighborsClassifier');
    const kq = self ? k + 1 : k;
    if (!Number.isInteger(k) || k < 1 || kq > this.nRows_)
      throw paramError('nNeighbors', `must be an integer in [1, ${self ? this.nRows_ - 1 : this.nRows_}]`, k);
    const heap = new NeighborHeap(kq);
    const distances = matrix(q.nRows, k);
    const indices = new Int32Array(q.nRows * k);
    for (let i = 0; i < q.nRows; i++) {
      this.search(q.data, i * q.nCols, heap);
      let out = 0;
      let skipped = !self;
      for (let j = 0; j < heap.size && out < k; j++) {
        if (!skipped && heap.idx[j] === i) {
          skipped = true;
          continue;
        }
        distances.data[i * k + out] = reducedToDistance(this.metric_!, heap.dist[j]);
        indices[i * k + out] = heap.idx[j];
        out++;
      }
    }
    return { distances, indices };
  }

  /** Class probabilities of one row (row[offset .. offset + nFeatures)) into out; no allocation. */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    if (!this.X_) throw new Error('KNeighborsClassifier is not fitted: call fit first');
    const k = this.params.nNeighbors ?? DEFAULTS.nNeighbors;
    const distance = (this.params.weights ?? DEFAULTS.weights) === 'distance';
    const heap = this.heap_!;
    const nc = this.classes_!.length,
      y = this.yIdx_!;
    heap.capacity = k;
    this.search(row, offset, heap);
    for (let c = 0; c < nc; c++) out[c] = 0;
    let anyZero = false;
    if (distance)
      for (let j = 0; j < heap.size; j++)
        if (heap.dist[j] === 0) {
          anyZero = true;
          break;
        }
    for (let j = 0; j < heap.size; j++) {
      let w = 1;
      if (distance) w = anyZero ? (heap.dist[j] === 0 ? 1 : 0) : 1 / reducedToDistance(this.metric_!, heap.dist[j]);
      out[y[heap.idx[j]]] += w;
    }
    let s = 0;
    for (let c = 0; c < nc; c++) s += out[c];
    if (s === 0) s = 1;
    for (let c = 0; c < nc; c++) out[c] /= s;
    return out;
  }

  predictProba(X: Matrix): Matrix {
    checkPredictInput(X, this.nFeaturesIn_, 'KNeighborsClassifier');
    return probaByRows(X, this.classes_!.length, (data, out, offset) => this.predictProbaRowInto(data, out, offset));
  }

  predict(X: Matrix): Float64Array {
    return argmaxClasses(this.predictProba(X), this.classes_!);
  }

  toJSON(): SerializedComponent {
    return {
      type: KNeighborsClassifier.TYPE,
      version: 1,
      params: { ...this.params },
      state: this.X_
        ? {
            classes: encodeFloat64(this.classes_!),
            nFeatures: this.nFeaturesIn_!,
            nRows: this.nRows_,
            X: encodeFloat64(this.X_),
            y: encodeFloat64(Float64Array.from(this.yIdx_!)),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): KNeighborsClassifier {
    const m = new KNeighborsClassifier().setParams(json.params);
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const classes = r.classes('classes');
      const nFeatures = r.int('nFeatures', 1, 2 ** 24);
      const nRows = r.int('nRows', 1, 2 ** 31);
      const X = r.finite64('X', nRows * nFeatures);
      // squared distances must stay finite, or 'distance' weights become 0/0
      for (let i = 0; i < X.length; i++)
        if (!(Math.abs(X[i]) <= 1e150))
          r.fail('X', `: value ${X[i]} at row ${Math.floor(i / nFeatures)} is beyond 1e150`);
      const y = r.float64('y', nRows);
      for (let i = 0; i < nRows; i++) {
        if (!(Number.isInteger(y[i]) && y[i] >= 0 && y[i] < classes.length))
          r.fail('y', `: row ${i} has class index ${y[i]}, outside [0, ${classes.length})`);
      }
      m.classes_ = classes;
      m.nFeaturesIn_ = nFeatures;
      m.nRows_ = nRows;
      m.X_ = X;
      m.yIdx_ = Int32Array.from(y);
      m.build();
    }
    return m;
  }
}

let queryScratch = new Float64Array(64);

/**
 * Brute-force squared-euclidean scan (the default metric) with the distance loop inlined. A row
 * is abandoned once its partial sum exceeds the current k-th distance: the terms are >= 0, so
 * the partial sums never decrease and such a row could not be kept. Rows that are finished
 * sum the same terms in the same order as reducedDistance, so distances are bit-identical.
 */
function bruteEuclidean(
  q: ArrayLike<number>,
  qo: number,
  X: Float64Array,
  n: number,
  d: number,
  heap: NeighborHeap,
): void {
  // the query in a Float64Array keeps the hot loop monomorphic whatever array the caller passed
  let v = queryScratch;
  if (v.length < d) v = queryScratch = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = q[qo + j];
  let bound = heap.bound();
  let i = 0;
  // two rows at a time: two independent sums keep the FP adder busy; each row is still decided
  // in index order against the bound current at its turn, exactly as one at a time
  for (; i + 1 < n; i += 2) {
    const x0 = i * d,
      x1 = x0 + d;
    let s0 = 0,
      s1 = 0,
      j = 0;
    for (; j < d; j++) {
      const a = v[j];
      const t0 = a - X[x0 + j],
        t1 = a - X[x1 + j];
      s0 += t0 * t0;
      s1 += t1 * t1;
      if (s0 > bound && s1 > bound) break;
    }
    if (j < d) continue;
    if (s0 <= bound) {
      heap.push(s0, i);
      bound = heap.bound();
    }
    if (s1 <= bound) {
      heap.push(s1, i + 1);
      bound = heap.bound();
    }
  }
  for (let xo = i * d; i < n; i++, xo += d) {
    let s = 0,
      j = 0;
    for (; j < d; j++) {
      const t = v[j] - X[xo + j];
      s += t * t;
      if (s > bound) break;
    }
    if (j === d && s <= bound) {
      heap.push(s, i);
      bound = heap.bound();
    } // NaN (a NaN query) is never kept, as in search()
  }
}

registerComponent(KNeighborsClassifier.TYPE, (json) => KNeighborsClassifier.fromJSON(json));
