// MinMaxScaler: maps each column's [min, max] seen at fit onto featureRange, NaN ignored and kept.
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

export interface MinMaxScalerParams {
  /** Target range [lo, hi], lo < hi; default [0, 1]. */
  featureRange?: [number, number];
  /** Clip transformed values into featureRange (default false). */
  clip?: boolean;
}

const DEFAULTS: Required<MinMaxScalerParams> = { featureRange: [0, 1], clip: false };

const EPS = 2.220446049250313e-16;

/** x·scale + min with scale = (hi − lo) / (max − min) (a range below 10·eps counts as 1), as scikit-learn. */
export class MinMaxScaler extends BaseEstimator<MinMaxScalerParams> implements TableTransformer {
  featureNamesIn_: string[] | undefined;
  dataMin_: Float64Array | undefined;
  dataMax_: Float64Array | undefined;
  scale_: Float64Array | undefined;
  min_: Float64Array | undefined;

  constructor(params: MinMaxScalerParams = {}) {
    super(params, DEFAULTS);
  }

  private range(): [number, number] {
    const r = this.params.featureRange ?? DEFAULTS.featureRange;
    if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || !(r[0] < r[1])) {
      throw paramError('featureRange', 'must be [lo, hi] with finite lo < hi', r);
    }
    return r;
  }

  fit(X: Table): this {
    const [lo, hi] = this.range();
    const m = toMatrix(X, 'MinMaxScaler.fit');
    this.featureNamesIn_ = tableColumnNames(X);
    const p = m.nCols;
    const dmin = new Float64Array(p).fill(NaN);
    const dmax = new Float64Array(p).fill(NaN);
    for (let i = 0; i < m.nRows; i++) {
      for (let j = 0; j < p; j++) {
        const v = m.data[i * p + j];
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(dmin[j]) || v < dmin[j]) dmin[j] = v;
        if (Number.isNaN(dmax[j]) || v > dmax[j]) dmax[j] = v;
      }
    }
    const scale = new Float64Array(p);
    const min = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let range = dmax[j] - dmin[j];
      if (range < 10 * EPS) range = 1;
      scale[j] = (hi - lo) / range;
      min[j] = lo - dmin[j] * scale[j];
    }
    this.dataMin_ = dmin;
    this.dataMax_ = dmax;
    this.scale_ = scale;
    this.min_ = min;
    return this;
  }

  fitTransform(X: Table): Matrix {
    return this.fit(X).transform(X);
  }

  transform(X: Table): Matrix {
    if (!this.scale_ || !this.min_ || !this.featureNamesIn_) throw notFitted('MinMaxScaler');
    checkInputColumns(X, this.featureNamesIn_, 'MinMaxScaler.transform');
    const m = toMatrix(X, 'MinMaxScaler.transform');
    const out = matrix(m.nRows, m.nCols);
    for (let i = 0; i < m.nRows; i++) this.scaleInto(m.data, i * m.nCols, out.data, i * m.nCols);
    return out;
  }

  private scaleInto(src: ArrayLike<Cell>, srcOffset: number, out: Cell[] | Float64Array, offset: number): void {
    const scale = this.scale_!;
    const min = this.min_!;
    const clip = this.params.clip ?? false;
    const [lo, hi] = clip ? this.range() : [0, 0];
    for (let j = 0; j < scale.length; j++) {
      const v = src[srcOffset + j];
      let y = (v === null ? NaN : (v as number)) * scale[j] + min[j];
      if (clip) y = y < lo ? lo : y > hi ? hi : y;
      out[offset + j] = y;
    }
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    if (!this.scale_) throw notFitted('MinMaxScaler');
    this.scaleInto(row, 0, out, offset);
  }

  featureNamesOut(): string[] {
    if (!this.featureNamesIn_) throw notFitted('MinMaxScaler');
    return [...this.featureNamesIn_];
  }

  outputKinds(): ColumnKind[] {
    return this.featureNamesOut().map(() => 'numeric');
  }

  toJSON(): SerializedComponent {
    return {
      type: 'MinMaxScaler',
      version: 1,
      params: { ...this.params },
      state: this.scale_
        ? {
            featureNamesIn: this.featureNamesIn_,
            dataMin: encodeFloat64(this.dataMin_!),
            dataMax: encodeFloat64(this.dataMax_!),
            scale: encodeFloat64(this.scale_),
            min: encodeFloat64(this.min_!),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): MinMaxScaler {
    const s = new MinMaxScaler().setParams(json.params);
    s.range();
    if (typeof (s.params.clip ?? false) !== 'boolean') throw paramError('clip', 'must be true or false', s.params.clip);
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const names = r.strings('featureNamesIn');
      s.featureNamesIn_ = names;
      s.dataMin_ = r.finite64('dataMin', names.length);
      s.dataMax_ = r.finite64('dataMax', names.length);
      s.scale_ = r.finite64('scale', names.length);
      s.min_ = r.finite64('min', names.length);
    }
    return s;
  }
}

registerComponent('MinMaxScaler', (json) => MinMaxScaler.fromJSON(json));
