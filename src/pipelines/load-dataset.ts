// Reads a training CSV and validates it against its data set's schema before anything is trained or
// logged: a missing or mistyped column, an unknown target value, an empty or malformed file is a
// DataError naming the file, the column and the row. Known data problems are handled here and
// reported as notes (never silently): zeros that mean "unknown", "unknown" categories, missing values,
// rows with no target (dropped, counted).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Column, Frame } from '../learn/core/frame.js';
import { parseCsv, type ColumnKind } from '../learn/data/csv.js';
import { describePositive, positiveOf, type DatasetSpec } from './dataset-spec.js';

/** A data file that cannot be used as given; the CLI prints it and exits with status 2. */
export class DataError extends Error {}

export interface LoadedDataset {
  /** The spec with its feature columns resolved (inferred ones filled in). */
  spec: DatasetSpec & { numeric: string[]; categorical: string[] };
  file: string;
  /** SHA-256 of the file's bytes, hex. */
  digest: string;
  /** Data rows in the file (before rows without a target are dropped). */
  fileRows: number;
  /** Features: numeric columns first, then categorical ones, in the spec's order. */
  X: Frame;
  /** 1 = positive class. */
  y: Float64Array;
  positives: number;
  /** Feature columns whose kind was inferred from the data (generic CSV), with the kind chosen. */
  inferred: Array<{ column: string; kind: ColumnKind }>;
  /** Known data problems and how they were handled, one sentence each. */
  notes: string[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    throw new DataError(`cannot read data file ${file}: ${why}`);
  }
}

function parse(file: string, text: string, columns?: Record<string, ColumnKind>) {
  try {
    return parseCsv(text, { columns });
  } catch (err) {
    throw new DataError(`${file}: ${(err as Error).message.replace(/^parseCsv: /, '')}`);
  }
}

/** Resolves which columns are numeric and categorical features: given by the spec, else inferred. */
function resolveFeatures(
  file: string,
  spec: DatasetSpec,
  header: Frame,
): { numeric: string[]; categorical: string[]; inferred: LoadedDataset['inferred'] } {
  const names = header.columns.map((c) => c.name);
  const need = (col: string, role: string) => {
    if (!names.includes(col))
      throw new DataError(`${file}: column "${col}" (${role}) is missing; the header has: ${names.join(', ')}`);
  };
  need(spec.target, 'the target');
  for (const c of spec.numeric ?? []) need(c, 'a numeric feature');
  for (const c of spec.categorical ?? []) need(c, 'a categorical feature');
  const both = (spec.numeric ?? []).filter((c) => spec.categorical?.includes(c));
  if (both.length > 0) throw new DataError(`column "${both[0]}" is listed as both numeric and categorical`);
  if (spec.drop.includes(spec.target) || spec.numeric?.includes(spec.target) || spec.categorical?.includes(spec.target))
    throw new DataError(`column "${spec.target}" is the target and cannot also be a feature or dropped`);
  const numeric = [...(spec.numeric ?? [])];
  const categorical = [...(spec.categorical ?? [])];
  const inferred: LoadedDataset['inferred'] = [];
  // Built-in data sets name every feature; a generic CSV uses every other column not dropped.
  if (spec.numeric === undefined || spec.categorical === undefined) {
    for (const c of header.columns) {
      if (c.name === spec.target || spec.drop.includes(c.name) || numeric.includes(c.name)) continue;
      if (categorical.includes(c.name)) continue;
      (c.kind === 'numeric' ? numeric : categorical).push(c.name);
      inferred.push({ column: c.name, kind: c.kind });
    }
  }
  if (numeric.length + categorical.length === 0)
    throw new DataError(`${file}: no feature columns are left besides the target "${spec.target}" and dropped ones`);
  return { numeric, categorical, inferred };
}

/** Target cells as text (null = missing), from a column parsed as categorical. */
function targetTexts(col: Column): (string | null)[] {
  if (col.kind !== 'categorical') throw new Error('the target column must be read as text');
  return Array.from(col.codes, (code) => (code < 0 ? null : col.categories[code]));
}

function labelTarget(file: string, spec: DatasetSpec, texts: (string | null)[]): { y: (0 | 1 | null)[] } {
  const y: (0 | 1 | null)[] = [];
  texts.forEach((t, i) => {
    if (t === null) {
      y.push(null);
      return;
    }
    if (spec.targetValues && !spec.targetValues.includes(t.trim())) {
      throw new DataError(
        `${file}: column "${spec.target}", data row ${i + 1}: "${t}" is not a known target value ` +
          `(expected one of ${spec.targetValues.join(', ')})`,
      );
    }
    const v = positiveOf(spec.positive, t);
    if (v === undefined)
      throw new DataError(
        `${file}: column "${spec.target}", data row ${i + 1}: "${t}" is not a number, so ${describePositive(spec)} cannot be read`,
      );
    y.push(v);
  });
  return { y };
}

function countMissing(col: Column): number {
  let n = 0;
  if (col.kind === 'numeric') {
    for (const v of col.values) if (Number.isNaN(v)) n++;
  } else for (const c of col.codes) if (c < 0) n++;
  return n;
}

/** Reads, validates and prepares a data set; throws DataError (nothing else) for bad data. */
export async function loadDataset(file: string, spec: DatasetSpec): Promise<LoadedDataset> {
  const abs = path.resolve(file);
  const bytes = await readBytes(abs);
  if (bytes.toString('utf8').trim() === '')
    throw new DataError(`${file}: the file is empty (expected a header row and data rows)`);
  const text = bytes.toString('utf8');
  const first = parse(file, text).frame;
  if (first.nRows === 0) throw new DataError(`${file}: there are no data rows after the header`);
  const { numeric, categorical, inferred } = resolveFeatures(file, spec, first);
  const kinds: Record<string, ColumnKind> = { [spec.target]: 'categorical' };
  for (const c of numeric) kinds[c] = 'numeric';
  for (const c of categorical) kinds[c] = 'categorical';
  // forced kinds: a numeric feature holding text fails here, naming its line and column
  const { frame } = parse(file, text, kinds);
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const { y: labels } = labelTarget(file, spec, targetTexts(byName.get(spec.target)!));

  const notes: string[] = [];
  for (const name of spec.zeroMeansMissing ?? []) {
    const col = byName.get(name);
    if (!col || col.kind !== 'numeric') continue;
    let zeros = 0;
    for (let i = 0; i < col.values.length; i++) {
      if (col.values[i] === 0) {
        col.values[i] = NaN;
        zeros++;
      }
    }
    if (zeros > 0)
      notes.push(`${name}: ${zeros} row(s) hold 0, a placeholder for "unknown"; read as missing and imputed.`);
  }
  for (const [name, unknown] of Object.entries(spec.unknownCategories ?? {})) {
    const col = byName.get(name);
    if (!col || col.kind !== 'categorical') continue;
    const code = col.categories.indexOf(unknown);
    const n = code < 0 ? 0 : col.codes.filter((c) => c === code).length;
    if (n > 0)
      notes.push(
        `${name}: ${n} row(s) (${((100 * n) / frame.nRows).toFixed(1)}%) are "${unknown}", a de-facto missing value; ` +
          'kept as their own category (imputing would invent that many answers).',
      );
  }

  const keep: number[] = [];
  labels.forEach((v, i) => {
    if (v !== null) keep.push(i);
  });
  const dropped = frame.nRows - keep.length;
  if (dropped > 0) notes.push(`${spec.target}: ${dropped} row(s) have no target value and were dropped.`);
  if (keep.length === 0) throw new DataError(`${file}: column "${spec.target}" has no values`);
  const features = [...numeric, ...categorical];
  const take = (c: Column): Column => {
    if (c.kind === 'numeric') return { ...c, values: Float64Array.from(keep, (i) => c.values[i]) };
    return { ...c, codes: Int32Array.from(keep, (i) => c.codes[i]) };
  };
  const X: Frame = { nRows: keep.length, columns: features.map((n) => take(byName.get(n)!)) };
  const y = Float64Array.from(keep, (i) => labels[i] as number);
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === y.length)
    throw new DataError(
      `${file}: ${describePositive(spec)} holds for ${positives === 0 ? 'no' : 'every'} row; a classifier needs both classes`,
    );

  const missing = X.columns.map((c) => [c.name, countMissing(c)] as const).filter(([, n]) => n > 0);
  if (missing.length > 0)
    notes.push(
      `missing values (imputed inside each fold: median for numbers, most frequent for categories): ` +
        missing.map(([n, k]) => `${n} ${k}`).join(', ') +
        '.',
    );
  return {
    spec: { ...spec, numeric, categorical },
    file: abs,
    digest: sha256(bytes),
    fileRows: frame.nRows,
    X,
    y,
    positives,
    inferred,
    notes,
  };
}
