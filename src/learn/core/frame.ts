// A small column frame: numeric columns as Float64Array (missing = NaN), categorical columns
// dictionary-encoded as Int32Array codes into `categories` (missing = -1).

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** Index into `categories`, or -1 for a missing value. */
  readonly codes: Int32Array;
  readonly categories: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Frame {
  readonly nRows: number;
  readonly columns: readonly Column[];
}

export function numericColumn(name: string, values: ArrayLike<number>): NumericColumn {
  return { kind: 'numeric', name, values: Float64Array.from(values) };
}

/** Encodes strings (null/undefined = missing) with categories in first-seen order unless given. */
export function categoricalColumn(
  name: string,
  values: ArrayLike<string | null | undefined>,
  categories?: readonly string[],
): CategoricalColumn {
  const cats = categories ? [...categories] : [];
  const index = new Map(cats.map((c, i) => [c, i]));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      if (categories) throw new RangeError(`column "${name}": value "${v}" at row ${i} is not one of its categories`);
      code = cats.length;
      cats.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, codes, categories: cats };
}

export function frame(columns: Column[]): Frame {
  const nRows = columns.length === 0 ? 0 : lengthOf(columns[0]);
  for (const c of columns) {
    if (lengthOf(c) !== nRows)
      throw new RangeError(`frame: column "${c.name}" has ${lengthOf(c)} rows, expected ${nRows}`);
  }
  return { nRows, columns };
}

export function getColumn(f: Frame, name: string): Column {
  const c = f.columns.find((col) => col.name === name);
  if (!c) throw new RangeError(`frame has no column "${name}" (columns: ${f.columns.map((x) => x.name).join(', ')})`);
  return c;
}

/** The value of a cell as a JS value: number (NaN = missing) or string (null = missing). */
export function cell(c: Column, row: number): number | string | null {
  if (c.kind === 'numeric') return c.values[row];
  const code = c.codes[row];
  return code < 0 ? null : c.categories[code];
}

export function takeFrameRows(f: Frame, indices: ArrayLike<number>): Frame {
  const cols = f.columns.map((c): Column => {
    if (c.kind === 'numeric') {
      const v = new Float64Array(indices.length);
      for (let k = 0; k < indices.length; k++) v[k] = c.values[indices[k]];
      return { kind: 'numeric', name: c.name, values: v };
    }
    const codes = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) codes[k] = c.codes[indices[k]];
    return { kind: 'categorical', name: c.name, codes, categories: c.categories };
  });
  return { nRows: indices.length, columns: cols };
}

function lengthOf(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length;
}
