// Pipeline: transformers applied in order, then (optionally) a final classifier; fitted in place,
// as scikit-learn's Pipeline. Also usable as a transformer (inside a ColumnTransformer).
import type { Classifier, FitOptions, Labels, SerializedComponent } from './core/estimator.js';
import type { Matrix } from './core/matrix.js';
import { matrix } from './core/matrix.js';
import { unknownParamError } from './core/params.js';
import { ModelFormatError, StateReader } from './core/restore-check.js';
import { registerComponent, restoreComponent } from './core/serialization.js';
import type { FrameSchema } from './data/records.js';
import {
  copyIntoMatrix,
  toMatrix,
  transformIntoMatrix,
  type Cell,
  type ColumnKind,
  type Table,
  type TableTransformer,
} from './preprocessing/table.js';

/** A classifier that may offer the allocation-free single-row path (tree, forest, logistic regression). */
export type PipelineClassifier = Classifier<Matrix> & {
  predictProbaRowInto?(row: ArrayLike<number>, out: Float64Array, offset?: number): Float64Array | void;
};

export type PipelineComponent = TableTransformer | PipelineClassifier;
export type PipelineStep = [name: string, component: PipelineComponent];

export interface PipelineParams {
  steps: PipelineStep[];
}

export function isClassifier(c: unknown): c is PipelineClassifier {
  return (
    typeof (c as PipelineClassifier)?.predictProba === 'function' &&
    typeof (c as PipelineClassifier)?.fit === 'function'
  );
}

/**
 * Every step but the last must be a transformer; the last is a classifier (then the pipeline is a
 * classifier: predict, predictProba, predictProbaRow) or a transformer (then it is a transformer:
 * transform, transformRowInto, featureNamesOut). Steps are fitted in place; clone() copies them.
 */
export class Pipeline implements TableTransformer {
  readonly params: PipelineParams;
  /** Reused buffers of the single-row path, one per transformer step (allocated after fit). */
  private rowBuffers: (Cell[] | Float64Array)[] | undefined;
  /** Transformer steps of the fitted pipeline, cached so the row path allocates nothing. */
  private rowSteps: TableTransformer[] | undefined;
  private fitted = false;

  constructor(params: PipelineParams) {
    this.params = params;
  }

  get steps(): PipelineStep[] {
    return this.params.steps;
  }

  /** Steps by name, as scikit-learn's named_steps. */
  get namedSteps(): Record<string, PipelineComponent> {
    return Object.fromEntries(this.params.steps);
  }

  /** The component of the step called `name` (throws if there is none). */
  step<T extends PipelineComponent = PipelineComponent>(name: string): T {
    const s = this.params.steps.find(([n]) => n === name);
    if (!s)
      throw new RangeError(`Pipeline has no step "${name}" (steps: ${this.params.steps.map(([n]) => n).join(', ')})`);
    return s[1] as T;
  }

  private get final(): PipelineComponent {
    return this.params.steps[this.params.steps.length - 1][1];
  }
  private get transformers(): TableTransformer[] {
    return this.params.steps.slice(0, -1).map(([, c]) => c as TableTransformer);
  }

  get classes_(): Float64Array | undefined {
    const f = this.final;
    return isClassifier(f) ? f.classes_ : undefined;
  }

  getParams(deep = false): Record<string, unknown> {
    const out: Record<string, unknown> = { steps: this.params.steps };
    if (deep) {
      for (const [name, c] of this.params.steps) {
        out[name] = c;
        for (const [k, v] of Object.entries(c.getParams())) out[`${name}__${k}`] = v;
      }
    }
    return out;
  }

  /**
   * Sets `steps`, a whole step by its name (`model: new LogisticRegression()`), or a step's param
   * with `step__param` (nested: `prep__num__impute__strategy`). Unknown names throw.
   */
  setParams(params: Record<string, unknown>): this {
    const names = () => this.params.steps.map(([n]) => n);
    for (const [key, value] of Object.entries(params)) {
      if (key === 'steps') {
        this.params.steps = value as PipelineStep[];
        continue;
      }
      const sep = key.indexOf('__');
      const name = sep < 0 ? key : key.slice(0, sep);
      const index = names().indexOf(name);
      if (index < 0) throw unknownParamError('Pipeline', name, ['steps', ...names()]);
      if (sep < 0) this.params.steps[index] = [name, value as PipelineComponent];
      else this.params.steps[index][1].setParams({ [key.slice(sep + 2)]: value });
    }
    this.fitted = false;
    return this;
  }

  clone(): this {
    return new Pipeline({ steps: this.params.steps.map(([n, c]) => [n, c.clone()] as PipelineStep) }) as this;
  }

  private validate(): void {
    const steps = this.params.steps;
    if (!Array.isArray(steps) || steps.length === 0)
      throw new RangeError('Pipeline: steps must be a non-empty array of [name, component]');
    const names = new Set<string>();
    steps.forEach((s, k) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string' || s[0] === '' || s[0].includes('__')) {
        throw new RangeError(`Pipeline: step ${k} must be [name, component] with a non-empty name without "__"`);
      }
      if (names.has(s[0])) throw new RangeError(`Pipeline: step name "${s[0]}" is repeated`);
      names.add(s[0]);
      const c = s[1];
      if (k < steps.length - 1 && (isClassifier(c) || typeof (c as TableTransformer)?.transform !== 'function')) {
        throw new RangeError(`Pipeline: step "${s[0]}" must be a transformer (only the last step may be a classifier)`);
      }
      if (k === steps.length - 1 && !isClassifier(c) && typeof (c as TableTransformer)?.transform !== 'function') {
        throw new RangeError(`Pipeline: last step "${s[0]}" must be a transformer or a classifier`);
      }
    });
  }

  private transformThrough(X: Table, fit: boolean, y?: ArrayLike<number>): Table {
    let Xt = X;
    for (const t of this.transformers) Xt = fit ? t.fitTransform(Xt, y) : t.transform(Xt);
    return Xt;
  }

  fit(X: Table, y?: Labels, options?: FitOptions): this {
    this.validate();
    const Xt = this.transformThrough(X, true, y);
    const last = this.final;
    if (isClassifier(last)) {
      if (!y) throw new RangeError('Pipeline.fit: y is required when the last step is a classifier');
      last.fit(toMatrix(Xt, 'Pipeline'), y, options);
    } else {
      last.fit(Xt, y);
    }
    this.fitted = true;
    this.prepareRowPath();
    return this;
  }

  fitTransform(X: Table, y?: ArrayLike<number>): Table {
    const last = this.final;
    if (isClassifier(last)) {
      this.fit(X, y);
      return this.transform(X);
    }
    this.validate();
    const out = last.fitTransform(this.transformThrough(X, true, y), y);
    this.fitted = true;
    this.prepareRowPath();
    return out;
  }

  private requireFitted(): void {
    if (!this.fitted) throw new Error('Pipeline is not fitted yet: call fit() first');
  }

  private finalClassifier(what: string): PipelineClassifier {
    const last = this.final;
    if (!isClassifier(last))
      throw new Error(
        `Pipeline.${what}: the last step "${this.params.steps[this.params.steps.length - 1][0]}" is not a classifier`,
      );
    return last;
  }

  predict(X: Table): Float64Array {
    this.requireFitted();
    const clf = this.finalClassifier('predict');
    return clf.predict(toMatrix(this.transformThrough(X, false), 'Pipeline'));
  }

  predictProba(X: Table): Matrix {
    this.requireFitted();
    const clf = this.finalClassifier('predictProba');
    return clf.predictProba(toMatrix(this.transformThrough(X, false), 'Pipeline'));
  }

  /** Output of the transformer steps (all steps when the last is a transformer). */
  transform(X: Table): Table {
    this.requireFitted();
    const last = this.final;
    const Xt = this.transformThrough(X, false);
    return isClassifier(last) ? Xt : last.transform(Xt);
  }

  /** transform(X) written straight into out[i * stride + offset ...] (the last step's transformInto when it has one). */
  transformInto(X: Table, out: Float64Array, stride: number, offset: number): void {
    this.requireFitted();
    const ts = this.transformerSteps();
    if (ts.length === 0) {
      copyIntoMatrix(X, out, stride, offset, 'Pipeline');
      return;
    }
    let Xt = X;
    for (let k = 0; k < ts.length - 1; k++) Xt = ts[k].transform(Xt);
    transformIntoMatrix(ts[ts.length - 1], Xt, out, stride, offset, 'Pipeline');
  }

  private transformerSteps(): TableTransformer[] {
    return isClassifier(this.final) ? this.transformers : this.params.steps.map(([, c]) => c as TableTransformer);
  }

  featureNamesOut(): string[] {
    const ts = this.transformerSteps();
    if (ts.length === 0) throw new Error('Pipeline.featureNamesOut: the pipeline has no transformer step');
    return ts[ts.length - 1].featureNamesOut();
  }

  outputKinds(): ColumnKind[] {
    const ts = this.transformerSteps();
    if (ts.length === 0) throw new Error('Pipeline.outputKinds: the pipeline has no transformer step');
    return ts[ts.length - 1].outputKinds();
  }

  /** Names and kinds of the input columns the first step was fitted on (what a request must carry). */
  inputSchema(): FrameSchema {
    this.requireFitted();
    const first = this.params.steps[0][1] as unknown as { featureNamesIn_?: string[]; inputKinds_?: ColumnKind[] };
    if (!first.featureNamesIn_)
      throw new Error('Pipeline.inputSchema: the first step does not record its input columns');
    const kinds = first.inputKinds_ ?? first.featureNamesIn_.map(() => 'numeric' as ColumnKind);
    return { columns: first.featureNamesIn_.map((name, j) => ({ name, kind: kinds[j] })) };
  }

  private prepareRowPath(): void {
    const ts = this.transformerSteps();
    this.rowSteps = ts;
    this.rowBuffers = ts.map((t) => {
      const kinds = t.outputKinds();
      return kinds.every((k) => k === 'numeric')
        ? new Float64Array(kinds.length)
        : new Array<Cell>(kinds.length).fill(null);
    });
  }

  /** Single-row transform through every transformer step into out[offset...]; no allocation. */
  transformRowInto(row: ArrayLike<Cell>, out: Cell[] | Float64Array, offset: number): void {
    this.requireFitted();
    const ts = this.rowSteps!;
    const bufs = this.rowBuffers!;
    let cur: ArrayLike<Cell> = row;
    for (let k = 0; k < ts.length - 1; k++) {
      ts[k].transformRowInto(cur, bufs[k], 0);
      cur = bufs[k];
    }
    ts[ts.length - 1].transformRowInto(cur, out, offset);
  }

  /**
   * Class probabilities of one row given as cells in inputSchema() order, written into `out`
   * (length = classes_.length). Uses the classifier's predictProbaRowInto when it has one, so
   * the whole path allocates nothing.
   */
  predictProbaRow(
    row: ArrayLike<Cell>,
    out: Float64Array = new Float64Array(this.classes_?.length ?? 0),
  ): Float64Array {
    this.requireFitted();
    const clf = this.finalClassifier('predictProbaRow');
    const bufs = this.rowBuffers!;
    let x: ArrayLike<Cell> = row;
    const ts = this.rowSteps!;
    for (let k = 0; k < ts.length; k++) {
      ts[k].transformRowInto(x, bufs[k], 0);
      x = bufs[k];
    }
    const features = ts.length === 0 ? Float64Array.from(row as ArrayLike<number>) : (x as Float64Array);
    if (!(features instanceof Float64Array))
      throw new Error('Pipeline.predictProbaRow: the transformer steps do not produce numeric features');
    if (clf.predictProbaRowInto) {
      clf.predictProbaRowInto(features, out, 0);
      return out;
    }
    const p = clf.predictProba(matrix(1, features.length, Float64Array.from(features)));
    out.set(p.data);
    return out;
  }

  toJSON(): SerializedComponent {
    return {
      type: 'Pipeline',
      version: 1,
      params: { steps: this.params.steps.map(([n, c]) => [n, c.toJSON()]) },
      state: { fitted: this.fitted },
    };
  }

  static fromJSON(json: SerializedComponent): Pipeline {
    const pr = StateReader.of('params', json.params);
    const steps = pr.array('steps').map((entry, i): PipelineStep => {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
        pr.fail(`steps[${i}]`, 'must be [name, component]');
      const [name, c] = entry as [string, unknown];
      return [name, restoreComponent<PipelineComponent>(c, `steps[${i}] "${name}"`)];
    });
    const p = new Pipeline({ steps });
    p.validate();
    if (json.state !== null && StateReader.of('state', json.state).bool('fitted')) {
      checkStepWidths(steps);
      p.fitted = true;
      p.prepareRowPath();
    }
    return p;
  }
}

/** Each step takes as many features as the one before it produces (when both say). */
function checkStepWidths(steps: PipelineStep[]): void {
  for (let k = 1; k < steps.length; k++) {
    const produced = (steps[k - 1][1] as TableTransformer).featureNamesOut().length;
    const c = steps[k][1] as { nFeaturesIn_?: number; featureNamesIn_?: string[] };
    const takes = c.nFeaturesIn_ ?? c.featureNamesIn_?.length;
    if (takes !== undefined && takes !== produced) {
      throw new ModelFormatError(
        `steps[${k}] "${steps[k][0]}" was fitted on ${takes} features, but step "${steps[k - 1][0]}" produces ${produced}`,
      );
    }
  }
}

registerComponent('Pipeline', (json) => Pipeline.fromJSON(json));
