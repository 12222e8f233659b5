// Model signatures in MLflow's column-spec form (mlflow/types/schema.py): inferred from a training
// Frame, written as MLflow's JSON strings, read back, and enforced on scoring input.
import { InvalidParameter } from '../../core/errors.js';
import type { Column, Frame } from '../../learn/core/frame.js';
import { parseNumberCell } from '../../learn/data/csv.js';
import type { DataRecord, FrameSchema } from '../../learn/data/records.js';
import { pythonJsonDumps } from '../../core/python-json.js';

/** MLflow's DataType names that Cairn reads; a Cairn package writes only double and string. */
export const COLUMN_TYPES = ['double', 'float', 'long', 'integer', 'boolean', 'string'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColSpec {
  type: ColumnType;
  /** Absent for an unnamed output column. */
  name?: string;
  /** A required column must be present (and non-null) in every input row. */
  required: boolean;
}

export interface ModelSignature {
  inputs: ColSpec[];
  outputs: ColSpec[];
}

const NUMERIC_TYPES = new Set<ColumnType>(['double', 'float', 'long', 'integer', 'boolean']);
export const isNumericType = (t: ColumnType): boolean => NUMERIC_TYPES.has(t);

function hasMissing(c: Column): boolean {
  if (c.kind === 'numeric') return c.values.some((v) => Number.isNaN(v));
  return c.codes.some((code) => code < 0);
}

/** The output a Cairn classifier's predict() gives: one unnamed double column (the class label). */
export const PREDICTION_OUTPUT: ColSpec[] = [{ type: 'double', required: true }];

/** numeric → double, categorical → string; `required` is false when the column had a missing value. */
export function inferSignature(training: Frame): ModelSignature {
  return {
    inputs: training.columns.map((c) => ({
      type: c.kind === 'numeric' ? 'double' : 'string',
      name: c.name,
      required: !hasMissing(c),
    })),
    outputs: PREDICTION_OUTPUT,
  };
}

/**
 * From a fitted pipeline's input schema when no training data is at hand. Whether a column may be
 * missing is unknown then, so every column is optional (the pipeline's imputers decide).
 */
export function signatureFromSchema(schema: FrameSchema): ModelSignature {
  return {
    inputs: schema.columns.map((c) => ({
      type: c.kind === 'numeric' ? 'double' : 'string',
      name: c.name,
      required: false,
    })),
    outputs: PREDICTION_OUTPUT,
  };
}

function colSpecToJson(c: ColSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { type: c.type };
  if (c.name !== undefined) out.name = c.name;
  out.required = c.required;
  return out;
}

/** MLflow's MLmodel `signature` block: JSON strings for inputs and outputs, `params: null`. */
export function signatureToMlmodel(s: ModelSignature): { inputs: string; outputs: string; params: null } {
  return {
    inputs: pythonJsonDumps(s.inputs.map(colSpecToJson)),
    outputs: pythonJsonDumps(s.outputs.map(colSpecToJson)),
    params: null,
  };
}

function colSpecsFromJson(text: unknown, field: string): ColSpec[] {
  if (typeof text !== 'string') throw new InvalidParameter(`MLmodel signature.${field} must be a JSON string`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidParameter(`MLmodel signature.${field} is not valid JSON`);
  }
  if (!Array.isArray(parsed))
    throw new InvalidParameter(`MLmodel signature.${field} must be a JSON array of column specs`);
  return parsed.map((raw, i) => {
    const c = raw as Record<string, unknown>;
    if (!c || typeof c !== 'object') throw new InvalidParameter(`MLmodel signature.${field}[${i}] is not an object`);
    if (!COLUMN_TYPES.includes(c.type as ColumnType)) {
      throw new InvalidParameter(
        `MLmodel signature.${field}[${i}].type ${JSON.stringify(c.type)} is not supported ` +
          `(one of ${COLUMN_TYPES.join(', ')}; tensor specs are not)`,
      );
    }
    if (c.name !== undefined && typeof c.name !== 'string')
      throw new InvalidParameter(`MLmodel signature.${field}[${i}].name must be a string`);
    return {
      type: c.type as ColumnType,
      ...(c.name !== undefined ? { name: c.name as string } : {}),
      required: c.required !== false,
    };
  });
}

export function signatureFromMlmodel(raw: unknown): ModelSignature | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new InvalidParameter('MLmodel signature must be a mapping');
  const s = raw as Record<string, unknown>;
  const inputs = colSpecsFromJson(s.inputs, 'inputs');
  if (inputs.some((c) => c.name === undefined))
    throw new InvalidParameter('MLmodel signature.inputs: every input column needs a name');
  return {
    inputs,
    outputs: s.outputs === undefined || s.outputs === null ? [] : colSpecsFromJson(s.outputs, 'outputs'),
  };
}

function missing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function typeError(spec: ColSpec, row: number, value: unknown): InvalidParameter {
  return new InvalidParameter(
    `Input column '${spec.name}' (row ${row}): expected ${spec.type}, got ${JSON.stringify(value)}`,
  );
}

/**
 * Checks records against the input signature: a required column absent or null, or a numeric
 * column holding text that does not parse as a number, is an InvalidParameter naming the column.
 */
export function enforceRecords(records: readonly DataRecord[], inputs: readonly ColSpec[]): void {
  if (!Array.isArray(records)) throw new InvalidParameter('Model input must be an array of records or a Frame');
  records.forEach((rec, i) => {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
      throw new InvalidParameter(`Model input row ${i} is not an object`);
    for (const spec of inputs) {
      const v = rec[spec.name!];
      if (missing(v) || (typeof v === 'string' && v.trim() === '' && isNumericType(spec.type))) {
        if (spec.required)
          throw new InvalidParameter(
            `Model is missing inputs ['${spec.name}'] (row ${i}): the column is required by the signature`,
          );
        continue;
      }
      if (isNumericType(spec.type)) {
        if (typeof v === 'number' || typeof v === 'boolean') continue;
        if (typeof v === 'string' && !Number.isNaN(parseNumberCell(v))) continue;
        throw typeError(spec, i, v);
      }
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw typeError(spec, i, v);
    }
  });
}

/** The same rules for a Frame; a numeric column given as text is converted when every value parses. */
export function enforceFrame(f: Frame, inputs: readonly ColSpec[]): Frame {
  const byName = new Map(f.columns.map((c) => [c.name, c]));
  const absent = inputs.filter((s) => s.required && !byName.has(s.name!)).map((s) => `'${s.name}'`);
  if (absent.length > 0)
    throw new InvalidParameter(
      `Model is missing inputs [${absent.join(', ')}]: the columns are required by the signature`,
    );
  const columns: Column[] = [];
  for (const spec of inputs) {
    const c = byName.get(spec.name!);
    if (!c) {
      columns.push(
        isNumericType(spec.type)
          ? { kind: 'numeric', name: spec.name!, values: new Float64Array(f.nRows).fill(NaN) }
          : { kind: 'categorical', name: spec.name!, codes: new Int32Array(f.nRows).fill(-1), categories: [] },
      );
      continue;
    }
    if (spec.required && hasMissing(c)) {
      const row = c.kind === 'numeric' ? c.values.findIndex((v) => Number.isNaN(v)) : c.codes.findIndex((k) => k < 0);
      throw new InvalidParameter(
        `Model is missing inputs ['${spec.name}'] (row ${row}): the column is required by the signature`,
      );
    }
    if (isNumericType(spec.type) && c.kind === 'categorical') {
      const parsed = c.categories.map((s) => parseNumberCell(s));
      const bad = parsed.findIndex((x) => Number.isNaN(x));
      if (bad >= 0) throw typeError(spec, c.codes.indexOf(bad), c.categories[bad]);
      columns.push({
        kind: 'numeric',
        name: c.name,
        values: Float64Array.from(c.codes, (k) => (k < 0 ? NaN : parsed[k])),
      });
    } else if (!isNumericType(spec.type) && c.kind === 'numeric') {
      const cats: string[] = [];
      const index = new Map<string, number>();
      const codes = Int32Array.from(c.values, (v) => {
        if (Number.isNaN(v)) return -1;
        const s = String(v);
        let k = index.get(s);
        if (k === undefined) {
          k = cats.length;
          cats.push(s);
          index.set(s, k);
        }
        return k;
      });
      columns.push({ kind: 'categorical', name: c.name, codes, categories: cats });
    } else {
      columns.push(c);
    }
  }
  return { nRows: f.nRows, columns };
}

/** The frame schema the pipeline reads, from the signature's inputs. */
export function inputSchemaOf(inputs: readonly ColSpec[]): FrameSchema {
  return {
    columns: inputs.map((s) => ({
      name: s.name!,
      kind: isNumericType(s.type) ? ('numeric' as const) : ('categorical' as const),
    })),
  };
}
