// What preprocessing steps consume and produce: a Frame (named, typed columns) or a Matrix, plus
// the single-row fast path every fitted transformer offers.
import type { SerializedComponent } from '../core/estimator.js';
import type { Column, Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import type { ColumnKind } from '../data/csv.js';
import type { Cell } from '../data/records.js';

export type { Cell } from '../data/records.js';
export type { ColumnKind } from '../data/csv.js';
export type Table = Frame | Matrix;

/**
 * A fitted preprocessing step. transform keeps the input's shape where it can (an imputer maps
 * a Frame to a Frame, so an encoder can follow it) and encoders return a Matrix.
 */
export interface TableTransformer {
  fit(X: Table, y?: ArrayLike<number>): this;
  transform(X: Table): Table;
  fitTransform(X: Table, y?: ArrayLike<number>): Table;
  /** Output column names; encoders name columns `input_value`. */
  featureNamesOut(): string[];
  /** Kind of each output column (categorical only for imputers on categorical input). */
  outputKinds(): ColumnKind[];
  /**
   * Single-row fast path: `row` holds one cell per fitted input column (numbers, NaN missing;
   * strings, null missing); writes featureNamesOut().length values into out[offset...].
   * Allocates nothing.
   */
  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void;
  /**
   * Optional batch fast path for steps whose output is all numeric: writes the same values as
   * transform(X) straight into a row-major matrix, row i's output at out[i * stride + offset ...],
   * with no intermediate table. `out` must be zero there (a fresh matrix).
   */
  transformInto?(X: Table, out: Float64Array, stride: number, offset: number): void;
  getParams(): Record<string, unknown>;
  setParams(params: Record<string, unknown>): this;
  clone(): this;
  toJSON(): SerializedComponent;
}

export function isFrame(x: Table): x is Frame {
  return (x as Frame).columns !== undefined;
}

/** Column names of a table; a Matrix's columns are x0, x1, … as scikit-learn names them. */
export function tableColumnNames(x: Table): string[] {
  return isFrame(x) ? x.columns.map((c) => c.name) : Array.from({ length: x.nCols }, (_, j) => `x${j}`);
}

export function tableKinds(x: Table): ColumnKind[] {
  return isFrame(x) ? x.columns.map((c) => c.kind) : new Array<ColumnKind>(x.nCols).fill('numeric');
}

/** Views a Matrix as a Frame of numeric columns x0, x1, … (copies the columns). */
export function asFrame(x: Table): Frame {
  if (isFrame(x)) return x;
  const columns: Column[] = [];
  for (let j = 0; j < x.nCols; j++) {
    const v = new Float64Array(x.nRows);
    for (let i = 0; i < x.nRows; i++) v[i] = x.data[i * x.nCols + j];
    columns.push({ kind: 'numeric', name: `x${j}`, values: v });
  }
  return { nRows: x.nRows, columns };
}

/** Stacks numeric columns into a row-major Matrix; a categorical column is an error. */
export function toMatrix(x: Table, context: string): Matrix {
  if (!isFrame(x)) return x;
  const m = matrix(x.nRows, x.columns.length);
  copyIntoMatrix(x, m.data, m.nCols, 0, context);
  return m;
}

/** Batch transform into out[i * stride + offset ...]: the step's transformInto, else transform and copy. */
export function transformIntoMatrix(
  t: TableTransformer,
  X: Table,
  out: Float64Array,
  stride: number,
  offset: number,
  context: string,
): void {
  if (t.transformInto) {
    t.transformInto(X, out, stride, offset);
    return;
  }
  copyIntoMatrix(t.transform(X), out, stride, offset, context);
}

/** Writes a numeric table's columns into out[i * stride + offset ...] (as toMatrix, without the intermediate matrix). */
export function copyIntoMatrix(x: Table, out: Float64Array, stride: number, offset: number, context: string): void {
  if (!isFrame(x)) {
    for (let i = 0; i < x.nRows; i++) {
      const src = i * x.nCols,
        dst = i * stride + offset;
      for (let j = 0; j < x.nCols; j++) out[dst + j] = x.data[src + j];
    }
    return;
  }
  x.columns.forEach((c, j) => {
    if (c.kind !== 'numeric')
      throw new Error(
        `${context}: column "${c.name}" is categorical; encode it (OneHotEncoder, OrdinalEncoder) before it reaches a matrix`,
      );
    const v = c.values;
    for (let i = 0, at = offset + j; i < x.nRows; i++, at += stride) out[at] = v[i];
  });
}

/** Checks that X has the columns (names, count) the transformer was fitted on. */
export function checkInputColumns(x: Table, fittedNames: readonly string[], who: string): void {
  const names = tableColumnNames(x);
  if (names.length !== fittedNames.length) {
    throw new Error(
      `${who}: X has ${names.length} columns but the transformer was fitted on ${fittedNames.length} (${fittedNames.join(', ')})`,
    );
  }
  if (isFrame(x)) {
    for (let j = 0; j < names.length; j++) {
      if (names[j] !== fittedNames[j])
        throw new Error(`${who}: column ${j} is "${names[j]}" but was "${fittedNames[j]}" at fit time`);
    }
  }
}

export function notFitted(who: string): Error {
  return new Error(`${who} is not fitted yet: call fit() first`);
}

/** Python's str() of a float as scikit-learn shows numeric categories in feature names (1.0, 2.5). */
export function pythonFloatString(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}
