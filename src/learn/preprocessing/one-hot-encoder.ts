// OneHotEncoder: one 0/1 column per (input column, category), categories sorted as scikit-learn.
import { BaseEstimator } from '../core/base-estimator.js';
import type { SerializedComponent } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { StateReader } from '../core/restore-check.js';
import { registerComponent } from '../core/serialization.js';
import {
  categoryLabel,
  readVocabularies,
  givenVocabulary,
  learnVocabulary,
  serializeVocabulary,
  VocabularyIndex,
  vocabularySize,
  type ColumnVocabulary,
} from './category-vocabulary.js';
import {
  asFrame,
  checkInputColumns,
  isFrame,
  notFitted,
  tableColumnNames,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './table.js';

export interface OneHotEncoderParams {
  /** 'error' (default) throws on a category not seen at fit; 'ignore' encodes it as all zeros. */
  handleUnknown?: 'error' | 'ignore';
  /** 'auto' (default): sorted categories seen at fit; or one list per input column. */
  categories?: 'auto' | (string | number)[][];
}

const DEFAULTS: Required<OneHotEncoderParams> = { handleUnknown: 'error', categories: 'auto' };

/**
 * Output columns are named `column_category` in input-column order, categories sorted
 * (strings lexicographically, numbers ascending; numbers shown as Python floats, 1.0). A missing
 * value seen at fit becomes its own last category named 'nan', as scikit-learn 1.2.
 */
export class OneHotEncoder extends BaseEstimator<OneHotEncoderParams> implements TableTransformer {
  featureNamesIn_: string[] | undefined;
  categories_: ColumnVocabulary[] | undefined;
  private indexes: VocabularyIndex[] | undefined;
  private offsets: Int32Array | undefined;
  private nOut = 0;

  constructor(params: OneHotEncoderParams = {}) {
    super(params, DEFAULTS);
  }

  private handleUnknown(): 'error' | 'ignore' {
    const h = this.params.handleUnknown ?? 'error';
    if (h !== 'error' && h !== 'ignore') throw paramError('handleUnknown', "must be 'error' or 'ignore'", h);
    return h;
  }

  fit(X: Table): this {
    this.handleUnknown();
    const f = asFrame(X);
    const cats = this.params.categories ?? 'auto';
    if (cats !== 'auto' && (!Array.isArray(cats) || cats.length !== f.columns.length)) {
      throw paramError('categories', `must be 'auto' or one list per input column (${f.columns.length})`, cats);
    }
    this.featureNamesIn_ = tableColumnNames(X);
    this.categories_ = f.columns.map((c, j) =>
      cats === 'auto' ? learnVocabulary(c, true) : givenVocabulary(c, cats[j]),
    );
    if (cats !== 'auto') this.checkFitValues(X);
    this.prepare();
    return this;
  }

  private prepare(): void {
    const vocab = this.categories_!;
    this.indexes = vocab.map((v) => new VocabularyIndex(v));
    this.offsets = new Int32Array(vocab.length + 1);
    for (let j = 0; j < vocab.length; j++) this.offsets[j + 1] = this.offsets[j] + vocabularySize(vocab[j]);
    this.nOut = this.offsets[vocab.length];
  }

  /** With given categories and handleUnknown='error', every fit value must be among them. */
  private checkFitValues(X: Table): void {
    if (this.handleUnknown() === 'error') {
      this.prepare();
      this.transform(X);
    }
  }

  fitTransform(X: Table): Matrix {
    return this.fit(X).transform(X);
  }

  transform(X: Table): Matrix {
    const out = matrix(X.nRows, this.nOut);
    this.transformInto(X, out.data, this.nOut, 0);
    return out;
  }

  /** transform(X) written straight into out[i * stride + offset ...], which must be zero there. */
  transformInto(X: Table, out: Float64Array, stride: number, offset: number): void {
    const idx = this.indexes;
    const offsets = this.offsets;
    if (!idx || !offsets || !this.featureNamesIn_) throw notFitted('OneHotEncoder');
    checkInputColumns(X, this.featureNamesIn_, 'OneHotEncoder.transform');
    const strict = this.handleUnknown() === 'error';
    if (!isFrame(X)) {
      for (let i = 0; i < X.nRows; i++) {
        for (let j = 0; j < idx.length; j++) this.setOne(out, i * stride + offset, j, X.data[i * X.nCols + j], strict);
      }
      return;
    }
    X.columns.forEach((c, j) => {
      if (c.kind === 'numeric') {
        for (let i = 0; i < X.nRows; i++) this.setOne(out, i * stride + offset, j, c.values[i], strict);
        return;
      }
      const lookup = idx[j].codeLookup(c.categories);
      const missing = idx[j].indexOf(null);
      const codes = c.codes,
        base = offset + offsets[j];
      for (let i = 0; i < X.nRows; i++) {
        const code = codes[i];
        const k = code < 0 ? missing : lookup[code];
        if (k < 0) {
          if (strict) throw unknownError(c.name, code < 0 ? null : c.categories[code]);
          continue;
        }
        out[i * stride + base + k] = 1;
      }
    });
  }

  private setOne(out: Float64Array | Cell[], base: number, j: number, cell: Cell, strict: boolean): void {
    const k = this.indexes![j].indexOf(cell);
    if (k < 0) {
      if (strict) throw unknownError(this.featureNamesIn_![j], cell);
      return;
    }
    out[base + this.offsets![j] + k] = 1;
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    const idx = this.indexes;
    if (!idx) throw notFitted('OneHotEncoder');
    for (let k = 0; k < this.nOut; k++) out[offset + k] = 0;
    const strict = this.params.handleUnknown !== 'ignore';
    for (let j = 0; j < idx.length; j++) this.setOne(out, offset, j, row[j], strict);
  }

  featureNamesOut(): string[] {
    if (!this.categories_) throw notFitted('OneHotEncoder');
    const names: string[] = [];
    for (const v of this.categories_) {
      for (const value of v.values) names.push(`${v.name}_${categoryLabel(value)}`);
      if (v.hasMissing) names.push(`${v.name}_nan`);
    }
    return names;
  }

  outputKinds(): ColumnKind[] {
    return this.featureNamesOut().map(() => 'numeric');
  }

  toJSON(): SerializedComponent {
    return {
      type: 'OneHotEncoder',
      version: 1,
      params: { ...this.params },
      state: this.categories_
        ? { featureNamesIn: this.featureNamesIn_, categories: this.categories_.map(serializeVocabulary) }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): OneHotEncoder {
    const e = new OneHotEncoder().setParams(json.params);
    e.handleUnknown();
    if (json.state) {
      const { names, vocabularies } = readVocabularies(StateReader.of('state', json.state));
      e.featureNamesIn_ = names;
      e.categories_ = vocabularies;
      e.prepare();
    }
    return e;
  }
}

registerComponent('OneHotEncoder', (json) => OneHotEncoder.fromJSON(json));

function unknownError(column: string, value: Cell): Error {
  return new RangeError(
    `OneHotEncoder: found unknown category ${JSON.stringify(value)} in column "${column}" during transform (handleUnknown='error')`,
  );
}
