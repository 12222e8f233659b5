// Per-column category sets for the encoders: learned sorted as scikit-learn does, looked up by value.
import type { Column } from '../core/frame.js';
import { StateReader } from '../core/restore-check.js';
import type { Cell, ColumnKind } from './table.js';
import { pythonFloatString } from './table.js';

/** The categories of one input column; `hasMissing` adds a trailing missing category (named 'nan'). */
export interface ColumnVocabulary {
  name: string;
  kind: ColumnKind;
  /** Strings for categorical columns, numbers for numeric ones, sorted ascending. */
  values: (string | number)[];
  hasMissing: boolean;
}

/** Categories seen in a column: strings in code-unit order, numbers ascending; missing noted apart. */
export function learnVocabulary(c: Column, includeMissing: boolean): ColumnVocabulary {
  if (c.kind === 'categorical') {
    const seen = new Uint8Array(c.categories.length);
    let missing = false;
    for (const code of c.codes) {
      if (code < 0) missing = true;
      else seen[code] = 1;
    }
    const values = c.categories.filter((_, k) => seen[k] === 1).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { name: c.name, kind: 'categorical', values, hasMissing: includeMissing && missing };
  }
  const set = new Set<number>();
  let missing = false;
  for (const v of c.values) {
    if (Number.isNaN(v)) missing = true;
    else set.add(v);
  }
  return {
    name: c.name,
    kind: 'numeric',
    values: [...set].sort((a, b) => a - b),
    hasMissing: includeMissing && missing,
  };
}

/** Vocabulary from user-given categories (kept in the given order). */
export function givenVocabulary(
  c: { name: string; kind: ColumnKind },
  values: readonly (string | number)[],
): ColumnVocabulary {
  const typed =
    c.kind === 'numeric'
      ? values.map((v) => {
          if (typeof v !== 'number')
            throw new RangeError(`categories for numeric column "${c.name}" must be numbers; got ${JSON.stringify(v)}`);
          return v;
        })
      : values.map((v) => String(v));
  return { name: c.name, kind: c.kind, values: typed, hasMissing: false };
}

export function categoryLabel(v: string | number): string {
  return typeof v === 'number' ? pythonFloatString(v) : v;
}

/** Size of the vocabulary including the missing category. */
export function vocabularySize(v: ColumnVocabulary): number {
  return v.values.length + (v.hasMissing ? 1 : 0);
}

/** Lookup from a cell to its category index (missing → the missing index if any), -1 when unknown. */
export class VocabularyIndex {
  private readonly map: Map<string | number, number>;
  private readonly missingIndex: number;

  constructor(readonly vocabulary: ColumnVocabulary) {
    this.map = new Map(vocabulary.values.map((v, k) => [v, k]));
    this.missingIndex = vocabulary.hasMissing ? vocabulary.values.length : -1;
  }

  indexOf(cell: Cell): number {
    if (cell === null || (typeof cell === 'number' && cell !== cell)) return this.missingIndex;
    const k = this.map.get(cell);
    return k === undefined ? -1 : k;
  }

  /** Index of each of a frame column's codes (or of each distinct number), for batch transforms. */
  codeLookup(categories: readonly string[]): Int32Array {
    return Int32Array.from(categories, (c) => this.indexOf(c));
  }

  isMissing(cell: Cell): boolean {
    return cell === null || (typeof cell === 'number' && cell !== cell);
  }
}

export function serializeVocabulary(v: ColumnVocabulary): Record<string, unknown> {
  return { name: v.name, kind: v.kind, values: v.values, hasMissing: v.hasMissing };
}

/** A restored vocabulary, checked: numbers for a numeric column (not NaN: missing is hasMissing), strings otherwise. */
export function deserializeVocabulary(r: StateReader): ColumnVocabulary {
  const kind = r.raw('kind');
  if (kind !== 'numeric' && kind !== 'categorical') r.fail('kind', "must be 'numeric' or 'categorical'");
  const name = r.raw('name');
  if (typeof name !== 'string') r.fail('name', 'must be a string');
  const values = r.array('values');
  values.forEach((v, k) => {
    const ok = kind === 'numeric' ? typeof v === 'number' : typeof v === 'string';
    if (!ok) r.fail(`values[${k}]`, `must be a ${kind === 'numeric' ? 'number' : 'string'}, got ${JSON.stringify(v)}`);
  });
  return { name, kind, values: values as (string | number)[], hasMissing: r.bool('hasMissing') };
}

/** The fitted input of an encoder: column names and one vocabulary per column, named alike. */
export function readVocabularies(r: StateReader): { names: string[]; vocabularies: ColumnVocabulary[] } {
  const names = r.strings('featureNamesIn');
  const list = r.array('categories', names.length);
  const vocabularies = list.map((v, j) => deserializeVocabulary(StateReader.of(`${r.where}.categories[${j}]`, v)));
  vocabularies.forEach((v, j) => {
    if (v.name !== names[j]) r.fail(`categories[${j}].name`, `must be "${names[j]}" (featureNamesIn[${j}])`);
  });
  return { names, vocabularies };
}
