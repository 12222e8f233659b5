// The estimator contract, after scikit-learn's base.py: params are the constructor argument,
// kept as given; fit returns this; fitted state lives in fields ending in `_`.
import type { Frame } from './frame.js';
import type { Matrix } from './matrix.js';

/** Class labels are numbers (0/1 for the binary clinical targets); classes_ is their sorted set. */
export type Labels = ArrayLike<number>;

export interface FitOptions {
  sampleWeight?: Float64Array;
}

/** JSON form every fitted component serialises to; `type` selects the class on restore. */
export interface SerializedComponent {
  type: string;
  /** Format version of this component's JSON. */
  version: number;
  params: Record<string, unknown>;
  state: Record<string, unknown> | null;
}

/** X is a Matrix for estimators, a Frame for pipelines that start with a ColumnTransformer. */
export interface Classifier<X = Matrix> {
  readonly classes_: Float64Array | undefined;
  fit(X: X, y: Labels, options?: FitOptions): this;
  predict(X: X): Float64Array;
  /** nRows x nClasses, columns in the order of classes_. */
  predictProba(X: X): Matrix;
  /** An unfitted copy with the same params (deep for pipelines), as scikit-learn's clone(). */
  clone(): this;
  getParams(): Record<string, unknown>;
  setParams(params: Record<string, unknown>): this;
  toJSON(): SerializedComponent;
}

/** Transformers map a Frame (or a Matrix) to a Matrix; feature names follow the output columns. */
export interface Transformer<In = Frame | Matrix> {
  fit(X: In): this;
  transform(X: In): Matrix;
  fitTransform(X: In): Matrix;
  featureNamesOut(): string[];
  getParams(): Record<string, unknown>;
  clone(): this;
  toJSON(): SerializedComponent;
}
