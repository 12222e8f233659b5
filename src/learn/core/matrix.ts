// Dense row-major float64 matrices: the numeric currency between transformers and estimators.

export interface Matrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Row-major: element (i, j) is data[i * nCols + j]. Missing values are NaN. */
  readonly data: Float64Array;
}

export function matrix(nRows: number, nCols: number, data?: Float64Array): Matrix {
  const d = data ?? new Float64Array(nRows * nCols);
  if (d.length !== nRows * nCols) {
    throw new RangeError(`matrix: data has ${d.length} values, expected ${nRows} x ${nCols} = ${nRows * nCols}`);
  }
  return { nRows, nCols, data: d };
}

/** Builds a matrix from nested arrays (tests, small inputs). */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const nRows = rows.length;
  const nCols = nRows === 0 ? 0 : rows[0].length;
  const m = matrix(nRows, nCols);
  for (let i = 0; i < nRows; i++) {
    if (rows[i].length !== nCols)
      throw new RangeError(`fromRows: row ${i} has ${rows[i].length} values, expected ${nCols}`);
    m.data.set(rows[i] as ArrayLike<number>, i * nCols);
  }
  return m;
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.nRows; i++) out.push(Array.from(m.data.subarray(i * m.nCols, (i + 1) * m.nCols)));
  return out;
}

/** Copies the rows named by `indices` (in that order) into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = matrix(indices.length, m.nCols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.data.set(m.data.subarray(i * m.nCols, (i + 1) * m.nCols), k * m.nCols);
  }
  return out;
}

export function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let i = 0; i < m.nRows; i++) out[i] = m.data[i * m.nCols + j];
  return out;
}

/**
 * A batch predictProba through a model's single-row path: row i's class probabilities, written
 * by rowInto into a reused buffer, become row i of an nRows x nClasses matrix.
 */
export function probaByRows(
  X: Matrix,
  nClasses: number,
  rowInto: (data: Float64Array, out: Float64Array, offset: number) => void,
): Matrix {
  const out = matrix(X.nRows, nClasses);
  const buf = new Float64Array(nClasses);
  for (let i = 0; i < X.nRows; i++) {
    rowInto(X.data, buf, i * X.nCols);
    out.data.set(buf, i * nClasses);
  }
  return out;
}

/** Label of the largest probability per row (first on ties, as numpy's argmax). */
export function argmaxClasses(proba: Matrix, classes: Float64Array): Float64Array {
  const nc = proba.nCols;
  const out = new Float64Array(proba.nRows);
  for (let i = 0; i < proba.nRows; i++) {
    let best = 0;
    for (let c = 1; c < nc; c++) if (proba.data[i * nc + c] > proba.data[i * nc + best]) best = c;
    out[i] = classes[best];
  }
  return out;
}
