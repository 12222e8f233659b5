// ColumnTransformer: applies a transformer (or transformer pipeline) to named columns of a Frame
// and stacks the results side by side into one Matrix, as scikit-learn's ColumnTransformer.
import type { SerializedComponent } from '../core/estimator.js';
import type { Column, Frame } from '../core/frame.js';
import type { Matrix } from '../core/matrix.js';
import { matrix } from '../core/matrix.js';
import { unknownParamError } from '../core/params.js';
import { StateReader } from '../core/restore-check.js';
import { registerComponent, restoreComponent } from '../core/serialization.js';
import {
  asFrame,
  copyIntoMatrix,
  notFitted,
  tableColumnNames,
  tableKinds,
  toMatrix,
  transformIntoMatrix,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './table.js';

export type ColumnTransformerEntry = [
  name: string,
  transformer: TableTransformer | 'drop' | 'passthrough',
  columns: string[],
];

export interface ColumnTransformerParams {
  transformers: ColumnTransformerEntry[];
  /** Columns named by no transformer: 'drop' (default) or 'passthrough' (numeric only). */
  remainder?: 'drop' | 'passthrough';
  /** Prefix output names with the transformer name, `num__age` (default true, as scikit-learn). */
  verboseFeatureNamesOut?: boolean;
}

/** One fitted block of the output: which input columns it reads and how many columns it writes. */
interface FittedBlock {
  name: string;
  transformer: TableTransformer | 'passthrough';
  columns: string[];
  inputIndex: Int32Array;
  width: number;
  /** Reused on the single-row path: this block's input cells. */
  rowBuffer: Cell[];
  /** Whether the transformer's output is all numeric (so it may write into the output directly); set on first transform. */
  numericOut?: boolean;
}

function numericOutput(b: FittedBlock): boolean {
  if (b.numericOut === undefined)
    b.numericOut = b.transformer === 'passthrough' || b.transformer.outputKinds().every((k) => k === 'numeric');
  return b.numericOut;
}

const NAME_RE = /^.+$/;

const DEFAULTS: Omit<Required<ColumnTransformerParams>, 'transformers'> = {
  remainder: 'drop',
  verboseFeatureNamesOut: true,
};
const PARAM_NAMES = ['transformers', ...Object.keys(DEFAULTS)];

export class ColumnTransformer implements TableTransformer {
  readonly params: ColumnTransformerParams;
  featureNamesIn_: string[] | undefined;
  inputKinds_: ColumnKind[] | undefined;
  /** Fitted clones of the transformers, by name ('remainder' for passthrough remainder). */
  namedTransformers_: Record<string, TableTransformer | 'passthrough'> | undefined;
  private blocks: FittedBlock[] | undefined;
  private nOut = 0;

  constructor(params: ColumnTransformerParams) {
    this.params = params;
  }

  getParams(): Record<string, unknown> {
    return { ...DEFAULTS, ...this.params };
  }

  /** Sets own params, or a nested one with `name__param` (e.g. `num__strategy`); unknown names throw. */
  setParams(params: Record<string, unknown>): this {
    for (const [key, value] of Object.entries(params)) {
      const sep = key.indexOf('__');
      if (sep < 0) {
        if (!PARAM_NAMES.includes(key)) throw unknownParamError('ColumnTransformer', key, PARAM_NAMES);
        (this.params as unknown as Record<string, unknown>)[key] = value;
        continue;
      }
      const name = key.slice(0, sep);
      const entry = this.params.transformers.find((t) => t[0] === name);
      if (!entry)
        throw unknownParamError('ColumnTransformer', name, [
          ...PARAM_NAMES,
          ...this.params.transformers.map((t) => t[0]),
        ]);
      if (typeof entry[1] === 'string')
        throw new RangeError(`ColumnTransformer.setParams: transformer "${name}" is '${entry[1]}' and has no params`);
      entry[1].setParams({ [key.slice(sep + 2)]: value });
    }
    return this;
  }

  clone(): this {
    return new ColumnTransformer({
      ...this.params,
      transformers: this.params.transformers.map(([n, t, cols]) => [
        n,
        typeof t === 'string' ? t : t.clone(),
        [...cols],
      ]),
    }) as this;
  }

  private validate(X: Table): void {
    const { transformers, remainder, verboseFeatureNamesOut } = this.params;
    if (!Array.isArray(transformers))
      throw new RangeError('ColumnTransformer: transformers must be an array of [name, transformer, columns]');
    const names = new Set<string>();
    const available = new Set(tableColumnNames(X));
    for (const entry of transformers) {
      if (!Array.isArray(entry) || entry.length !== 3)
        throw new RangeError('ColumnTransformer: each transformers entry must be [name, transformer, columns]');
      const [name, t, cols] = entry;
      if (typeof name !== 'string' || !NAME_RE.test(name) || name.includes('__'))
        throw new RangeError(
          `ColumnTransformer: transformer name ${JSON.stringify(name)} must be a non-empty string without "__"`,
        );
      if (names.has(name) || name === 'remainder')
        throw new RangeError(`ColumnTransformer: transformer name "${name}" is repeated or reserved`);
      names.add(name);
      if (typeof t === 'string' ? t !== 'drop' && t !== 'passthrough' : typeof t?.fit !== 'function') {
        throw new RangeError(`ColumnTransformer: transformer "${name}" must be a transformer, 'drop' or 'passthrough'`);
      }
      if (!Array.isArray(cols))
        throw new RangeError(`ColumnTransformer: columns of "${name}" must be an array of column names`);
      for (const c of cols)
        if (!available.has(c))
          throw new RangeError(`ColumnTransformer: transformer "${name}" names column "${c}", which X does not have`);
    }
    if (remainder !== undefined && remainder !== 'drop' && remainder !== 'passthrough')
      throw new RangeError(
        `ColumnTransformer: remainder must be 'drop' or 'passthrough'; got ${JSON.stringify(remainder)}`,
      );
    if (verboseFeatureNamesOut !== undefined && typeof verboseFeatureNamesOut !== 'boolean')
      throw new RangeError('ColumnTransformer: verboseFeatureNamesOut must be a boolean');
  }

  fit(X: Table, y?: ArrayLike<number>): this {
    this.fitTransform(X, y);
    return this;
  }

  fitTransform(X: Table, y?: ArrayLike<number>): Matrix {
    this.validate(X);
    const f = asFrame(X);
    this.featureNamesIn_ = tableColumnNames(X);
    this.inputKinds_ = tableKinds(X);
    const position = new Map(this.featureNamesIn_.map((n, j) => [n, j]));
    const blocks: FittedBlock[] = [];
    const outputs: Matrix[] = [];
    const used = new Set<string>();
    for (const [name, t, cols] of this.params.transformers) {
      cols.forEach((c) => used.add(c));
      if (t === 'drop' || cols.length === 0) continue;
      const sub = selectColumns(f, cols);
      const fitted = t === 'passthrough' ? 'passthrough' : t.clone();
      const out =
        fitted === 'passthrough'
          ? toMatrix(sub, `ColumnTransformer passthrough "${name}"`)
          : toMatrix(fitted.fitTransform(sub, y), `ColumnTransformer: output of "${name}"`);
      blocks.push(makeBlock(name, fitted, cols, position, out.nCols));
      outputs.push(out);
    }
    if ((this.params.remainder ?? 'drop') === 'passthrough') {
      const rest = this.featureNamesIn_.filter((n) => !used.has(n));
      if (rest.length > 0) {
        const out = toMatrix(selectColumns(f, rest), 'ColumnTransformer remainder');
        blocks.push(makeBlock('remainder', 'passthrough', rest, position, out.nCols));
        outputs.push(out);
      }
    }
    this.blocks = blocks;
    this.nOut = outputs.reduce((s, m) => s + m.nCols, 0);
    this.namedTransformers_ = Object.fromEntries(blocks.map((b) => [b.name, b.transformer]));
    this.featureNamesOut();
    return hstack(outputs, f.nRows);
  }

  transform(X: Table): Matrix {
    const blocks = this.blocks;
    if (!blocks || !this.featureNamesIn_) throw notFitted('ColumnTransformer');
    const f = asFrame(X);
    const byName = new Set(tableColumnNames(X));
    for (const n of this.featureNamesIn_)
      if (!byName.has(n))
        throw new RangeError(`ColumnTransformer.transform: X has no column "${n}", which was present at fit`);
    // each block writes its columns straight into the output matrix (no per-block matrices)
    const out = matrix(f.nRows, this.nOut);
    let at = 0;
    for (const b of blocks) {
      const sub = selectColumns(f, b.columns);
      if (b.transformer === 'passthrough') {
        copyIntoMatrix(sub, out.data, this.nOut, at, `ColumnTransformer passthrough "${b.name}"`);
      } else if (numericOutput(b)) {
        transformIntoMatrix(b.transformer, sub, out.data, this.nOut, at, `ColumnTransformer: output of "${b.name}"`);
      } else {
        copyIntoMatrix(
          b.transformer.transform(sub),
          out.data,
          this.nOut,
          at,
          `ColumnTransformer: output of "${b.name}"`,
        );
      }
      at += b.width;
    }
    return out;
  }

  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    const blocks = this.blocks;
    if (!blocks) throw notFitted('ColumnTransformer');
    let at = offset;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b];
      const idx = block.inputIndex;
      const buf = block.rowBuffer;
      if (block.transformer === 'passthrough') {
        for (let k = 0; k < idx.length; k++) {
          const v = row[idx[k]];
          out[at + k] = v === null ? NaN : v;
        }
      } else {
        for (let k = 0; k < idx.length; k++) buf[k] = row[idx[k]];
        block.transformer.transformRowInto(buf, out, at);
      }
      at += block.width;
    }
  }

  /** Number of output columns. */
  get nFeaturesOut(): number {
    if (!this.blocks) throw notFitted('ColumnTransformer');
    return this.nOut;
  }

  featureNamesOut(): string[] {
    const blocks = this.blocks;
    if (!blocks) throw notFitted('ColumnTransformer');
    const verbose = this.params.verboseFeatureNamesOut ?? true;
    const names: string[] = [];
    for (const b of blocks) {
      const inner = b.transformer === 'passthrough' ? b.columns : b.transformer.featureNamesOut();
      for (const n of inner) names.push(verbose ? `${b.name}__${n}` : n);
    }
    if (!verbose && new Set(names).size !== names.length) {
      throw new RangeError(
        'ColumnTransformer: output feature names are not unique with verboseFeatureNamesOut=false; set it to true',
      );
    }
    return names;
  }

  outputKinds(): ColumnKind[] {
    return this.featureNamesOut().map(() => 'numeric');
  }

  toJSON(): SerializedComponent {
    return {
      type: 'ColumnTransformer',
      version: 1,
      params: {
        ...this.params,
        transformers: this.params.transformers.map(([n, t, cols]) => [n, typeof t === 'string' ? t : t.toJSON(), cols]),
      },
      state: this.blocks
        ? {
            featureNamesIn: this.featureNamesIn_,
            inputKinds: this.inputKinds_,
            blocks: this.blocks.map((b) => ({
              name: b.name,
              columns: b.columns,
              width: b.width,
              transformer: b.transformer === 'passthrough' ? 'passthrough' : b.transformer.toJSON(),
            })),
          }
        : null,
    };
  }

  static fromJSON(json: SerializedComponent): ColumnTransformer {
    const pr = StateReader.of('params', json.params);
    const transformers = pr.array('transformers').map((entry, i): ColumnTransformerEntry => {
      if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string' || !Array.isArray(entry[2])) {
        pr.fail(`transformers[${i}]`, 'must be [name, transformer, columns]');
      }
      const [name, t, cols] = entry as [string, unknown, unknown[]];
      if (cols.some((c) => typeof c !== 'string')) pr.fail(`transformers[${i}][2]`, 'must be an array of column names');
      const restored =
        t === 'drop' || t === 'passthrough' ? t : restoreComponent<TableTransformer>(t, `transformers[${i}] "${name}"`);
      return [name, restored, cols as string[]];
    });
    const ct = new ColumnTransformer({ transformers }).setParams({ ...json.params, transformers });
    if (json.state) {
      const r = StateReader.of('state', json.state);
      const names = r.strings('featureNamesIn');
      const kinds = r.array('inputKinds', names.length);
      kinds.forEach((k, j) => {
        if (k !== 'numeric' && k !== 'categorical') r.fail(`inputKinds[${j}]`, "must be 'numeric' or 'categorical'");
      });
      const position = new Map(names.map((n, j) => [n, j]));
      ct.blocks = r.array('blocks').map((v, i) => {
        const b = StateReader.of(`state.blocks[${i}]`, v);
        const name = b.raw('name');
        if (typeof name !== 'string') return b.fail('name', 'must be a string');
        const columns = b.strings('columns');
        columns.forEach((c, k) => {
          if (!position.has(c)) b.fail(`columns[${k}]`, `names "${c}", which is not among featureNamesIn`);
        });
        const raw = b.raw('transformer');
        const t =
          raw === 'passthrough' ? 'passthrough' : restoreComponent<TableTransformer>(raw, `blocks[${i}] "${name}"`);
        const width = b.int('width', 0, 2 ** 24);
        const produced = t === 'passthrough' ? columns.length : t.featureNamesOut().length;
        if (width !== produced) b.fail('width', `is ${width}, but its transformer produces ${produced} columns`);
        const takes = t === 'passthrough' ? undefined : (t as { featureNamesIn_?: string[] }).featureNamesIn_;
        if (takes && takes.length !== columns.length)
          b.fail('columns', `has ${columns.length} columns, but its transformer was fitted on ${takes.length}`);
        return makeBlock(name, t, columns, position, width);
      });
      ct.featureNamesIn_ = names;
      ct.inputKinds_ = kinds as ColumnKind[];
      ct.nOut = ct.blocks.reduce((s, b) => s + b.width, 0);
      ct.namedTransformers_ = Object.fromEntries(ct.blocks.map((b) => [b.name, b.transformer]));
    }
    return ct;
  }
}

registerComponent('ColumnTransformer', (json) => ColumnTransformer.fromJSON(json));

function makeBlock(
  name: string,
  transformer: TableTransformer | 'passthrough',
  columns: string[],
  position: Map<string, number>,
  width: number,
): FittedBlock {
  return {
    name,
    transformer,
    columns,
    width,
    inputIndex: Int32Array.from(columns, (c) => position.get(c)!),
    rowBuffer: new Array<Cell>(columns.length).fill(null),
  };
}

function selectColumns(f: Frame, names: readonly string[]): Frame {
  const byName = new Map<string, Column>(f.columns.map((c) => [c.name, c]));
  return { nRows: f.nRows, columns: names.map((n) => byName.get(n)!) };
}

function hstack(parts: Matrix[], nRows: number): Matrix {
  const nCols = parts.reduce((s, m) => s + m.nCols, 0);
  const out = matrix(nRows, nCols);
  let at = 0;
  for (const m of parts) {
    for (let i = 0; i < nRows; i++) {
      const src = i * m.nCols;
      const dst = i * nCols + at;
      for (let j = 0; j < m.nCols; j++) out.data[dst + j] = m.data[src + j];
    }
    at += m.nCols;
  }
  return out;
}
