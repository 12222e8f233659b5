// A corrupt or hostile model file must be refused with a ModelFormatError, or restore to a model
// whose predictions are all probabilities: never a hang, a crash, or garbage read past an array.
// Seeded fuzzing: valid serialized models of every estimator (and pipelines of every transformer)
// are mutated — arrays truncated, indices swapped, children pointed backwards, thresholds NaN,
// fields of the wrong type, huge lengths — and each mutant is restored and, if accepted, used.
import { describe, expect, it } from 'vitest';
import {
  ColumnTransformer,
  DecisionTreeClassifier,
  GradientBoostingClassifier,
  KNeighborsClassifier,
  LogisticRegression,
  MinMaxScaler,
  ModelFormatError,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  RandomForestClassifier,
  restoreComponent,
  SimpleImputer,
  StandardScaler,
  categoricalColumn,
  frame,
  matrix,
  numericColumn,
  Rng,
  type Classifier,
  type Frame,
  type Matrix,
  type SerializedComponent,
} from '../index.js';
import { decodeFloat64, decodeInt32, encodeFloat64, encodeInt32 } from './serialization.js';

const INT32_KEYS = new Set(['feature', 'left', 'right', 'roots', 'nNodeSamples', 'defaultLeft']);

function data(rng: Rng, n: number, d: number, nClasses: number): { X: Matrix; y: Float64Array } {
  const X = matrix(n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % nClasses;
    for (let j = 0; j < d; j++) X.data[i * d + j] = rng.random() * 4 + (j === 0 ? y[i] : 0);
  }
  return { X, y };
}

function table(rng: Rng, n: number): { X: Frame; y: Float64Array } {
  const y = Float64Array.from({ length: n }, (_, i) => i % 2);
  const num = (k: number) => Float64Array.from(y, (c) => (rng.random() < 0.1 ? NaN : rng.random() * 3 + c * k));
  const cat = (vals: string[]) =>
    Array.from(y, (c) => (rng.random() < 0.1 ? null : vals[(c + Math.floor(rng.random() * 2)) % vals.length]));
  const X = frame([
    numericColumn('a', num(1)),
    numericColumn('b', num(2)),
    categoricalColumn('c', cat(['x', 'y', 'z'])),
  ]);
  return { X, y };
}

/** Fitted models of every kind, serialized, with inputs to predict on. */
function corpus(): { name: string; json: SerializedComponent; X: Matrix | Frame }[] {
  const rng = new Rng(7);
  const bin = data(rng, 60, 4, 2);
  const multi = data(rng, 60, 4, 3);
  const tab = table(rng, 60);
  const out: { name: string; json: SerializedComponent; X: Matrix | Frame }[] = [];
  for (const [tag, d] of [
    ['binary', bin],
    ['3 classes', multi],
  ] as const) {
    const models: Classifier<Matrix>[] = [
      new LogisticRegression(),
      new DecisionTreeClassifier({ maxDepth: 4, seed: 1 }),
      new RandomForestClassifier({ nEstimators: 4, maxDepth: 4, seed: 1, nJobs: 1 }),
      new GradientBoostingClassifier({ nEstimators: 4, maxDepth: 3, seed: 1 }),
      new KNeighborsClassifier({ nNeighbors: 3 }),
    ];
    for (const m of models)
      out.push({ name: `${m.constructor.name} (${tag})`, json: m.fit(d.X, d.y).toJSON(), X: d.X });
  }
  const prep = () =>
    new ColumnTransformer({
      transformers: [
        [
          'num',
          new Pipeline({
            steps: [
              ['impute', new SimpleImputer({ strategy: 'median' })],
              ['scale', new StandardScaler()],
            ],
          }),
          ['a'],
        ],
        [
          'mm',
          new Pipeline({
            steps: [
              ['impute', new SimpleImputer()],
              ['scale', new MinMaxScaler()],
            ],
          }),
          ['b'],
        ],
        [
          'cat',
          new Pipeline({
            steps: [
              ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
              ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
            ],
          }),
          ['c'],
        ],
        [
          'ord',
          new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1, encodedMissingValue: -2 }),
          ['c'],
        ],
      ],
    });
  for (const model of [
    new LogisticRegression(),
    new RandomForestClassifier({ nEstimators: 3, maxDepth: 3, seed: 2, nJobs: 1 }),
  ]) {
    const p = new Pipeline({
      steps: [
        ['prep', prep()],
        ['model', model],
      ],
    }).fit(tab.X, tab.y);
    out.push({ name: `Pipeline(${model.constructor.name})`, json: p.toJSON(), X: tab.X });
  }
  return out;
}

type Json = unknown;
interface Slot {
  parent: Record<string, Json> | Json[];
  key: string | number;
  value: Json;
}

function slots(v: Json, acc: Slot[] = []): Slot[] {
  if (v === null || typeof v !== 'object') return acc;
  for (const [k, child] of Object.entries(v as Record<string, Json>)) {
    const key = Array.isArray(v) ? Number(k) : k;
    acc.push({ parent: v as Record<string, Json>, key, value: child });
    slots(child, acc);
  }
  return acc;
}

/** The nearest object key above a slot names its typed array kind (an index into an array has none). */
function mutateBase64(rng: Rng, s: string, key: string | number): Json {
  const ints = typeof key === 'string' && INT32_KEYS.has(key);
  if (Buffer.from(s, 'base64').length % (ints ? 4 : 8) !== 0) return s.slice(4); // already truncated: cut more
  const a = ints ? decodeInt32(s) : decodeFloat64(s);
  const pick = () => Math.floor(rng.random() * Math.max(a.length, 1));
  switch (Math.floor(rng.random() * 8)) {
    case 0:
      return s.slice(0, Math.max(0, s.length - 4 * (1 + Math.floor(rng.random() * 3)))); // truncate
    case 1: {
      const i = pick(),
        j = pick();
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
      break;
    } // swap
    case 2: {
      const i = pick();
      a[i] = Math.floor(rng.random() * Math.max(i, 1));
      break;
    } // point backwards
    case 3:
      a[pick()] = ints ? -2 - Math.floor(rng.random() * 5) : NaN;
      break;
    case 4:
      a[pick()] = ints ? 2 ** 31 - 1 : Infinity;
      break;
    case 5:
      a[pick()] = ints ? a.length + Math.floor(rng.random() * 4) : -1e308;
      break;
    case 6:
      return s + s; // doubled length
    default:
      a[pick()] = ints ? -1 : 1e300;
  }
  return ints ? encodeInt32(a as Int32Array) : encodeFloat64(a as Float64Array);
}

function mutant(rng: Rng, v: Json): Json {
  const t = typeof v;
  if (typeof v === 'string' && v.length >= 8 && /^[A-Za-z0-9+/]+=*$/.test(v) && v.length % 4 === 0) return v; // handled by caller
  const wrong: Json[] = [null, -1, 0, 1.5, 2 ** 31, 1e12, 'x', '', [], {}, true, [1, 2, 3]];
  if (t === 'number' && rng.random() < 0.5)
    return (v as number) + (rng.random() < 0.5 ? -1 : 1) * Math.ceil(rng.random() * 3);
  if (Array.isArray(v) && rng.random() < 0.5) return rng.random() < 0.5 ? v.slice(0, -1) : [...v, ...v.slice(0, 1)];
  if (t === 'object' && v !== null && !Array.isArray(v) && rng.random() < 0.5) {
    const copy = { ...(v as Record<string, Json>) };
    const keys = Object.keys(copy);
    if (keys.length) delete copy[keys[Math.floor(rng.random() * keys.length)]];
    return copy;
  }
  return wrong[Math.floor(rng.random() * wrong.length)];
}

function mutate(rng: Rng, json: SerializedComponent): Json {
  const copy = JSON.parse(JSON.stringify(json)) as Json;
  const all = slots(copy);
  const rounds = 1 + Math.floor(rng.random() * 2);
  for (let r = 0; r < rounds; r++) {
    const s = all[Math.floor(rng.random() * all.length)];
    const v = s.parent[s.key as never] as Json;
    const isB64 = typeof v === 'string' && v.length >= 8 && v.length % 4 === 0 && /^[A-Za-z0-9+/]+=*$/.test(v);
    (s.parent as Record<string | number, Json>)[s.key] =
      isB64 && rng.random() < 0.85 ? mutateBase64(rng, v, s.key) : mutant(rng, v);
  }
  return JSON.parse(JSON.stringify(copy)); // as read from a file: NaN → null, no shared references
}

function checkProbabilities(P: Matrix, nRows: number): void {
  expect(P.nRows).toBe(nRows);
  for (let i = 0; i < P.nRows; i++) {
    let s = 0;
    for (let c = 0; c < P.nCols; c++) {
      const p = P.data[i * P.nCols + c];
      if (!(p >= 0 && p <= 1)) throw new Error(`row ${i} class ${c}: probability ${p}`);
      s += p;
    }
    if (!(Math.abs(s - 1) < 1e-9)) throw new Error(`row ${i}: probabilities sum to ${s}`);
  }
}

/** Inputs the restored model declares it takes: a matrix of its width, or the frame for a pipeline. */
function inputFor(m: unknown, X: Matrix | Frame, rng: Rng): Matrix | Frame {
  if (!('data' in X)) return X;
  const d = (m as { nFeaturesIn_?: number }).nFeaturesIn_ ?? X.nCols;
  const out = matrix(20, d);
  for (let i = 0; i < out.data.length; i++) out.data[i] = i < X.data.length ? X.data[i] : rng.random() * 4;
  return out;
}

describe('fromJSON refuses corrupt models or restores usable ones (seeded fuzz)', () => {
  const models = corpus();

  it('every unmutated model round-trips', () => {
    for (const { json, X } of models) {
      const m = restoreComponent<Classifier<Matrix | Frame>>(JSON.parse(JSON.stringify(json)));
      checkProbabilities(m.predictProba(X), 'data' in X ? X.nRows : X.nRows);
    }
  });

  it('3000 mutants: a ModelFormatError, or predictions that are all probabilities; each case fast', () => {
    const rng = new Rng(20261207);
    const cases = 3000;
    const outcome = { refused: 0, accepted: 0 };
    let slowest = 0;
    for (let k = 0; k < cases; k++) {
      const { name, json, X } = models[k % models.length];
      const bad = mutate(rng, json);
      const t0 = performance.now();
      let m: Classifier<Matrix | Frame>;
      try {
        m = restoreComponent<Classifier<Matrix | Frame>>(bad);
      } catch (e) {
        if (!(e instanceof ModelFormatError))
          throw new Error(
            `${name} case ${k}: ${String(e)} is not a ModelFormatError\n${JSON.stringify(bad).slice(0, 400)}`,
          );
        expect(e.message.length).toBeGreaterThan(10);
        outcome.refused++;
        slowest = Math.max(slowest, performance.now() - t0);
        continue;
      }
      outcome.accepted++;
      const input = inputFor(m, X, rng);
      try {
        const P = m.predictProba(input);
        checkProbabilities(P, 'data' in input ? input.nRows : input.nRows);
        const labels = m.predict(input);
        for (const l of labels) expect(m.classes_).toContain(l);
      } catch (e) {
        // checked refusals with a message: a model saved unfitted (state null) says so, and a pipeline
        // whose restored input schema differs (a renamed column) refuses the data; anything else
        // (TypeError, invalid numbers) is a failure
        const checked =
          !(e instanceof TypeError) &&
          e instanceof Error &&
          (/is not fitted/.test(e.message) || (/column|feature/.test(e.message) && !('data' in X)));
        if (!checked)
          throw new Error(`${name} case ${k}: accepted, then ${String(e)}\n${JSON.stringify(bad).slice(0, 400)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    // mutations mostly break the model, but not all (some land on unused or harmless values)
    expect(outcome.refused).toBeGreaterThan(cases / 2);
    expect(outcome.accepted).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2000);
  });

  it('names what is wrong and where', () => {
    const rf = models.find((m) => m.name.startsWith('Pipeline(RandomForest'))!.json;
    const bad = JSON.parse(JSON.stringify(rf));
    const state = bad.params.steps[1][1].state;
    const left = decodeInt32(state.left);
    expect(decodeInt32(state.feature)[0]).toBeGreaterThanOrEqual(0); // tree 0's root splits
    left[0] = 0;
    state.left = encodeInt32(left);
    expect(() => restoreComponent(bad)).toThrow(ModelFormatError);
    expect(() => restoreComponent(bad)).toThrow(
      /^state\.left: tree 0 node 0 has child 0, which must come after it and inside its tree \(0 < child < \d+\), in Pipeline › steps\[1\] "model" \(RandomForestClassifier\)$/,
    );

    const lr = JSON.parse(JSON.stringify(models[0].json));
    lr.state.coef = encodeFloat64(decodeFloat64(lr.state.coef).subarray(0, 1));
    expect(() => restoreComponent(lr)).toThrow('state.coef must hold 4 values, holds 1, in LogisticRegression');
    const nan = JSON.parse(JSON.stringify(models[1].json));
    const th = decodeFloat64(nan.state.tree.threshold);
    th[0] = NaN;
    nan.state.tree.threshold = encodeFloat64(th);
    expect(() => restoreComponent(nan)).toThrow(
      'state.tree.threshold: node 0 has threshold NaN, not a finite number, in DecisionTreeClassifier',
    );
    expect(() => restoreComponent({ ...models[0].json, params: { C: 1, penalty: 'l1' } })).toThrow(
      "penalty must be 'l2' or 'none', got \"l1\", in LogisticRegression",
    );
    expect(() => restoreComponent({ ...models[0].json, params: { Cee: 1 } })).toThrow(
      "Invalid parameter 'Cee' for estimator LogisticRegression()",
    );
  });
});
