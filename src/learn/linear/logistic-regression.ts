// L2-regularised logistic regression (binary and multinomial) solved to scikit-learn's optimum.
import { BaseEstimator } from '../core/base-estimator.js';
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { argmaxClasses, matrix, probaByRows } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { MAX_MODEL_MAGNITUDE, StateReader } from '../core/restore-check.js';
import { encodeFloat64, registerComponent } from '../core/serialization.js';
import { minimizeNewton } from './newton-solver.js';

export interface LogisticRegressionParams {
  /** Inverse regularisation strength (> 0); default 1. The objective is Σ wᵢ·lossᵢ + ‖coef‖² / (2C). */
  C?: number;
  /** 'l2' (default) or 'none'. */
  penalty?: 'l2' | 'none';
  /** Fit an (unpenalised) intercept; default true. */
  fitIntercept?: boolean;
  /** 'balanced' (n / (nClasses · count of the class)) or weights by class label; default none. */
  classWeight?: 'balanced' | Record<string, number> | null;
  /** Newton iterations at most; default 100. */
  maxIter?: number;
  /** Stop when the largest gradient component is ≤ tol; default 1e-4. */
  tol?: number;
  /** 'auto' (default: binary → logistic, more classes → multinomial) or 'multinomial' (softmax also for two classes). */
  multiClass?: 'auto' | 'multinomial';
}

/**
 * Same model and objective as scikit-learn's LogisticRegression (lbfgs): binary targets use one
 * coefficient row (class 1 = the larger label), more classes a softmax with one row per class.
 * Solved by Newton's method, which reaches the same optimum in a handful of iterations on
 * tabular data (cost per iteration O(n·p²)).
 */
const DEFAULTS: Required<LogisticRegressionParams> = {
  C: 1,
  penalty: 'l2',
  fitIntercept: true,
  classWeight: null,
  maxIter: 100,
  tol: 1e-4,
  multiClass: 'auto',
};

export class LogisticRegression extends BaseEstimator<LogisticRegressionParams> implements Classifier<Matrix> {
  classes_: Float64Array | undefined;
  /** nRows = 1 (binary) or nClasses, nCols = nFeatures. */
  coef_: Matrix | undefined;
  intercept_: Float64Array | undefined;
  nFeaturesIn_: number | undefined;
  nIter_: number | undefined;
  converged_: boolean | undefined;

  constructor(params: LogisticRegressionParams = {}) {
    super(params, DEFAULTS);
  }

  private validate() {
    const { C, penalty, maxIter, tol, fitIntercept, multiClass, classWeight: cw } = this.resolvedParams();
    if (typeof C !== 'number' || !(C > 0) || !Number.isFinite(C))
      throw paramError('C', 'must be a finite number > 0', C);
    if (penalty !== 'l2' && penalty !== 'none') throw paramError('penalty', "must be 'l2' or 'none'", penalty);
    if (!Number.isInteger(maxIter) || maxIter < 1) throw paramError('maxIter', 'must be an integer >= 1', maxIter);
    if (typeof tol !== 'number' || !(tol > 0)) throw paramError('tol', 'must be a number > 0', tol);
    if (typeof fitIntercept !== 'boolean') throw paramError('fitIntercept', 'must be true or false', fitIntercept);
    if (multiClass !== 'auto' && multiClass !== 'multinomial')
      throw paramError('multiClass', "must be 'auto' or 'multinomial'", multiClass);
    if (
      cw !== null &&
      cw !== 'balanced' &&
      (typeof cw !== 'object' || Object.values(cw).some((v) => typeof v !== 'number' || !(v >= 0)))
    ) {
      throw paramError('classWeight', "must be 'balanced', null or { label: weight >= 0 }", cw);
    }
    return { lambda: penalty === 'l2' ? 1 / C : 0, maxIter, tol, fitIntercept, multiClass, cw };
  }

  fit(X: Matrix, y: Labels, options: FitOptions = {}): this {
    const { lambda, maxIter, tol, fitIntercept, multiClass, cw } = this.validate();
    const n = X.nRows;
    const d = X.nCols;
    if (y.length !== n) throw new RangeError(`LogisticRegression.fit: X has ${n} rows but y has ${y.length} values`);
    for (let i = 0; i < X.data.length; i++) {
      if (!Number.isFinite(X.data[i]))
        throw new RangeError(
          `LogisticRegression.fit: X contains ${X.data[i]} at row ${Math.floor(i / d)}, column ${i % d}; impute missing values first`,
        );
    }
    const classes = Float64Array.from(new Set(Array.from(y))).sort();
    if (classes.length < 2)
      throw new RangeError(`LogisticRegression.fit: needs samples of at least 2 classes; got only class ${classes[0]}`);
    const classIndex = new Map(Array.from(classes, (c, k) => [c, k]));
    const yIdx = Int32Array.from(y as ArrayLike<number>, (v) => classIndex.get(v)!);
    const weights = sampleWeights(n, yIdx, classes, cw, options.sampleWeight);
    const K = classes.length === 2 && multiClass === 'auto' ? 1 : classes.length;
    const D = d + (fitIntercept ? 1 : 0);
    const problem =
      K === 1
        ? binaryProblem(X, yIdx, weights, lambda, fitIntercept)
        : multinomialProblem(X, yIdx, weights, lambda, fitIntercept, K);
    const result = minimizeNewton(
      problem,
      initialTheta(yIdx, weights, K, classes.length, D, fitIntercept),
      tol,
      maxIter,
    );
    const coef = matrix(K, d);
    const intercept = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < d; j++) coef.data[k * d + j] = result.theta[k * D + j];
      intercept[k] = fitIntercept ? result.theta[k * D + d] : 0;
    }
    if (K > 1 && fitIntercept) {
      // Softmax is invariant to a shift of all intercepts; report the zero-sum one, as lbfgs from 0 does.
      const mean = intercept.reduce((a, b) => a + b, 0) / K;
      for (let k = 0; k < K; k++) intercept[k] -= mean;
    }
    this.classes_ = classes;
    this.coef_ = coef;
    this.intercept_ = intercept;
    this.nFeaturesIn_ = d;
    this.nIter_ = result.nIter;
    this.converged_ = result.converged;
    return this;
  }

  private fitted(): { coef: Matrix; intercept: Float64Array; classes: Float64Array } {
    if (!this.coef_ || !this.intercept_ || !this.classes_)
      throw new Error('LogisticRegression is not fitted yet: call fit() first');
    return { coef: this.coef_, intercept: this.intercept_, classes: this.classes_ };
  }

  /** Linear scores X·coefᵀ + intercept: n × 1 for binary (score of the larger class), n × nClasses otherwise. */
  decisionFunction(X: Matrix): Matrix {
    const { coef, intercept } = this.fitted();
    this.checkWidth(X);
    const K = coef.nRows;
    const d = coef.nCols;
    const out = matrix(X.nRows, K);
    for (let i = 0; i < X.nRows; i++) {
      for (let k = 0; k < K; k++) {
        let z = intercept[k];
        for (let j = 0; j < d; j++) z += X.data[i * d + j] * coef.data[k * d + j];
        out.data[i * K + k] = z;
      }
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const { classes } = this.fitted();
    this.checkWidth(X);
    return probaByRows(X, classes.length, (data, out, offset) => this.predictProbaRowInto(data, out, offset));
  }

  /** Probabilities of row[offset .. offset + nFeatures) into out[0 .. nClasses); no allocation. */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    const { coef, intercept } = this.fitted();
    const K = coef.nRows;
    const d = coef.nCols;
    const w = coef.data;
    if (K === 1) {
      let z = intercept[0];
      for (let j = 0; j < d; j++) z += row[offset + j] * w[j];
      const p = sigmoid(z);
      out[0] = 1 - p;
      out[1] = p;
      return out;
    }
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let z = intercept[k];
      for (let j = 0; j < d; j++) z += row[offset + j] * w[k * d + j];
      out[k] = z;
      if (z > max) max = z;
    }
    let s = 0;
    for (let k = 0; k < K; k++) {
      out[k] = Math.exp(out[k] - max);
      s += out[k];
    }
    for (let k = 0; k < K; k++) out[k] /= s;
    return out;
  }

  /** The class with the highest probability (ties → the first class). */
  predict(X: Matrix): Float64Array {
    return argmaxClasses(this.predictProba(X), this.fitted().classes);
  }

  private checkWidth(X: Matrix): void {
    if (X.nCols !== this.nFeaturesIn_)
      throw new RangeError(
        `LogisticRegression: X has ${X.nCols} features but the model was fitted on ${this.nFeaturesIn_}`,
      );
  }

  toJSON(): SerializedComponent {
    return {
      type: 'LogisticRegression',
      version: 1,
      params: { ...this.params },
      state: this.coef_
        ? {
            classes: encodeFloat64(this.classes_!),
            nFeatures: this.nFeaturesIn_,
            coefRows: this.coef_.nRows,
            coef: encodeFloat64(this.coef_.data),
            intercept: encodeFloat64(this.intercept_!),
            nIter: this.nIter_,
            converged: this.converged_,
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): LogisticRegression {
    const lr = new LogisticRegression().setParams(json.params);
    lr.validate();
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const classes = r.classes('classes');
      const nFeatures = r.int('nFeatures', 1, 2 ** 24);
      const rows = classes.length === 2 ? [1, 2] : [classes.length];
      const coefRows = r.int('coefRows', 1, classes.length);
      if (!rows.includes(coefRows))
        r.fail('coefRows', `must be ${rows.join(' or ')} for ${classes.length} classes, got ${coefRows}`);
      const coef = r.finite64('coef', coefRows * nFeatures);
      const intercept = r.finite64('intercept', coefRows);
      // a score is a sum over features: bounded coefficients keep it (and the probabilities) finite for bounded X
      for (let k = 0; k < coefRows; k++) {
        let reach = Math.abs(intercept[k]);
        for (let j = 0; j < nFeatures; j++) reach += Math.abs(coef[k * nFeatures + j]);
        if (!(reach <= MAX_MODEL_MAGNITUDE))
          r.fail('coef', `: row ${k} sums to more than 1e300 in magnitude: not a fitted model`);
      }
      lr.classes_ = classes;
      lr.coef_ = matrix(coefRows, nFeatures, coef);
      lr.intercept_ = intercept;
      lr.nFeaturesIn_ = nFeatures;
      lr.nIter_ = r.int('nIter', 0, 2 ** 31);
      lr.converged_ = r.bool('converged');
    }
    return lr;
  }
}

registerComponent('LogisticRegression', (json) => LogisticRegression.fromJSON(json));

/**
 * Start at zero coefficients with the intercepts of the class prior (the optimum of the
 * intercept-only model): the objective is strictly convex, so the optimum is the same as
 * scikit-learn's start from zero, in fewer iterations when classes are imbalanced.
 */
function initialTheta(
  yIdx: Int32Array,
  w: Float64Array,
  K: number,
  nClasses: number,
  D: number,
  fitIntercept: boolean,
): Float64Array {
  const theta = new Float64Array(K * D);
  if (!fitIntercept) return theta;
  const mass = new Float64Array(nClasses);
  for (let i = 0; i < yIdx.length; i++) mass[yIdx[i]] += w[i];
  if (mass.some((m) => !(m > 0))) return theta;
  if (K === 1) {
    theta[D - 1] = Math.log(mass[1] / mass[0]);
  } else {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += Math.log(mass[k]) / K;
    for (let k = 0; k < K; k++) theta[k * D + D - 1] = Math.log(mass[k]) - mean;
  }
  return theta;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Sample weight × class weight, as scikit-learn (balanced counts are unweighted class frequencies). */
function sampleWeights(
  n: number,
  yIdx: Int32Array,
  classes: Float64Array,
  cw: LogisticRegressionParams['classWeight'],
  sw?: ArrayLike<number>,
): Float64Array {
  if (sw && sw.length !== n)
    throw new RangeError(`LogisticRegression.fit: sampleWeight has ${sw.length} values, expected ${n}`);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = sw ? sw[i] : 1;
    if (!(w[i] >= 0) || !Number.isFinite(w[i]))
      throw new RangeError(`LogisticRegression.fit: sampleWeight[${i}] = ${w[i]} must be finite and >= 0`);
  }
  if (!cw) return w;
  const perClass = new Float64Array(classes.length).fill(1);
  if (cw === 'balanced') {
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < n; i++) counts[yIdx[i]]++;
    for (let k = 0; k < classes.length; k++) perClass[k] = n / (classes.length * counts[k]);
  } else {
    for (const [label, weight] of Object.entries(cw)) {
      const k = classes.indexOf(Number(label));
      if (k < 0)
        throw new RangeError(
          `LogisticRegression: classWeight names class ${label}, which is not in y (classes: ${Array.from(classes).join(', ')})`,
        );
      perClass[k] = weight;
    }
  }
  for (let i = 0; i < n; i++) w[i] *= perClass[yIdx[i]];
  return w;
}

/**
 * The non-zero entries of X, row by row (CSR, columns ascending). One-hot blocks leave most of a
 * row zero; skipping the zeros changes no sum (adding ±0 is exact), only the work.
 */
interface SparseRows {
  rowStart: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

function sparseRows(X: Matrix): SparseRows {
  const n = X.nRows;
  const d = X.nCols;
  const x = X.data;
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const rowStart = new Int32Array(n + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  let e = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = e;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v !== 0) {
        cols[e] = j;
        vals[e] = v;
        e++;
      }
    }
  }
  rowStart[n] = e;
  return { rowStart, cols, vals };
}

/** Binary objective Σ wᵢ[softplus(zᵢ) − yᵢzᵢ] + λ/2‖coef‖² over theta = [coef, intercept]. */
function binaryProblem(X: Matrix, yIdx: Int32Array, w: Float64Array, lambda: number, fitIntercept: boolean) {
  const n = X.nRows;
  const d = X.nCols;
  const D = d + (fitIntercept ? 1 : 0);
  const rows = sparseRows(X);
  const { rowStart, cols, vals } = rows;
  const curvature = new Float64Array(n);
  return {
    size: D,
    evaluate(theta: Float64Array, grad?: Float64Array, hess?: Float64Array): number {
      grad?.fill(0);
      const intercept = fitIntercept ? theta[d] : 0;
      let loss = 0;
      let interceptGrad = 0;
      for (let i = 0; i < n; i++) {
        const start = rowStart[i];
        const end = rowStart[i + 1];
        let z = intercept;
        for (let e = start; e < end; e++) z += vals[e] * theta[cols[e]];
        const yi = yIdx[i];
        // one exp for both: softplus(z) and sigmoid(z), each in its overflow-free form
        const ez = Math.exp(-Math.abs(z));
        loss += w[i] * ((z > 0 ? z + Math.log1p(ez) : Math.log1p(ez)) - yi * z);
        if (!grad) continue;
        const p = z >= 0 ? 1 / (1 + ez) : ez / (1 + ez);
        const r = w[i] * (p - yi);
        for (let e = start; e < end; e++) grad[cols[e]] += r * vals[e];
        interceptGrad += r;
        curvature[i] = w[i] * p * (1 - p);
      }
      if (grad && fitIntercept) grad[d] = interceptGrad;
      if (hess) weightedGram(rows, curvature, hess, D, fitIntercept);
      let pen = 0;
      for (let j = 0; j < d; j++) {
        pen += theta[j] * theta[j];
        if (grad) grad[j] += lambda * theta[j];
      }
      if (hess) {
        for (let j = 0; j < d; j++) hess[j * D + j] += lambda;
        for (let a = 0; a < D; a++) for (let b = a + 1; b < D; b++) hess[b * D + a] = hess[a * D + b];
      }
      return loss + 0.5 * lambda * pen;
    },
  };
}

/** Upper triangle of Xᵀ·diag(h)·X (with the intercept as a last column of ones when fitted) into hess (D × D). */
function weightedGram(
  { rowStart, cols, vals }: SparseRows,
  h: Float64Array,
  hess: Float64Array,
  D: number,
  fitIntercept: boolean,
): void {
  hess.fill(0);
  const last = D - 1;
  for (let i = 0; i < h.length; i++) {
    const hi = h[i];
    if (hi === 0) continue;
    const end = rowStart[i + 1];
    for (let e = rowStart[i]; e < end; e++) {
      const ha = hi * vals[e];
      const row = cols[e] * D;
      for (let f = e; f < end; f++) hess[row + cols[f]] += ha * vals[f];
      if (fitIntercept) hess[row + last] += ha;
    }
    if (fitIntercept) hess[last * D + last] += hi;
  }
}

/** Multinomial objective Σ wᵢ[logsumexp(zᵢ) − zᵢ,yᵢ] + λ/2 Σ_k‖coef_k‖², theta = K blocks of [coef_k, intercept_k]. */
function multinomialProblem(
  X: Matrix,
  yIdx: Int32Array,
  w: Float64Array,
  lambda: number,
  fitIntercept: boolean,
  K: number,
) {
  const n = X.nRows;
  const d = X.nCols;
  const D = d + (fitIntercept ? 1 : 0);
  const m = K * D;
  const x = X.data;
  const z = new Float64Array(K);
  const p = new Float64Array(K);
  const xi = new Float64Array(D);
  return {
    size: m,
    /** Softmax is unchanged by adding the same vector to every class block, so steps keep Σ_k θ_k = 0. */
    project(step: Float64Array): void {
      for (let j = 0; j < D; j++) {
        let mean = 0;
        for (let k = 0; k < K; k++) mean += step[k * D + j];
        mean /= K;
        for (let k = 0; k < K; k++) step[k * D + j] -= mean;
      }
    },
    evaluate(theta: Float64Array, grad?: Float64Array, hess?: Float64Array): number {
      grad?.fill(0);
      if (hess) hess.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) xi[j] = x[i * d + j];
        if (fitIntercept) xi[d] = 1;
        let max = -Infinity;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let j = 0; j < D; j++) s += xi[j] * theta[k * D + j];
          z[k] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) {
          p[k] = Math.exp(z[k] - max);
          sum += p[k];
        }
        for (let k = 0; k < K; k++) p[k] /= sum;
        loss += w[i] * (max + Math.log(sum) - z[yIdx[i]]);
        if (!grad) continue;
        for (let k = 0; k < K; k++) {
          const r = w[i] * (p[k] - (yIdx[i] === k ? 1 : 0));
          for (let j = 0; j < D; j++) grad[k * D + j] += r * xi[j];
        }
        if (hess) {
          for (let k = 0; k < K; k++) {
            for (let l = k; l < K; l++) {
              const h = w[i] * p[k] * ((k === l ? 1 : 0) - p[l]);
              if (h === 0) continue;
              for (let a = 0; a < D; a++) {
                const ha = h * xi[a];
                if (ha === 0) continue;
                const row = (k * D + a) * m + l * D;
                for (let b = 0; b < D; b++) hess[row + b] += ha * xi[b];
              }
            }
          }
        }
      }
      let pen = 0;
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < d; j++) {
          const t = theta[k * D + j];
          pen += t * t;
          if (grad) grad[k * D + j] += lambda * t;
        }
      }
      if (hess) {
        for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) hess[(k * D + j) * m + k * D + j] += lambda;
        // Fill the lower block triangle from the upper one (blocks l < k).
        for (let k = 0; k < K; k++) {
          for (let l = 0; l < k; l++) {
            for (let a = 0; a < D; a++)
              for (let b = 0; b < D; b++) hess[(k * D + a) * m + l * D + b] = hess[(l * D + b) * m + k * D + a];
          }
        }
      }
      return loss + 0.5 * lambda * pen;
    },
  };
}
