// A small real classifier for model-selection tests: nearest class centroid over chosen features,
// probabilities from a softmax of negative squared distances. Not a product estimator.
import type { Classifier, Labels, SerializedComponent } from '../../../src/learn/core/estimator.js';
import type { Frame } from '../../../src/learn/core/frame.js';
import type { Matrix } from '../../../src/learn/core/matrix.js';
import { matrix } from '../../../src/learn/core/matrix.js';

export interface NearestCentroidParams {
  /** Feature indices to use; all when null. */
  features?: number[] | null;
  /** Softmax temperature on squared distances. */
  temperature?: number;
}

export class NearestCentroid implements Classifier<Matrix> {
  classes_: Float64Array | undefined;
  centroids_: Float64Array[] | undefined;
  fitCount = 0;

  constructor(public params: NearestCentroidParams = {}) {}

  private features(nCols: number): number[] {
    return this.params.features ?? Array.from({ length: nCols }, (_, j) => j);
  }

  fit(X: Matrix, y: Labels): this {
    const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
    const feats = this.features(X.nCols);
    const sums = classes.map(() => new Float64Array(feats.length));
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < X.nRows; i++) {
      const k = classes.indexOf(y[i]);
      counts[k]++;
      feats.forEach((j, f) => {
        sums[k][f] += X.data[i * X.nCols + j];
      });
    }
    this.centroids_ = sums.map((s, k) => s.map((v) => v / counts[k]));
    this.classes_ = Float64Array.from(classes);
    this.fitCount++;
    return this;
  }

  predictProba(X: Matrix): Matrix {
    if (!this.centroids_ || !this.classes_) throw new Error('NearestCentroid: not fitted');
    const feats = this.features(X.nCols);
    const K = this.classes_.length;
    const out = matrix(X.nRows, K);
    const t = this.params.temperature ?? 1;
    for (let i = 0; i < X.nRows; i++) {
      const d = this.centroids_.map((c) => feats.reduce((s, j, f) => s + (X.data[i * X.nCols + j] - c[f]) ** 2, 0));
      const m = Math.min(...d);
      const e = d.map((v) => Math.exp(-(v - m) / t));
      const z = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < K; k++) out.data[i * K + k] = e[k] / z;
    }
    return out;
  }

  predict(X: Matrix): Float64Array {
    const P = this.predictProba(X);
    const out = new Float64Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      let best = 0;
      for (let k = 1; k < P.nCols; k++) if (P.data[i * P.nCols + k] > P.data[i * P.nCols + best]) best = k;
      out[i] = this.classes_![best];
    }
    return out;
  }

  clone(): this {
    return new NearestCentroid({ ...this.params }) as this;
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  setParams(params: Record<string, unknown>): this {
    for (const k of Object.keys(params)) {
      if (k !== 'features' && k !== 'temperature') throw new RangeError(`NearestCentroid: unknown parameter "${k}"`);
    }
    this.params = { ...this.params, ...params };
    return this;
  }

  toJSON(): SerializedComponent {
    return { type: 'NearestCentroid', version: 1, params: { ...this.params }, state: null };
  }
}

/** The same classifier over a Frame's numeric columns, to exercise Frame inputs. */
export class FrameNearestCentroid implements Classifier<Frame> {
  private inner: NearestCentroid;
  constructor(params: NearestCentroidParams = {}) {
    this.inner = new NearestCentroid(params);
  }
  get classes_() {
    return this.inner.classes_;
  }
  private toMatrix(X: Frame): Matrix {
    const cols = X.columns.filter((c) => c.kind === 'numeric');
    const m = matrix(X.nRows, cols.length);
    cols.forEach((c, j) => {
      for (let i = 0; i < X.nRows; i++) m.data[i * cols.length + j] = (c as { values: Float64Array }).values[i];
    });
    return m;
  }
  fit(X: Frame, y: Labels): this {
    this.inner.fit(this.toMatrix(X), y);
    return this;
  }
  predict(X: Frame) {
    return this.inner.predict(this.toMatrix(X));
  }
  predictProba(X: Frame) {
    return this.inner.predictProba(this.toMatrix(X));
  }
  clone(): this {
    return new FrameNearestCentroid(this.inner.getParams()) as this;
  }
  getParams() {
    return this.inner.getParams();
  }
  setParams(p: Record<string, unknown>): this {
    this.inner.setParams(p);
    return this;
  }
  toJSON(): SerializedComponent {
    return { ...this.inner.toJSON(), type: 'FrameNearestCentroid' };
  }
}

/** Seeded two-class Gaussian blobs: feature 0 informative (shift `sep`), the others noise. */
export function blobs(
  n: number,
  nFeatures: number,
  sep: number,
  seed: number,
  positiveShare = 0.5,
): { X: Matrix; y: Float64Array } {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const X = matrix(n, nFeatures);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rand() < positiveShare ? 1 : 0;
    for (let j = 0; j < nFeatures; j++) X.data[i * nFeatures + j] = normal() + (j === 0 ? sep * y[i] : 0);
  }
  return { X, y };
}
