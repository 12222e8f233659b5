// SimpleImputer: fills missing cells per column with a statistic learned at fit (scikit-learn's semantics).
import { BaseEstimator } from '../core/base-estimator.js';
import type { SerializedComponent } from '../core/estimator.js';
import type { Column, Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { paramError } from '../core/params.js';
import { StateReader } from '../core/restore-check.js';
import { registerComponent } from '../core/serialization.js';
import {
  asFrame,
  checkInputColumns,
  isFrame,
  notFitted,
  tableColumnNames,
  tableKinds,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './table.js';

export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';

export interface SimpleImputerParams {
  /** Default 'mean'. 'mean' and 'median' need numeric columns. */
  strategy?: ImputeStrategy;
  /** For 'constant'; null (default) = 0 for numeric columns and 'missing_value' for categorical ones. */
  fillValue?: number | string | null;
  /** Keep columns with no observed value (filled with 0) instead of dropping them, as scikit-learn's keep_empty_features. */
  keepEmptyFeatures?: boolean;
}

const DEFAULTS: Required<SimpleImputerParams> = { strategy: 'mean', fillValue: null, keepEmptyFeatures: false };

const STRATEGIES: readonly ImputeStrategy[] = ['mean', 'median', 'most_frequent', 'constant'];

/**
 * Missing values are NaN (numeric) and null / code -1 (categorical). most_frequent breaks ties
 * with the smallest value (numeric order, or code-unit string order), as scikit-learn. A column
 * with no observed value is dropped from the output unless keepEmptyFeatures (then filled with 0);
 * 'constant' never drops.
 */
export class SimpleImputer extends BaseEstimator<SimpleImputerParams> implements TableTransformer {
  featureNamesIn_: string[] | undefined;
  inputKinds_: ColumnKind[] | undefined;
  /** One fill value per input column; NaN / null marks an empty column that is dropped. */
  statistics_: Cell[] | undefined;
  /** Input column index of each output column. */
  private kept: Int32Array | undefined;

  constructor(params: SimpleImputerParams = {}) {
    super(params, DEFAULTS);
  }

  private validate(): { strategy: ImputeStrategy; keepEmpty: boolean } {
    const strategy = this.params.strategy ?? 'mean';
    if (!STRATEGIES.includes(strategy))
      throw paramError('strategy', `must be one of ${STRATEGIES.join(', ')}`, strategy);
    const fv = this.params.fillValue;
    if (fv !== undefined && fv !== null && typeof fv !== 'number' && typeof fv !== 'string') {
      throw paramError('fillValue', 'must be null, a number or a string', fv);
    }
    return { strategy, keepEmpty: this.params.keepEmptyFeatures ?? false };
  }

  fit(X: Table): this {
    const { strategy, keepEmpty } = this.validate();
    const f = asFrame(X);
    this.featureNamesIn_ = tableColumnNames(X);
    this.inputKinds_ = tableKinds(X);
    this.statistics_ = f.columns.map((c) =>
      columnStatistic(c, strategy, this.params.fillValue ?? undefined, keepEmpty),
    );
    const kept: number[] = [];
    this.statistics_.forEach((s, j) => {
      if (!isEmptyStatistic(s)) kept.push(j);
    });
    this.kept = Int32Array.from(kept);
    return this;
  }

  fitTransform(X: Table): Table {
    return this.fit(X).transform(X);
  }

  transform(X: Table): Table {
    const stats = this.statistics_;
    const kept = this.kept;
    if (!stats || !kept || !this.featureNamesIn_) throw notFitted('SimpleImputer');
    checkInputColumns(X, this.featureNamesIn_, 'SimpleImputer.transform');
    if (!isFrame(X)) return this.transformMatrix(X, stats as number[], kept);
    const columns: Column[] = [];
    for (const j of kept) columns.push(fillColumn(X.columns[j], stats[j]));
    return { nRows: X.nRows, columns } satisfies Frame;
  }

  /** transform(X) of numeric columns written straight into out[i * stride + offset ...]. */
  transformInto(X: Table, out: Float64Array, stride: number, offset: number): void {
    const stats = this.statistics_;
    const kept = this.kept;
    if (!stats || !kept || !this.featureNamesIn_) throw notFitted('SimpleImputer');
    checkInputColumns(X, this.featureNamesIn_, 'SimpleImputer.transform');
    const n = X.nRows;
    for (let k = 0; k < kept.length; k++) {
      const j = kept[k],
        fill = stats[j] as number;
      let at = offset + k;
      if (!isFrame(X)) {
        for (let i = 0; i < n; i++, at += stride) {
          const v = X.data[i * X.nCols + j];
          out[at] = v !== v ? fill : v;
        }
        continue;
      }
      const c = X.columns[j];
      if (c.kind !== 'numeric')
        throw new Error(`SimpleImputer.transformInto: column "${c.name}" is categorical; its output is not numeric`);
      const values = c.values;
      for (let i = 0; i < n; i++, at += stride) {
        const v = values[i];
        out[at] = v !== v ? fill : v;
      }
    }
  }

  private transformMatrix(X: Matrix, stats: number[], kept: Int32Array): Matrix {
    const out = matrix(X.nRows, kept.length);
    for (let i = 0; i < X.nRows; i++) {
      for (let k = 0; k < kept.length; k++) {
        const v = X.data[i * X.nCols + kept[k]];
        out.data[i * kept.length + k] = Number.isNaN(v) ? stats[kept[k]] : v;
      }
    }
    return out;
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    const stats = this.statistics_;
    const kept = this.kept;
    const kinds = this.inputKinds_;
    if (!stats || !kept || !kinds) throw notFitted('SimpleImputer');
    for (let k = 0; k < kept.length; k++) {
      const j = kept[k];
      const v = row[j];
      if (kinds[j] === 'numeric') {
        if (v !== null && typeof v !== 'number')
          throw new TypeError(
            `SimpleImputer: column "${this.featureNamesIn_![j]}" is numeric but the row holds ${JSON.stringify(v)}`,
          );
        out[offset + k] = v === null || v !== v ? (stats[j] as number) : v;
      } else {
        (out as Cell[])[offset + k] = v === null ? stats[j] : v;
      }
    }
  }

  featureNamesOut(): string[] {
    if (!this.kept || !this.featureNamesIn_) throw notFitted('SimpleImputer');
    return Array.from(this.kept, (j) => this.featureNamesIn_![j]);
  }

  outputKinds(): ColumnKind[] {
    if (!this.kept || !this.inputKinds_) throw notFitted('SimpleImputer');
    return Array.from(this.kept, (j) => this.inputKinds_![j]);
  }

  toJSON(): SerializedComponent {
    return {
      type: 'SimpleImputer',
      version: 1,
      params: { ...this.params },
      state: this.statistics_
        ? {
            featureNamesIn: this.featureNamesIn_,
            inputKinds: this.inputKinds_,
            statistics: this.statistics_.map((s) =>
              typeof s === 'number' && !Number.isFinite(s) ? { number: String(s) } : s,
            ),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): SimpleImputer {
    const imp = new SimpleImputer().setParams(json.params);
    imp.validate();
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const names = r.strings('featureNamesIn');
      const kinds = r.array('inputKinds', names.length);
      const stats = r.array('statistics', names.length);
      const statistics = stats.map((s, j): Cell => {
        if (kinds[j] === 'categorical') {
          if (s !== null && typeof s !== 'string')
            r.fail(`statistics[${j}]`, `must be a string or null for categorical column "${names[j]}"`);
          return s as string | null;
        }
        if (kinds[j] !== 'numeric') r.fail(`inputKinds[${j}]`, "must be 'numeric' or 'categorical'");
        // NaN (an empty column, dropped) is written as { number: 'NaN' }
        const v =
          s !== null && typeof s === 'object' && !Array.isArray(s) ? Number((s as { number?: unknown }).number) : s;
        if (typeof v !== 'number' || !(Number.isFinite(v) || Number.isNaN(v))) {
          r.fail(`statistics[${j}]`, `must be a finite number (or NaN) for numeric column "${names[j]}"`);
        }
        return v as number;
      });
      imp.statistics_ = statistics;
      imp.featureNamesIn_ = names;
      imp.inputKinds_ = kinds as ColumnKind[];
      imp.kept = Int32Array.from(statistics.flatMap((s, j) => (isEmptyStatistic(s) ? [] : [j])));
    }
    return imp;
  }
}

registerComponent('SimpleImputer', (json) => SimpleImputer.fromJSON(json));

function isEmptyStatistic(s: Cell): boolean {
  return s === null || (typeof s === 'number' && Number.isNaN(s));
}

function columnStatistic(
  c: Column,
  strategy: ImputeStrategy,
  fillValue: number | string | undefined,
  keepEmpty: boolean,
): Cell {
  if (strategy === 'constant') {
    if (c.kind === 'numeric') {
      if (typeof fillValue === 'string')
        throw new RangeError(
          `SimpleImputer: fillValue ${JSON.stringify(fillValue)} is a string but column "${c.name}" is numeric`,
        );
      return fillValue ?? 0;
    }
    return fillValue === undefined ? 'missing_value' : String(fillValue);
  }
  if (c.kind === 'categorical') {
    if (strategy !== 'most_frequent')
      throw new RangeError(
        `SimpleImputer: strategy '${strategy}' needs numeric data but column "${c.name}" is categorical; use 'most_frequent' or 'constant'`,
      );
    const s = mostFrequentCategory(c.codes, c.categories);
    if (s === null && keepEmpty)
      throw new RangeError(
        `SimpleImputer: categorical column "${c.name}" has no observed value; keepEmptyFeatures only applies to numeric columns`,
      );
    return s;
  }
  const observed = c.values.filter((v) => !Number.isNaN(v));
  if (observed.length === 0) return keepEmpty ? 0 : NaN;
  if (strategy === 'mean') return sum(observed) / observed.length;
  observed.sort();
  if (strategy === 'median') {
    const n = observed.length;
    const h = n >> 1;
    return n % 2 === 1 ? observed[h] : (observed[h - 1] + observed[h]) / 2;
  }
  return mostFrequentSorted(observed);
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Mode of sorted values; the first (smallest) of equally frequent values wins. */
function mostFrequentSorted(sorted: Float64Array): number {
  let best = sorted[0];
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = sorted[i];
    }
  }
  return best;
}

function mostFrequentCategory(codes: Int32Array, categories: readonly string[]): string | null {
  const counts = new Float64Array(categories.length);
  for (const c of codes) if (c >= 0) counts[c]++;
  let best: string | null = null;
  let bestCount = 0;
  for (let k = 0; k < categories.length; k++) {
    if (counts[k] === 0) continue;
    if (counts[k] > bestCount || (counts[k] === bestCount && best !== null && categories[k] < best)) {
      best = categories[k];
      bestCount = counts[k];
    }
  }
  return best;
}

function fillColumn(c: Column, stat: Cell): Column {
  if (c.kind === 'numeric') {
    const values = Float64Array.from(c.values);
    for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) values[i] = stat as number;
    return { kind: 'numeric', name: c.name, values };
  }
  const fill = stat as string;
  let categories = c.categories;
  let code = categories.indexOf(fill);
  const codes = Int32Array.from(c.codes);
  let needed = false;
  for (let i = 0; i < codes.length; i++)
    if (codes[i] < 0) {
      needed = true;
      break;
    }
  if (needed && code < 0) {
    categories = [...categories, fill];
    code = categories.length - 1;
  }
  if (needed) for (let i = 0; i < codes.length; i++) if (codes[i] < 0) codes[i] = code;
  return { kind: 'categorical', name: c.name, codes, categories };
}
