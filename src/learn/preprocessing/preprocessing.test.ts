import { describe, expect, it } from 'vitest';
import { categoricalColumn, frame, numericColumn, type Frame } from '../core/frame.js';
import { fromRows, toRows, type Matrix } from '../core/matrix.js';
import { restoreComponent } from '../core/serialization.js';
import { Rng } from '../core/random.js';
import { frameToRecords } from '../data/records.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { Pipeline } from '../pipeline.js';
import {
  ColumnTransformer,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  SimpleImputer,
  StandardScaler,
  type Cell,
  type TableTransformer,
} from './index.js';

function small(): Frame {
  return frame([numericColumn('a', [1, NaN, 3, 3, 10]), categoricalColumn('c', ['x', null, 'y', 'y', 'x'])]);
}

/** Runs the single-row path on every row of a frame and checks it equals the batch output. */
function expectRowPathMatches(t: TableTransformer, f: Frame, batch: Matrix): void {
  const row: Cell[] = new Array(f.columns.length);
  const out = new Float64Array(batch.nCols);
  const records = frameToRecords(f);
  records.forEach((rec, i) => {
    f.columns.forEach((c, j) => {
      const v = rec[c.name];
      row[j] = v === null && c.kind === 'numeric' ? NaN : v;
    });
    t.transformRowInto(row, out, 0);
    expect(Array.from(out)).toEqual(Array.from(batch.data.subarray(i * batch.nCols, (i + 1) * batch.nCols)));
  });
}

describe('SimpleImputer', () => {
  it('fills each strategy and keeps a Frame a Frame', () => {
    const f = small();
    const mean = new SimpleImputer({ strategy: 'mean' });
    expect(() => mean.fit(f)).toThrow(/strategy 'mean' needs numeric data but column "c" is categorical/);
    const med = new SimpleImputer({ strategy: 'median' }).fit(frame([f.columns[0]]));
    expect(med.statistics_).toEqual([3]);
    const mf = new SimpleImputer({ strategy: 'most_frequent' });
    const out = mf.fitTransform(f) as Frame;
    expect(mf.statistics_).toEqual([3, 'x']);
    expect(frameToRecords(out).map((r) => [r.a, r.c])).toEqual([
      [1, 'x'],
      [3, 'x'],
      [3, 'y'],
      [3, 'y'],
      [10, 'x'],
    ]);
    const cst = new SimpleImputer({ strategy: 'constant' }).fit(f);
    expect(cst.statistics_).toEqual([0, 'missing_value']);
    expect(() => new SimpleImputer({ strategy: 'mode' as never }).fit(f)).toThrow(/strategy must be one of/);
  });

  it('breaks most_frequent ties with the smallest value', () => {
    const f = frame([
      numericColumn('n', [3, 1, 3, 1, NaN]),
      categoricalColumn('c', ['b', 'a', 'b', 'a', 'c'], ['c', 'b', 'a']),
    ]);
    expect(new SimpleImputer({ strategy: 'most_frequent' }).fit(f).statistics_).toEqual([1, 'a']);
  });

  it('drops a column with no observed value unless keepEmptyFeatures', () => {
    const m = fromRows([
      [1, NaN],
      [2, NaN],
    ]);
    expect(toRows(new SimpleImputer().fitTransform(m) as Matrix)).toEqual([[1], [2]]);
    expect(toRows(new SimpleImputer({ keepEmptyFeatures: true }).fitTransform(m) as Matrix)).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('round-trips through JSON', () => {
    const imp = new SimpleImputer({ strategy: 'most_frequent' }).fit(small());
    const back = restoreComponent<SimpleImputer>(JSON.parse(JSON.stringify(imp.toJSON())));
    expect(frameToRecords(back.transform(small()) as Frame)).toEqual(frameToRecords(imp.transform(small()) as Frame));
  });
});

describe('scalers and encoders', () => {
  it('StandardScaler gives scale 1 to a constant column and keeps NaN', () => {
    const s = new StandardScaler().fit(
      fromRows([
        [1, 5],
        [3, 5],
        [NaN, 5],
      ]),
    );
    expect(Array.from(s.scale_!)).toEqual([1, 1]);
    expect(Array.from(s.mean_!)).toEqual([2, 5]);
    expect(
      toRows(
        s.transform(
          fromRows([
            [3, 5],
            [NaN, 6],
          ]),
        ),
      ),
    ).toEqual([
      [1, 0],
      [NaN, 1],
    ]);
  });

  it('MinMaxScaler maps onto featureRange and validates it', () => {
    const s = new MinMaxScaler({ featureRange: [-1, 1] }).fit(fromRows([[0], [10]]));
    expect(toRows(s.transform(fromRows([[5], [20]])))).toEqual([[0], [3]]);
    expect(() => new MinMaxScaler({ featureRange: [1, 0] }).fit(fromRows([[0]]))).toThrow(
      /featureRange must be \[lo, hi\]/,
    );
  });

  it('OneHotEncoder sorts categories, names columns and handles unknowns', () => {
    const f = frame([categoricalColumn('c', ['b', 'a', 'c']), numericColumn('n', [2, 1, 2])]);
    const enc = new OneHotEncoder({ handleUnknown: 'ignore' });
    const X = enc.fitTransform(f);
    expect(enc.featureNamesOut()).toEqual(['c_a', 'c_b', 'c_c', 'n_1.0', 'n_2.0']);
    expect(toRows(X)).toEqual([
      [0, 1, 0, 0, 1],
      [1, 0, 0, 1, 0],
      [0, 0, 1, 0, 1],
    ]);
    const unseen = frame([categoricalColumn('c', ['z']), numericColumn('n', [7])]);
    expect(toRows(enc.transform(unseen))).toEqual([[0, 0, 0, 0, 0]]);
    expect(() => new OneHotEncoder().fit(f).transform(unseen)).toThrow(/unknown category "z" in column "c"/);
    expectRowPathMatches(enc, f, X);
  });

  it('OrdinalEncoder encodes sorted categories, missing and unknowns', () => {
    const f = frame([categoricalColumn('c', ['b', null, 'a'])]);
    const enc = new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }).fit(f);
    expect(toRows(enc.transform(f))).toEqual([[1], [NaN], [0]]);
    expect(toRows(enc.transform(frame([categoricalColumn('c', ['q'])])))).toEqual([[-1]]);
    expect(() => new OrdinalEncoder({ handleUnknown: 'use_encoded_value' }).fit(f)).toThrow(
      /unknownValue must be an integer/,
    );
    const back = restoreComponent<OrdinalEncoder>(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(toRows(back.transform(f))).toEqual([[1], [NaN], [0]]);
  });
});

describe('ColumnTransformer and transformer pipelines', () => {
  const make = () =>
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
          'cat',
          new Pipeline({
            steps: [
              ['impute', new SimpleImputer({ strategy: 'most_frequent' })],
              ['onehot', new OneHotEncoder({ handleUnknown: 'ignore' })],
            ],
          }),
          ['c'],
        ],
      ],
      remainder: 'passthrough',
    });

  it('stacks blocks in order with prefixed names; remainder passes through', () => {
    const f = frame([...small().columns, numericColumn('r', [9, 8, 7, 6, 5])]);
    const ct = make();
    const X = ct.fitTransform(f);
    expect(ct.featureNamesOut()).toEqual(['num__a', 'cat__c_x', 'cat__c_y', 'remainder__r']);
    expect(X.nCols).toBe(4);
    expect(toRows(X).map((r) => r.slice(1))).toEqual([
      [1, 0, 9],
      [1, 0, 8],
      [0, 1, 7],
      [0, 1, 6],
      [1, 0, 5],
    ]);
    expectRowPathMatches(ct, f, X);
    const back = restoreComponent<ColumnTransformer>(JSON.parse(JSON.stringify(ct.toJSON())));
    expect(Array.from(back.transform(f).data)).toEqual(Array.from(X.data));
    expectRowPathMatches(back, f, X);
    // params are kept as given: the unfitted transformers are not the fitted clones
    expect(ct.params.transformers[0][1]).not.toBe(ct.namedTransformers_!.num);
    const cl = ct.clone();
    expect(() => cl.transform(f)).toThrow(/not fitted/);
  });

  it('names the problem with bad params', () => {
    const f = small();
    expect(() => new ColumnTransformer({ transformers: [['x', new StandardScaler(), ['zz']]] }).fit(f)).toThrow(
      /names column "zz", which X does not have/,
    );
    expect(() =>
      new ColumnTransformer({ transformers: [['x', new SimpleImputer({ strategy: 'most_frequent' }), ['c']]] }).fit(f),
    ).toThrow(/column "c" is categorical; encode it/);
    expect(() => new ColumnTransformer({ transformers: [], remainder: 'keep' as never }).fit(f)).toThrow(
      /remainder must be 'drop' or 'passthrough'/,
    );
  });

  it('sets nested params with name__param', () => {
    const ct = make();
    ct.setParams({ num__impute__strategy: 'mean' });
    const imp = (ct.params.transformers[0][1] as Pipeline).step<SimpleImputer>('impute');
    expect(imp.params.strategy).toBe('mean');
  });
});

// ----------------------------------------------------------------------------- parity
const sk = !lacks('sklearn');

function randomFrame(seed: number, n: number): Frame {
  const rng = new Rng(seed);
  const num = (scale: number, missing: number) =>
    Array.from({ length: n }, () => (rng.random() < missing ? NaN : Math.round(rng.normal() * scale * 4) / 4));
  const cat = (levels: string[], missing: number) =>
    Array.from({ length: n }, () => (rng.random() < missing ? null : levels[rng.int(levels.length)]));
  return frame([
    numericColumn('n1', num(3, 0.1)),
    numericColumn('n2', num(100, 0.3)),
    numericColumn('n3', new Array(n).fill(2.5)),
    categoricalColumn('c1', cat(['b', 'a', 'B', 'zeta', 'é'], 0.15)),
    categoricalColumn('c2', cat(['x', 'y'], 0)),
  ]);
}

const PY_PREP = `
import json, sys, warnings
import numpy as np, pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, MinMaxScaler, OneHotEncoder, OrdinalEncoder
warnings.simplefilter('ignore')
d = json.load(sys.stdin)
def df(recs):
    f = pd.DataFrame(recs)
    for c in ['n1', 'n2', 'n3']: f[c] = f[c].astype(float)
    for c in ['c1', 'c2']: f[c] = f[c].astype(object).where(f[c].notna(), np.nan)
    return f
tr, te = df(d['train']), df(d['test'])
num, cat = ['n1', 'n2', 'n3'], ['c1', 'c2']
out = {}
for s in ['mean', 'median', 'most_frequent', 'constant']:
    imp = SimpleImputer(strategy=s).fit(tr[num])
    out['imp_' + s] = [imp.statistics_.tolist(), np.nan_to_num(imp.transform(te[num]), nan=-999).tolist()]
for s in ['most_frequent', 'constant']:
    imp = SimpleImputer(strategy=s).fit(tr[cat])
    out['impc_' + s] = [list(imp.statistics_), imp.transform(te[cat]).tolist()]
X = tr[num].to_numpy()
ss = StandardScaler().fit(X)
out['ss'] = [ss.mean_.tolist(), ss.var_.tolist(), ss.scale_.tolist(), np.nan_to_num(ss.transform(te[num].to_numpy()), nan=-999).tolist()]
mm = MinMaxScaler(feature_range=(-2, 3)).fit(X)
out['mm'] = [mm.scale_.tolist(), mm.min_.tolist(), np.nan_to_num(mm.transform(te[num].to_numpy()), nan=-999).tolist()]
Xc = SimpleImputer(strategy='most_frequent').fit_transform(tr[cat])
oh = OneHotEncoder(handle_unknown='ignore', sparse_output=False).fit(pd.DataFrame(Xc, columns=cat))
Xte = pd.DataFrame(SimpleImputer(strategy='constant', fill_value='unseen').fit_transform(te[cat]), columns=cat)
out['oh'] = [oh.get_feature_names_out().tolist(), oh.transform(Xte).tolist()]
oe = OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1).fit(pd.DataFrame(Xc, columns=cat))
out['oe'] = oe.transform(Xte).tolist()
ohm = OneHotEncoder(handle_unknown='ignore', sparse_output=False).fit(tr[cat])
out['oh_missing'] = [ohm.get_feature_names_out().tolist(), ohm.transform(te[cat]).tolist()]
print(json.dumps(out))
`;

describe.skipIf(!sk)('preprocessing parity with scikit-learn 1.2', () => {
  const train = randomFrame(11, 300);
  const test = randomFrame(12, 80);
  const sel = (f: Frame, names: string[]) => frame(f.columns.filter((c) => names.includes(c.name)));
  const num = ['n1', 'n2', 'n3'];
  const cat = ['c1', 'c2'];
  const e = sk
    ? runPython<Record<string, any>>(PY_PREP, { train: frameToRecords(train), test: frameToRecords(test) })
    : {};
  const close = (a: number[][], b: number[][]) => {
    expect(a.length).toBe(b.length);
    // 1e-12 relative to the magnitude (numpy sums columns pairwise, Cairn sequentially).
    a.forEach((row, i) =>
      row.forEach((v, j) =>
        expect(Math.abs((Number.isNaN(v) ? -999 : v) - b[i][j])).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(b[i][j])),
        ),
      ),
    );
  };
  const numRows = (t: Frame | Matrix) =>
    'columns' in t
      ? frameToRecords(t).map((r) => Object.values(r).map((v) => (v === null ? NaN : (v as number))))
      : toRows(t);

  it('SimpleImputer numeric strategies', () => {
    for (const strategy of ['mean', 'median', 'most_frequent', 'constant'] as const) {
      const imp = new SimpleImputer({ strategy }).fit(sel(train, num));
      close([imp.statistics_ as number[]], [e[`imp_${strategy}`][0]]);
      close(numRows(imp.transform(sel(test, num))), e[`imp_${strategy}`][1]);
    }
  });

  it('SimpleImputer categorical strategies (tie → smallest)', () => {
    for (const strategy of ['most_frequent', 'constant'] as const) {
      const imp = new SimpleImputer({ strategy }).fit(sel(train, cat));
      expect(imp.statistics_).toEqual(e[`impc_${strategy}`][0]);
      expect(frameToRecords(imp.transform(sel(test, cat)) as Frame).map((r) => [r.c1, r.c2])).toEqual(
        e[`impc_${strategy}`][1],
      );
    }
  });

  it('StandardScaler and MinMaxScaler', () => {
    const ss = new StandardScaler().fit(sel(train, num));
    close([Array.from(ss.mean_!), Array.from(ss.var_!), Array.from(ss.scale_!)], e.ss.slice(0, 3));
    close(toRows(ss.transform(sel(test, num))), e.ss[3]);
    const mm = new MinMaxScaler({ featureRange: [-2, 3] }).fit(sel(train, num));
    close([Array.from(mm.scale_!), Array.from(mm.min_!)], e.mm.slice(0, 2));
    close(toRows(mm.transform(sel(test, num))), e.mm[2]);
  });

  it('OneHotEncoder and OrdinalEncoder with unknowns', () => {
    const fitted = new SimpleImputer({ strategy: 'most_frequent' }).fitTransform(sel(train, cat));
    const testFilled = new SimpleImputer({ strategy: 'constant', fillValue: 'unseen' }).fitTransform(sel(test, cat));
    const oh = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(fitted);
    expect(oh.featureNamesOut()).toEqual(e.oh[0]);
    expect(toRows(oh.transform(testFilled))).toEqual(e.oh[1]);
    const oe = new OrdinalEncoder({ handleUnknown: 'use_encoded_value', unknownValue: -1 }).fit(fitted);
    expect(toRows(oe.transform(testFilled))).toEqual(e.oe);
  });

  it('OneHotEncoder with missing values at fit (a trailing "nan" category)', () => {
    const oh = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(sel(train, cat));
    expect(oh.featureNamesOut()).toEqual(e.oh_missing[0]);
    expect(toRows(oh.transform(sel(test, cat)))).toEqual(e.oh_missing[1]);
  });
});
