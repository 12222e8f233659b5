// A classifier that oversamples its training data with SMOTE before fitting (imbalanced-learn's
// Pipeline with a sampler step): used as a pipeline's last step, resampling happens only inside
// fit, so cross-validation never leaks synthetic rows into a test fold.
import type { Classifier, FitOptions, Labels, SerializedComponent } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { unknownParamError } from '../core/params.js';
import type { SmoteParams } from './smote.js';
import { SMOTE } from './smote.js';

type RowClassifier = Classifier<Matrix> & {
  predictProbaRowInto?(row: ArrayLike<number>, out: Float64Array, offset?: number): Float64Array | void;
};

export interface ResampledClassifierParams {
  estimator: RowClassifier;
  smote?: SmoteParams;
}

export class ResampledClassifier implements Classifier<Matrix> {
  /** Rows added by SMOTE in the last fit. */
  nSynthetic_: number | undefined;

  constructor(readonly params: ResampledClassifierParams) {
    if (!params.estimator) throw new RangeError('ResampledClassifier: estimator is required');
    new SMOTE(params.smote); // validates the SMOTE params up front
  }

  get classes_(): Float64Array | undefined {
    return this.params.estimator.classes_;
  }

  fit(X: Matrix, y: Labels, options?: FitOptions): this {
    if (options?.sampleWeight)
      throw new RangeError('ResampledClassifier: sampleWeight is not supported with SMOTE resampling');
    const r = new SMOTE(this.params.smote).fitResample(X, y);
    this.nSynthetic_ = r.y.length - y.length;
    this.params.estimator.fit(r.X, r.y);
    return this;
  }

  predict(X: Matrix): Float64Array {
    return this.params.estimator.predict(X);
  }
  predictProba(X: Matrix): Matrix {
    return this.params.estimator.predictProba(X);
  }

  /** Present so a Pipeline's single-row path stays allocation-free when the estimator offers it. */
  predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array | void {
    const e = this.params.estimator;
    if (e.predictProbaRowInto) return e.predictProbaRowInto(row, out, offset);
    const m: Matrix = { nRows: 1, nCols: row.length, data: Float64Array.from(row) };
    out.set(e.predictProba(m).data, offset);
    return out;
  }

  clone(): this {
    return new ResampledClassifier({
      estimator: this.params.estimator.clone(),
      smote: { ...this.params.smote },
    }) as this;
  }

  getParams(): Record<string, unknown> {
    const smote = new SMOTE(this.params.smote).getParams();
    const out: Record<string, unknown> = { estimator: this.params.estimator, smote };
    for (const [k, v] of Object.entries(this.params.estimator.getParams())) out[`estimator__${k}`] = v;
    for (const [k, v] of Object.entries(smote)) out[`smote__${k}`] = v;
    return out;
  }

  /** `estimator__<param>` goes to the estimator, `smote__<param>` (e.g. smote__kNeighbors) to SMOTE. */
  setParams(params: Record<string, unknown>): this {
    for (const [key, value] of Object.entries(params)) {
      if (key.startsWith('estimator__')) this.params.estimator.setParams({ [key.slice('estimator__'.length)]: value });
      else if (key.startsWith('smote__')) {
        const smote = { ...this.params.smote, [key.slice('smote__'.length)]: value } as SmoteParams;
        new SMOTE(smote);
        this.params.smote = smote;
      } else if (key === 'estimator') this.params.estimator = value as RowClassifier;
      else if (key === 'smote') {
        new SMOTE(value as SmoteParams);
        this.params.smote = value as SmoteParams;
      } else throw unknownParamError('ResampledClassifier', key, ['estimator', 'smote']);
    }
    return this;
  }

  /** Resampling only shapes training; the fitted model is the estimator, so that is what is saved. */
  toJSON(): SerializedComponent {
    return this.params.estimator.toJSON();
  }
}
