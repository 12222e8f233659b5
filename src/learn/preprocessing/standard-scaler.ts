// StandardScaler: (x − mean) / std per column, population std, NaN ignored in fit and kept in transform.
import { BaseEstimator } from '../core/base-estimator.js';
import type { SerializedComponent } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { StateReader } from '../core/restore-check.js';
import { encodeFloat64, registerComponent } from '../core/serialization.js';
import {
  checkInputColumns,
  notFitted,
  tableColumnNames,
  toMatrix,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './table.js';

export interface StandardScalerParams {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the population standard deviation (default true). */
  withStd?: boolean;
}

const DEFAULTS: Required<StandardScalerParams> = { withMean: true, withStd: true };

const EPS = 2.220446049250313e-16;

/**
 * Same arithmetic as scikit-learn 1.2: var = (Σ(x−T)² − (Σ(x−T))²/n) / n with T = mean, and a
 * near-constant column (var ≤ n·eps·var + (n·mean·eps)²) gets scale 1.
 */
export class StandardScaler extends BaseEstimator<StandardScalerParams> implements TableTransformer {
  featureNamesIn_: string[] | undefined;
  mean_: Float64Array | undefined;
  var_: Float64Array | undefined;
  scale_: Float64Array | undefined;
  nSamplesSeen_: Float64Array | undefined;
  private shift: Float64Array | undefined;
  private divisor: Float64Array | undefined;

  constructor(params: StandardScalerParams = {}) {
    super(params, DEFAULTS);
  }

  fit(X: Table): this {
    this.checkFlags();
    const m = toMatrix(X, 'StandardScaler.fit');
    this.featureNamesIn_ = tableColumnNames(X);
    const p = m.nCols;
    const mean = new Float64Array(p);
    const variance = new Float64Array(p);
    const count = new Float64Array(p);
    const scale = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      let n = 0;
      for (let i = 0; i < m.nRows; i++) {
        const v = m.data[i * p + j];
        if (!Number.isNaN(v)) {
          s += v;
          n++;
        }
      }
      const t = s / n;
      let corr = 0;
      let sq = 0;
      for (let i = 0; i < m.nRows; i++) {
        const v = m.data[i * p + j];
        if (Number.isNaN(v)) continue;
        const d = v - t;
        corr += d;
        sq += d * d;
      }
      mean[j] = t;
      count[j] = n;
      variance[j] = (sq - (corr * corr) / n) / n;
      const constant = variance[j] <= n * EPS * variance[j] + (n * mean[j] * EPS) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(variance[j]);
    }
    const withMean = this.params.withMean ?? true;
    const withStd = this.params.withStd ?? true;
    this.mean_ = withMean || withStd ? mean : undefined;
    this.var_ = withStd ? variance : undefined;
    this.scale_ = withStd ? scale : undefined;
    this.nSamplesSeen_ = count;
    this.prepare();
    return this;
  }

  private checkFlags(): void {
    for (const key of ['withMean', 'withStd'] as const) {
      const v = this.params[key];
      if (v !== undefined && typeof v !== 'boolean') throw paramError(key, 'must be true or false', v);
    }
  }

  private prepare(): void {
    const p = this.featureNamesIn_!.length;
    this.shift = (this.params.withMean ?? true) && this.mean_ ? this.mean_ : new Float64Array(p);
    this.divisor = this.scale_ ?? new Float64Array(p).fill(1);
  }

  fitTransform(X: Table): Matrix {
    return this.fit(X).transform(X);
  }

  transform(X: Table): Matrix {
    if (!this.shift || !this.divisor || !this.featureNamesIn_) throw notFitted('StandardScaler');
    checkInputColumns(X, this.featureNamesIn_, 'StandardScaler.transform');
    const m = toMatrix(X, 'StandardScaler.transform');
    const out = matrix(m.nRows, m.nCols);
    const p = m.nCols;
    for (let i = 0; i < m.nRows; i++)
      for (let j = 0; j < p; j++) out.data[i * p + j] = (m.data[i * p + j] - this.shift[j]) / this.divisor[j];
    return out;
  }

  /** Maps standardised values back: x·scale + mean. */
  inverseTransform(X: Matrix): Matrix {
    if (!this.shift || !this.divisor) throw notFitted('StandardScaler');
    const out = matrix(X.nRows, X.nCols);
    for (let i = 0; i < X.nRows; i++)
      for (let j = 0; j < X.nCols; j++)
        out.data[i * X.nCols + j] = X.data[i * X.nCols + j] * this.divisor[j] + this.shift[j];
    return out;
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    const shift = this.shift;
    const div = this.divisor;
    if (!shift || !div) throw notFitted('StandardScaler');
    for (let j = 0; j < shift.length; j++) {
      const v = row[j];
      out[offset + j] = ((v === null ? NaN : (v as number)) - shift[j]) / div[j];
    }
  }

  featureNamesOut(): string[] {
    if (!this.featureNamesIn_) throw notFitted('StandardScaler');
    return [...this.featureNamesIn_];
  }

  outputKinds(): ColumnKind[] {
    return this.featureNamesOut().map(() => 'numeric');
  }

  toJSON(): SerializedComponent {
    const enc = (a: Float64Array | undefined) => (a ? encodeFloat64(a) : null);
    return {
      type: 'StandardScaler',
      version: 1,
      params: { ...this.params },
      state: this.featureNamesIn_
        ? {
            featureNamesIn: this.featureNamesIn_,
            mean: enc(this.mean_),
            var: enc(this.var_),
            scale: enc(this.scale_),
            nSamplesSeen: enc(this.nSamplesSeen_),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): StandardScaler {
    const s = new StandardScaler().setParams(json.params);
    s.checkFlags();
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const names = r.strings('featureNamesIn');
      const dec = (key: string) => (r.has(key) ? r.finite64(key, names.length) : undefined);
      s.featureNamesIn_ = names;
      s.mean_ = dec('mean');
      s.var_ = dec('var');
      s.scale_ = dec('scale');
      s.nSamplesSeen_ = dec('nSamplesSeen');
      s.scale_?.forEach((v, j) => {
        if (!(v > 0)) r.fail(`scale[${j}]`, `must be > 0 (it divides), got ${v}`);
      });
      s.prepare();
    }
    return s;
  }
}

registerComponent('StandardScaler', (json) => StandardScaler.fromJSON(json));
