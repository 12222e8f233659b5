// Checks on what fromJSON restores. A model package may be corrupt or hostile, and the process
// that loads it (the scoring service) must neither hang on a tree with a cycle nor read past a
// typed array and predict garbage: every restored field is checked here, and a bad one is
// refused with a ModelFormatError naming the field and the rule it breaks.
import { decodeFloat64, decodeInt32 } from './serialization.js';

/**
 * A serialized model that cannot be restored. The message says what is wrong (the field, relative
 * to its component) and then where that component sits: `…, in Pipeline › steps[1] "model" (RandomForestClassifier)`.
 */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';

  constructor(
    readonly detail: string,
    readonly path: readonly string[] = [],
  ) {
    super(path.length ? `${detail}, in ${path.join(' › ')}` : detail);
  }

  /** The same error seen from the component that contains this one. */
  within(label: string): ModelFormatError {
    return new ModelFormatError(this.detail, [label, ...this.path]);
  }
}

/** Coefficients, margins and leaf values beyond this are not a fitted model; bounding them keeps sums finite. */
export const MAX_MODEL_MAGNITUDE = 1e300;

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : String(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the fields of one JSON object, each read checking type and range; `where` prefixes every error. */
export class StateReader {
  constructor(
    readonly where: string,
    private readonly obj: Record<string, unknown>,
  ) {}

  static of(where: string, v: unknown): StateReader {
    if (!isPlainObject(v)) throw new ModelFormatError(`${where} must be an object, got ${describe(v)}`);
    return new StateReader(where, v);
  }

  /** `rule` reads on from the field's path: "must be …", or ": node 3 …" for a finding inside it. */
  fail(key: string, rule: string): never {
    throw new ModelFormatError(`${this.where}.${key}${rule.startsWith(':') ? '' : ' '}${rule}`);
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined && this.raw(key) !== null;
  }

  object(key: string): StateReader {
    const v = this.raw(key);
    if (!isPlainObject(v)) this.fail(key, `must be an object, got ${describe(v)}`);
    return new StateReader(`${this.where}.${key}`, v);
  }

  int(key: string, min: number, max: number): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(key, `must be an integer in [${min}, ${max}], got ${describe(v)}`);
    return v;
  }

  bool(key: string): boolean {
    const v = this.raw(key);
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${describe(v)}`);
    return v;
  }

  array(key: string, length?: number): unknown[] {
    const v = this.raw(key);
    if (!Array.isArray(v)) this.fail(key, `must be an array, got ${describe(v)}`);
    if (length !== undefined && v.length !== length) this.fail(key, `must have ${length} entries, has ${v.length}`);
    return v;
  }

  strings(key: string, length?: number): string[] {
    const a = this.array(key, length);
    a.forEach((s, i) => {
      if (typeof s !== 'string') this.fail(`${key}[${i}]`, `must be a string, got ${describe(s)}`);
    });
    return a as string[];
  }

  private base64(key: string, bytesPer: number, length: number | undefined): string {
    const v = this.raw(key);
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      this.fail(key, `must be a base64 string, got ${describe(v)}`);
    const bytes = Math.floor((v.length * 3) / 4) - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);
    if (v.length % 4 !== 0 || bytes % bytesPer !== 0) this.fail(key, `must hold whole ${bytesPer}-byte values`);
    if (length !== undefined && bytes / bytesPer !== length)
      this.fail(key, `must hold ${length} values, holds ${bytes / bytesPer}`);
    return v;
  }

  float64(key: string, length?: number): Float64Array {
    return decodeFloat64(this.base64(key, 8, length));
  }

  /** float64 values, every one finite (and within ±MAX_MODEL_MAGNITUDE). */
  finite64(key: string, length?: number): Float64Array {
    const a = this.float64(key, length);
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i]) <= MAX_MODEL_MAGNITUDE))
        this.fail(`${key}[${i}]`, `must be a finite number (|x| <= 1e300), got ${a[i]}`);
    }
    return a;
  }

  int32(key: string, length?: number): Int32Array {
    return decodeInt32(this.base64(key, 4, length));
  }

  /** Class labels: finite, strictly ascending (so distinct), at least two. */
  classes(key: string): Float64Array {
    const c = this.finite64(key);
    if (c.length < 2) this.fail(key, `must hold at least 2 class labels, holds ${c.length}`);
    for (let k = 1; k < c.length; k++)
      if (!(c[k] > c[k - 1])) this.fail(key, 'must be strictly ascending (sorted distinct labels)');
    return c;
  }
}

/**
 * Checks the nodes [start, end) of one tree stored in parallel arrays (absolute indices): a node is a
 * leaf (feature -1) or splits on a feature in [0, nFeatures) at a finite threshold into two children
 * that both lie after it and inside the tree. Children after parents means a walk from the root
 * always moves forward, so it ends at a leaf: no cycle, no read outside the arrays. Boosted trees
 * may split at ±Infinity (all present values one way, missing the other): `finite` false allows it.
 */
export function checkTreeNodes(
  r: StateReader,
  t: { feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array },
  start: number,
  end: number,
  nFeatures: number,
  tree = '',
  finite = true,
): void {
  const { feature, threshold, left, right } = t;
  for (let i = start; i < end; i++) {
    const f = feature[i];
    if (f === -1) continue;
    const at = `${tree}node ${i}`;
    if (f < 0 || f >= nFeatures) r.fail('feature', `: ${at} splits on feature ${f}, outside [0, ${nFeatures})`);
    if (finite ? !Number.isFinite(threshold[i]) : Number.isNaN(threshold[i]))
      r.fail('threshold', `: ${at} has threshold ${threshold[i]}, not a ${finite ? 'finite ' : ''}number`);
    for (const [key, child] of [
      ['left', left[i]],
      ['right', right[i]],
    ] as const) {
      if (!(child > i && child < end)) {
        r.fail(key, `: ${at} has child ${child}, which must come after it and inside its tree (${i} < child < ${end})`);
      }
    }
  }
}

/** Tree roots into one node array: roots[0] = 0, strictly ascending, each tree non-empty. */
export function checkRoots(r: StateReader, roots: Int32Array, nNodes: number): void {
  if (roots.length > 0 && roots[0] !== 0) r.fail('roots', `must start at node 0, starts at ${roots[0]}`);
  for (let t = 1; t < roots.length; t++) {
    if (!(roots[t] > roots[t - 1]))
      r.fail('roots', `: tree ${t} starts at ${roots[t]}, not after tree ${t - 1} (${roots[t - 1]})`);
  }
  if (roots.length > 0 && !(roots[roots.length - 1] < nNodes))
    r.fail('roots', `: the last tree starts at ${roots[roots.length - 1]}, past the ${nNodes} nodes`);
}

/** End (exclusive) of tree t's nodes. */
export function treeEnd(roots: Int32Array, t: number, nNodes: number): number {
  return t + 1 < roots.length ? roots[t + 1] : nNodes;
}

/**
 * The field each component's fitted state is kept in (its toJSON writes `state: null` while it is
 * unset), named in the refusal so the reader knows what is missing. A type not listed is named by
 * its `state` alone.
 */
const FITTED_ATTRIBUTE: Record<string, string> = {
  LogisticRegression: 'coef_',
  DecisionTreeClassifier: 'tree_',
  RandomForestClassifier: 'forest_',
  GradientBoostingClassifier: 'booster_',
  KNeighborsClassifier: 'X_',
  OneHotEncoder: 'categories_',
  OrdinalEncoder: 'categories_',
  SimpleImputer: 'statistics_',
  MinMaxScaler: 'scale_',
  StandardScaler: 'featureNamesIn_',
  ColumnTransformer: 'blocks',
};

/**
 * Refuses a serialized model with an unfitted part: a component whose `state` is null, or a Pipeline
 * whose `state.fitted` is not true. A pipeline marked fitted may still hold a step replaced after
 * fit (setParams({ model: new LogisticRegression() })): without this, it restores and fails only at
 * predict time. Steps of a Pipeline and the fitted blocks of a ColumnTransformer are checked (its
 * `params.transformers` are unfitted templates, as in scikit-learn). Anything malformed is left to
 * restoreComponent; the error path reads as its does.
 */
export function checkFitted(json: unknown, where = ''): void {
  if (!isPlainObject(json) || typeof json.type !== 'string') return;
  const label = where ? `${where} (${json.type})` : json.type;
  const attribute = FITTED_ATTRIBUTE[json.type];
  const missing = attribute ? `, so it has no ${attribute}` : '';
  if (json.state === null || json.state === undefined)
    throw new ModelFormatError(`not fitted: "state" is null${missing}`, [label]);
  if (!isPlainObject(json.state)) return;
  const state = json.state;
  const inside = (child: unknown, childWhere: string) => {
    try {
      checkFitted(child, childWhere);
    } catch (e) {
      throw e instanceof ModelFormatError ? e.within(label) : e;
    }
  };
  if (json.type === 'Pipeline') {
    if (state.fitted !== true) throw new ModelFormatError('not fitted: "state.fitted" is not true', [label]);
    const steps = isPlainObject(json.params) && Array.isArray(json.params.steps) ? json.params.steps : [];
    steps.forEach((step, i) => {
      if (Array.isArray(step) && typeof step[0] === 'string') inside(step[1], `steps[${i}] "${step[0]}"`);
    });
  }
  if (json.type === 'ColumnTransformer' && Array.isArray(state.blocks)) {
    state.blocks.forEach((block, i) => {
      if (isPlainObject(block) && isPlainObject(block.transformer))
        inside(block.transformer, `blocks[${i}] "${String(block.name)}"`);
    });
  }
}
