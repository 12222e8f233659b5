// Checks one scoring record against the model's signature and reference profile, compiled once per
// model: every field is typed, present when required, finite, a known category and inside the
// training range (or flagged); the record becomes the pipeline's row cells with no Frame built.
import { InvalidParameter } from '../core/errors.js';
import type { Cell } from '../learn/data/records.js';
import { parseNumberCell } from '../learn/data/csv.js';
import type { ColSpec } from '../models/package/signature.js';
import type { FeatureProfile, ReferenceProfile } from '../models/package/reference-profile.js';

const NUMERIC_TYPES = new Set(['double', 'float', 'long', 'integer', 'boolean']);

/** How far beyond the training [min, max] a value may go before it is "far outside", in training spans. */
export const DEFAULT_RANGE_TOLERANCE = 0.5;

export interface ValidatorOptions {
  /** Allowed distance outside [min, max], as a multiple of (max − min); default 0.5. */
  rangeTolerance?: number;
  /** Refuse (400) instead of flagging a value far outside the training range. */
  rejectOutOfRange?: boolean;
  /** Refuse a category the training data never had (default true when the profile lists categories). */
  rejectUnknownCategories?: boolean;
}

/** One input field, compiled: where its cell goes and every rule it is checked against. */
interface FieldRule {
  name: string;
  numeric: boolean;
  required: boolean;
  /** Numeric bounds beyond which a value is flagged (±Infinity when the profile has none). */
  low: number;
  high: number;
  /** Training categories (categorical, when the profile lists them). */
  categories: Set<string> | undefined;
  categoryList: string;
}

/** A field value outside the training range, reported in the response and the prediction log. */
export interface OutOfRange {
  field: string;
  value: number;
  /** The accepted bounds: the training range widened by the tolerance. */
  low: number;
  high: number;
}

/** A bad record: InvalidParameter naming the field, the rule and (in batches) the record index. */
function refuse(index: number | undefined, field: string, rule: string): InvalidParameter {
  const where = index === undefined ? '' : ` (record ${index})`;
  return new InvalidParameter(`Field '${field}'${where}: ${rule}`);
}

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : typeof v;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function ruleFor(spec: ColSpec, profile: FeatureProfile | undefined, options: ValidatorOptions): FieldRule {
  const numeric = NUMERIC_TYPES.has(spec.type);
  let low = -Infinity;
  let high = Infinity;
  let categories: Set<string> | undefined;
  if (numeric && profile?.type === 'double' && profile.min !== null && profile.max !== null) {
    const span = profile.max - profile.min || Math.max(1, Math.abs(profile.max));
    const tolerance = options.rangeTolerance ?? DEFAULT_RANGE_TOLERANCE;
    low = profile.min - tolerance * span;
    high = profile.max + tolerance * span;
  }
  if (!numeric && profile?.type === 'string' && options.rejectUnknownCategories !== false) {
    const known = Object.keys(profile.frequencies);
    if (known.length > 0) categories = new Set(known);
  }
  const list = categories ? [...categories].map((c) => JSON.stringify(c)).join(', ') : '';
  return { name: spec.name!, numeric, required: spec.required, low, high, categories, categoryList: list };
}

export class RecordValidator {
  readonly fields: readonly FieldRule[];
  private readonly rejectOutOfRange: boolean;

  constructor(inputs: readonly ColSpec[], profile: ReferenceProfile | undefined, options: ValidatorOptions = {}) {
    const byName = new Map((profile?.features ?? []).map((f) => [f.name, f]));
    this.fields = inputs.map((spec) => ruleFor(spec, byName.get(spec.name!), options));
    this.rejectOutOfRange = options.rejectOutOfRange === true;
  }

  /** A fresh cells row, one per input column in signature order. */
  newRow(): Cell[] {
    return new Array<Cell>(this.fields.length).fill(null);
  }

  /**
   * Writes the record's cells into `row` (signature order: numbers, NaN for a missing number, strings,
   * null for a missing category) and returns the fields flagged as far outside the training range
   * (undefined when none). Throws InvalidParameter naming the field and the rule it breaks.
   */
  validateInto(record: unknown, row: Cell[], index?: number): OutOfRange[] | undefined {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new InvalidParameter(
        `${index === undefined ? 'The record' : `Record ${index}`} must be a JSON object of field values, got ${describe(record)}`,
      );
    }
    const rec = record as Record<string, unknown>;
    let flagged: OutOfRange[] | undefined;
    const fields = this.fields;
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j];
      const v = rec[f.name];
      if (f.numeric) {
        let x: number;
        if (typeof v === 'number') x = v;
        else if (v === null || v === undefined) x = NaN;
        else if (typeof v === 'boolean') x = v ? 1 : 0;
        else if (typeof v === 'string') {
          x = v.trim() === '' ? NaN : parseNumberCell(v);
          if (Number.isNaN(x) && v.trim() !== '' && v.trim().toLowerCase() !== 'nan')
            throw refuse(index, f.name, `expected a number, got ${describe(v)}`);
        } else throw refuse(index, f.name, `expected a number, got ${describe(v)}`);
        if (Number.isNaN(x)) {
          if (f.required) {
            throw refuse(
              index,
              f.name,
              v === null || v === undefined
                ? 'is required by the model signature and is missing'
                : 'is required by the model signature; NaN is not allowed',
            );
          }
        } else if (!Number.isFinite(x)) {
          throw refuse(index, f.name, `must be a finite number, got ${x}`);
        } else if (x < f.low || x > f.high) {
          if (this.rejectOutOfRange)
            throw refuse(
              index,
              f.name,
              `${x} is far outside the training range (accepted ${round(f.low)} to ${round(f.high)}; --reject-out-of-range is on)`,
            );
          (flagged ??= []).push({ field: f.name, value: x, low: round(f.low), high: round(f.high) });
        }
        row[j] = x;
        continue;
      }
      let s: string | null;
      if (typeof v === 'string') s = v;
      else if (v === null || v === undefined) s = null;
      else if (typeof v === 'boolean') s = v ? 'TRUE' : 'FALSE';
      else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
      else throw refuse(index, f.name, `expected a string (a category), got ${describe(v)}`);
      if (s === null) {
        if (f.required) throw refuse(index, f.name, 'is required by the model signature and is missing');
      } else if (f.categories !== undefined && !f.categories.has(s)) {
        throw refuse(index, f.name, `unknown category ${describe(s)} (known: ${f.categoryList})`);
      }
      row[j] = s;
    }
    return flagged;
  }
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
