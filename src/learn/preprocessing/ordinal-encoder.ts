// OrdinalEncoder: each category becomes its index in the sorted category list (one column per input).
import { BaseEstimator } from '../core/base-estimator.js';
import type { SerializedComponent } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { StateReader } from '../core/restore-check.js';
import { encodeNumber, decodeNumber, registerComponent } from '../core/serialization.js';
import {
  readVocabularies,
  givenVocabulary,
  learnVocabulary,
  serializeVocabulary,
  VocabularyIndex,
  type ColumnVocabulary,
} from './category-vocabulary.js';
import {
  asFrame,
  checkInputColumns,
  notFitted,
  tableColumnNames,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './table.js';

export interface OrdinalEncoderParams {
  /** 'error' (default) or 'use_encoded_value' (unknowns become unknownValue). */
  handleUnknown?: 'error' | 'use_encoded_value';
  /** Required with 'use_encoded_value': an integer not used by any category, or NaN. */
  unknownValue?: number | null;
  /** Value for missing cells (default NaN). */
  encodedMissingValue?: number;
  categories?: 'auto' | (string | number)[][];
}

const DEFAULTS: Required<OrdinalEncoderParams> = {
  handleUnknown: 'error',
  unknownValue: null,
  encodedMissingValue: NaN,
  categories: 'auto',
};

/** Categories sorted as OneHotEncoder's; missing cells are not a category and map to encodedMissingValue. */
export class OrdinalEncoder extends BaseEstimator<OrdinalEncoderParams> implements TableTransformer {
  featureNamesIn_: string[] | undefined;
  categories_: ColumnVocabulary[] | undefined;
  private indexes: VocabularyIndex[] | undefined;

  constructor(params: OrdinalEncoderParams = {}) {
    super(params, DEFAULTS);
  }

  private validate(): void {
    const h = this.params.handleUnknown ?? 'error';
    if (h !== 'error' && h !== 'use_encoded_value')
      throw paramError('handleUnknown', "must be 'error' or 'use_encoded_value'", h);
    const u = this.params.unknownValue;
    if (h === 'use_encoded_value' && (typeof u !== 'number' || !(Number.isInteger(u) || Number.isNaN(u)))) {
      throw paramError('unknownValue', "must be an integer or NaN when handleUnknown='use_encoded_value'", u);
    }
    if (h === 'error' && u !== undefined && u !== null)
      throw paramError('unknownValue', "is only used with handleUnknown='use_encoded_value'", u);
  }

  fit(X: Table): this {
    this.validate();
    const f = asFrame(X);
    const cats = this.params.categories ?? 'auto';
    if (cats !== 'auto' && (!Array.isArray(cats) || cats.length !== f.columns.length)) {
      throw paramError('categories', `must be 'auto' or one list per input column (${f.columns.length})`, cats);
    }
    this.featureNamesIn_ = tableColumnNames(X);
    this.categories_ = f.columns.map((c, j) =>
      cats === 'auto' ? learnVocabulary(c, false) : givenVocabulary(c, cats[j]),
    );
    const u = this.params.unknownValue;
    if (typeof u === 'number' && Number.isInteger(u)) {
      this.categories_.forEach((v) => {
        if (u >= 0 && u < v.values.length)
          throw new RangeError(
            `OrdinalEncoder: unknownValue ${u} is already the code of a category of column "${v.name}"`,
          );
      });
    }
    this.indexes = this.categories_.map((v) => new VocabularyIndex(v));
    return this;
  }

  fitTransform(X: Table): Matrix {
    return this.fit(X).transform(X);
  }

  transform(X: Table): Matrix {
    if (!this.indexes || !this.featureNamesIn_) throw notFitted('OrdinalEncoder');
    checkInputColumns(X, this.featureNamesIn_, 'OrdinalEncoder.transform');
    const f = asFrame(X);
    const p = f.columns.length;
    const out = matrix(f.nRows, p);
    const row: Cell[] = new Array<Cell>(p);
    const buf = new Float64Array(p);
    for (let i = 0; i < f.nRows; i++) {
      for (let j = 0; j < p; j++) {
        const c = f.columns[j];
        row[j] = c.kind === 'numeric' ? c.values[i] : c.codes[i] < 0 ? null : c.categories[c.codes[i]];
      }
      this.transformRowInto(row, buf, 0);
      out.data.set(buf, i * p);
    }
    return out;
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    const idx = this.indexes;
    if (!idx) throw notFitted('OrdinalEncoder');
    const missingValue = this.params.encodedMissingValue ?? NaN;
    for (let j = 0; j < idx.length; j++) {
      const cell = row[j];
      if (idx[j].isMissing(cell)) {
        out[offset + j] = missingValue;
        continue;
      }
      const k = idx[j].indexOf(cell);
      if (k < 0) {
        if (this.params.handleUnknown !== 'use_encoded_value') {
          throw new RangeError(
            `OrdinalEncoder: found unknown category ${JSON.stringify(cell)} in column "${this.featureNamesIn_![j]}" during transform (handleUnknown='error')`,
          );
        }
        out[offset + j] = this.params.unknownValue!;
        continue;
      }
      out[offset + j] = k;
    }
  }

  featureNamesOut(): string[] {
    if (!this.featureNamesIn_) throw notFitted('OrdinalEncoder');
    return [...this.featureNamesIn_];
  }

  outputKinds(): ColumnKind[] {
    return this.featureNamesOut().map(() => 'numeric');
  }

  toJSON(): SerializedComponent {
    const params: Record<string, unknown> = { ...this.params };
    for (const key of ['unknownValue', 'encodedMissingValue'])
      if (typeof params[key] === 'number') params[key] = encodeNumber(params[key] as number);
    return {
      type: 'OrdinalEncoder',
      version: 1,
      params,
      state: this.categories_
        ? { featureNamesIn: this.featureNamesIn_, categories: this.categories_.map(serializeVocabulary) }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): OrdinalEncoder {
    const params = { ...json.params } as Record<string, unknown>;
    for (const key of ['unknownValue', 'encodedMissingValue']) {
      const v = params[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' && typeof v !== 'string') throw paramError(key, 'must be a number', v);
      params[key] = decodeNumber(v);
    }
    const e = new OrdinalEncoder().setParams(params);
    e.validate();
    if (json.state) {
      const { names, vocabularies } = readVocabularies(StateReader.of('state', json.state));
      e.featureNamesIn_ = names;
      e.categories_ = vocabularies;
      e.indexes = e.categories_.map((v) => new VocabularyIndex(v));
    }
    return e;
  }
}

registerComponent('OrdinalEncoder', (json) => OrdinalEncoder.fromJSON(json));
