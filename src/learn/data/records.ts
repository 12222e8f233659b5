// JSON records ↔ Frame with a fixed schema: what a scoring request body becomes, and back.
import type { Column, Frame } from '../core/frame.js';
import { cell } from '../core/frame.js';
import type { ColumnKind } from './csv.js';
import { parseNumberCell } from './csv.js';

export interface SchemaColumn {
  name: string;
  kind: ColumnKind;
  /** Known categories (categorical only); codes follow this order, unseen values are appended. */
  categories?: readonly string[];
}

export interface FrameSchema {
  columns: readonly SchemaColumn[];
}

/** A record value: number or numeric text for numeric columns, string (or number) for categorical; null/absent = missing. */
export type RecordValue = number | string | boolean | null | undefined;
export type DataRecord = Record<string, RecordValue>;

/** The schema of a frame (names, kinds and current categories). */
export function frameSchema(f: Frame): FrameSchema {
  return {
    columns: f.columns.map((c) =>
      c.kind === 'numeric'
        ? { name: c.name, kind: 'numeric' as const }
        : { name: c.name, kind: 'categorical' as const, categories: [...c.categories] },
    ),
  };
}

/** One plain object per row; missing cells become null. */
export function frameToRecords(f: Frame): Array<Record<string, number | string | null>> {
  const out: Array<Record<string, number | string | null>> = [];
  for (let i = 0; i < f.nRows; i++) {
    const rec: Record<string, number | string | null> = {};
    for (const c of f.columns) {
      const v = cell(c, i);
      rec[c.name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
    out.push(rec);
  }
  return out;
}

/**
 * Builds a Frame with exactly the schema's columns (in its order) from records. Absent fields and
 * null are missing; fields not in the schema are ignored. A numeric column accepts numbers,
 * numeric text and booleans (1/0); a categorical one accepts strings, numbers (as text) and
 * booleans (as 'TRUE'/'FALSE', the CSV spelling). Anything else throws an Error naming the
 * record index and the field.
 */
export function recordsToFrame(records: readonly DataRecord[], schema: FrameSchema): Frame {
  if (schema.columns.every((sc) => sc.kind === 'numeric' || sc.kind === 'categorical')) {
    try {
      return recordsToFrameByRow(records, schema);
    } catch {
      // fall through: the column-by-column pass names the first bad cell in column order, as it always has
    }
  }
  return recordsToFrameByColumn(records, schema);
}

/**
 * One record at a time, every column of it: each record object is visited once, which at 100k
 * records (a monitoring window) is several times faster than one pass over all records per column.
 */
function recordsToFrameByRow(records: readonly DataRecord[], schema: FrameSchema): Frame {
  const n = records.length;
  const cols = schema.columns;
  const m = cols.length;
  const names = cols.map((sc) => sc.name);
  const numeric = cols.map((sc) => sc.kind === 'numeric');
  const values: (Float64Array | null)[] = cols.map((sc) => (sc.kind === 'numeric' ? new Float64Array(n) : null));
  const codes: (Int32Array | null)[] = cols.map((sc) => (sc.kind === 'numeric' ? null : new Int32Array(n)));
  const categories = cols.map((sc) => [...(sc.categories ?? [])]);
  const index = categories.map((cats) => new Map(cats.map((c, k) => [c, k])));
  for (let i = 0; i < n; i++) {
    const rec = records[i];
    for (let j = 0; j < m; j++) {
      if (numeric[j]) {
        values[j]![i] = toNumber(rec, names[j], i);
        continue;
      }
      const s = toCategory(rec, names[j], i);
      if (s === null) {
        codes[j]![i] = -1;
        continue;
      }
      let code = index[j].get(s);
      if (code === undefined) {
        code = categories[j].length;
        categories[j].push(s);
        index[j].set(s, code);
      }
      codes[j]![i] = code;
    }
  }
  const columns: Column[] = cols.map((sc, j) =>
    numeric[j]
      ? { kind: 'numeric', name: sc.name, values: values[j]! }
      : { kind: 'categorical', name: sc.name, codes: codes[j]!, categories: categories[j] },
  );
  return { nRows: n, columns };
}

function recordsToFrameByColumn(records: readonly DataRecord[], schema: FrameSchema): Frame {
  const n = records.length;
  const columns: Column[] = schema.columns.map((sc) => {
    if (sc.kind === 'numeric') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = toNumber(records[i], sc.name, i);
      return { kind: 'numeric', name: sc.name, values };
    }
    if (sc.kind !== 'categorical')
      throw new Error(
        `recordsToFrame: schema column "${sc.name}" has kind ${JSON.stringify(sc.kind)}; expected 'numeric' or 'categorical'`,
      );
    const categories = [...(sc.categories ?? [])];
    const index = new Map(categories.map((c, k) => [c, k]));
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = toCategory(records[i], sc.name, i);
      if (s === null) {
        codes[i] = -1;
        continue;
      }
      let code = index.get(s);
      if (code === undefined) {
        code = categories.length;
        categories.push(s);
        index.set(s, code);
      }
      codes[i] = code;
    }
    return { kind: 'categorical', name: sc.name, codes, categories };
  });
  return { nRows: n, columns };
}

function toNumber(rec: DataRecord, name: string, i: number): number {
  if (rec === null || typeof rec !== 'object') throw new Error(`record ${i} is not an object`);
  const v = rec[name];
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (v.trim() === '') return NaN;
    const x = parseNumberCell(v);
    if (!Number.isNaN(x)) return x;
  }
  throw new Error(`record ${i}, field "${name}": expected a number, got ${JSON.stringify(v)}`);
}

function toCategory(rec: DataRecord, name: string, i: number): string | null {
  if (rec === null || typeof rec !== 'object') throw new Error(`record ${i} is not an object`);
  const v = rec[name];
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return String(v);
  throw new Error(`record ${i}, field "${name}": expected a string, got ${JSON.stringify(v)}`);
}

/** One input cell on the single-row fast path: number (NaN = missing) or string (null = missing). */
export type Cell = number | string | null;

/**
 * Writes one record's cells into `row` (reused across calls, length = schema columns) in schema
 * order: numbers for numeric columns, strings for categorical ones, null for missing. No Frame
 * is built, so a scoring server can encode a request without allocating per column.
 */
export function recordToRowInto(record: DataRecord, schema: FrameSchema, row: Cell[]): Cell[] {
  const cols = schema.columns;
  for (let j = 0; j < cols.length; j++) {
    const sc = cols[j];
    row[j] = sc.kind === 'numeric' ? toNumber(record, sc.name, 0) : toCategory(record, sc.name, 0);
  }
  return row;
}
