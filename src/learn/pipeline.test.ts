import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { takeFrameRows } from './core/frame.js';
import { restoreComponent } from './core/serialization.js';
import { frameToRecords, recordToRowInto, type Cell } from './data/records.js';
import { runPython } from '../../test/support/python.js';
import { lacks } from '../../test/support/requirements.js';
import { LogisticRegression } from './linear/logistic-regression.js';
import { rocAucScore } from './metrics/ranking.js';
import { StratifiedKFold } from './model-selection/stratified-k-fold.js';
import { Pipeline } from './pipeline.js';
import { SimpleImputer, StandardScaler } from './preprocessing/index.js';
import {
  anchorPreprocessor,
  heartDataset,
  strokeDataset,
  type AnchorDataset,
} from '../../test/support/learn/anchor-protocol.js';
import { readSharedData, sharedDataDir, sharedPath } from '../../test/support/shared.js';

const data = !lacks('shared-data');
const HEART = data ? readSharedData('heart_disease_uci.csv') : '';
const STROKE = data ? readSharedData('stroke.csv') : '';

function lrPipeline(d: AnchorDataset, params = {}): Pipeline {
  return new Pipeline({
    steps: [
      ['prep', anchorPreprocessor(d.numeric, d.categorical, true)],
      ['model', new LogisticRegression({ maxIter: 1000, ...params })],
    ],
  });
}

describe.skipIf(!data)('Pipeline', () => {
  if (!data) return; // the body reads the data set while collecting
  const heart = heartDataset(HEART);

  it('fits, predicts and exposes named steps', () => {
    const p = lrPipeline(heart).fit(heart.X, heart.y);
    expect(Array.from(p.classes_!)).toEqual([0, 1]);
    const P = p.predictProba(heart.X);
    expect(P.nCols).toBe(2);
    const pred = p.predict(heart.X);
    let acc = 0;
    for (let i = 0; i < pred.length; i++) acc += pred[i] === heart.y[i] ? 1 : 0;
    expect(acc / pred.length).toBeGreaterThan(0.8);
    expect(p.step<LogisticRegression>('model').coef_!.nCols).toBe(25);
    expect(p.namedSteps.prep).toBe(p.steps[0][1]);
    expect(p.featureNamesOut().length).toBe(25);
    expect(p.inputSchema().columns.map((c) => c.name)).toEqual([...heart.numeric, ...heart.categorical]);
    expect(() => p.step('nope')).toThrow(/no step "nope"/);
  });

  it('validates its steps', () => {
    expect(() => new Pipeline({ steps: [] }).fit(heart.X, heart.y)).toThrow(/non-empty array/);
    expect(() =>
      new Pipeline({
        steps: [
          ['m', new LogisticRegression()],
          ['s', new StandardScaler()],
        ],
      }).fit(heart.X, heart.y),
    ).toThrow(/step "m" must be a transformer/);
    expect(() =>
      new Pipeline({
        steps: [
          ['a', new StandardScaler()],
          ['a', new LogisticRegression()],
        ],
      }).fit(heart.X, heart.y),
    ).toThrow(/"a" is repeated/);
    expect(() => new Pipeline({ steps: [['a__b', new LogisticRegression()]] }).fit(heart.X, heart.y)).toThrow(
      /without "__"/,
    );
  });

  it('single-row path equals the batch probabilities for every row', () => {
    const p = lrPipeline(heart).fit(heart.X, heart.y);
    const P = p.predictProba(heart.X);
    const schema = p.inputSchema();
    const row: Cell[] = new Array(schema.columns.length);
    const out = new Float64Array(2);
    const records = frameToRecords(heart.X);
    records.forEach((rec, i) => {
      recordToRowInto(rec, schema, row);
      p.predictProbaRow(row, out);
      expect(out[1]).toBe(P.data[2 * i + 1]);
    });
    // unseen category and all-missing record still score
    recordToRowInto({ sex: 'Unknown' }, schema, row);
    p.predictProbaRow(row, out);
    expect(out[0] + out[1]).toBeCloseTo(1, 14);
  });

  it('JSON round-trip gives bit-identical probabilities; same data gives byte-identical JSON', () => {
    const p = lrPipeline(heart).fit(heart.X, heart.y);
    const json = JSON.stringify(p.toJSON());
    const back = restoreComponent<Pipeline>(JSON.parse(json));
    expect(Array.from(back.predictProba(heart.X).data)).toEqual(Array.from(p.predictProba(heart.X).data));
    const row: Cell[] = new Array(13);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    recordToRowInto(frameToRecords(heart.X)[3], p.inputSchema(), row);
    expect(Array.from(back.predictProbaRow(row, a))).toEqual(Array.from(p.predictProbaRow(row, b)));
    expect(JSON.stringify(lrPipeline(heart).fit(heart.X, heart.y).toJSON())).toBe(json);
    expect(JSON.stringify(back.toJSON())).toBe(json);
  });

  it('clone() is deep and unfitted; setParams reaches nested steps', () => {
    const p = lrPipeline(heart, { C: 2 }).fit(heart.X, heart.y);
    const c = p.clone();
    expect(() => c.predict(heart.X)).toThrow(/not fitted/);
    c.setParams({ model__C: 0.1, prep__num__impute__strategy: 'mean' });
    expect(p.step<LogisticRegression>('model').params.C).toBe(2);
    expect(c.step<LogisticRegression>('model').params.C).toBe(0.1);
    expect(c.getParams(true)['model__C']).toBe(0.1);
    c.fit(heart.X, heart.y);
    expect(c.step<LogisticRegression>('model').coef_).toBeDefined();
  });

  it('works on a Matrix with a transformer pipeline as the whole model', () => {
    const t = new Pipeline({
      steps: [
        ['impute', new SimpleImputer({ strategy: 'median' })],
        ['scale', new StandardScaler()],
      ],
    });
    const X = anchorPreprocessor(heart.numeric, heart.categorical, false).fitTransform(heart.X);
    const Z = t.fitTransform(X);
    expect(t.featureNamesOut()).toEqual(Array.from({ length: 25 }, (_, j) => `x${j}`));
    expect('data' in Z && Z.nCols).toBe(25);
  });
});

// ----------------------------------------------------------------------------- parity
const sk = data && !lacks('sklearn');

const PY_CT = `
import json, sys, warnings
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
warnings.simplefilter('ignore')
def prep(num, cat, scale):
    ns = [('impute', SimpleImputer(strategy='median'))] + ([('scale', StandardScaler())] if scale else [])
    cs = [('impute', SimpleImputer(strategy='most_frequent')), ('onehot', OneHotEncoder(handle_unknown='ignore', sparse_output=False))]
    return ColumnTransformer([('num', Pipeline(ns), num), ('cat', Pipeline(cs), cat)])
D = ${JSON.stringify(sharedDataDir() + '/')}
hn = ['age', 'trestbps', 'chol', 'thalch', 'oldpeak', 'ca']; hc = ['sex', 'cp', 'fbs', 'restecg', 'exang', 'slope', 'thal']
sn = ['age', 'hypertension', 'heart_disease', 'avg_glucose_level', 'bmi']; sc = ['gender', 'ever_married', 'work_type', 'Residence_type', 'smoking_status']
# TRUE/FALSE read as text (Cairn keeps them categorical strings); pandas' default bool parsing only renames them True/False.
heart_s = pd.read_csv(D + 'heart_disease_uci.csv', dtype={'fbs': str, 'exang': str})
heart_d = pd.read_csv(D + 'heart_disease_uci.csv')
stroke = pd.read_csv(D + 'stroke.csv')
out = {}
for name, df, num, cat in [('heart', heart_s, hn, hc), ('heart_default', heart_d, hn, hc), ('stroke', stroke, sn, sc)]:
    for scale in [False, True]:
        ct = prep(num, cat, scale)
        X = ct.fit_transform(df)
        out[f'{name}_{scale}'] = {'X': X.tolist(), 'names': ct.get_feature_names_out().tolist()}
# fit on one part, transform another that holds unseen categories
ct = prep(hn, hc, True).fit(heart_s.iloc[:300])
out['heart_split'] = ct.transform(heart_s.iloc[300:]).tolist()
print(json.dumps(out))
`;

describe.skipIf(!sk)('ColumnTransformer parity with scikit-learn on the reference data (anchor protocol)', () => {
  const e = sk ? runPython<Record<string, any>>(PY_CT, null) : {};
  const compare = (X: { nRows: number; nCols: number; data: Float64Array }, expected: number[][]) => {
    expect(X.nRows).toBe(expected.length);
    expect(X.nCols).toBe(expected[0].length);
    let maxDiff = 0;
    expected.forEach((row, i) =>
      row.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(X.data[i * X.nCols + j] - v) / Math.max(1, Math.abs(v)));
      }),
    );
    expect(maxDiff).toBeLessThanOrEqual(1e-12);
  };
  for (const [name, text, load] of [
    ['heart', HEART, heartDataset],
    ['stroke', STROKE, strokeDataset],
  ] as const) {
    for (const scale of [false, true]) {
      it(`${name}, ${scale ? 'median + StandardScaler' : 'median'} / most_frequent + one-hot: same matrix, column order and names`, () => {
        const d = load(text);
        const ct = anchorPreprocessor(d.numeric, d.categorical, scale);
        const X = ct.fitTransform(d.X);
        const key = scale ? 'True' : 'False';
        expect(ct.featureNamesOut()).toEqual(e[`${name}_${key}`].names);
        compare(X, e[`${name}_${key}`].X);
        if (name === 'heart') compare(X, e[`heart_default_${key}`].X);
      });
    }
  }
  it('heart: fit on rows 0-299, transform rows 300+ (unseen categories → zeros)', () => {
    const d = heartDataset(HEART);
    const ct = anchorPreprocessor(d.numeric, d.categorical, true).fit(
      takeFrameRows(
        d.X,
        Array.from({ length: 300 }, (_, i) => i),
      ),
    );
    compare(
      ct.transform(
        takeFrameRows(
          d.X,
          Array.from({ length: 620 }, (_, i) => 300 + i),
        ),
      ),
      e.heart_split,
    );
  });
});

describe.skipIf(!data)('anchor protocol CV: LogisticRegression ROC-AUC vs RESULTS.md', () => {
  if (!data) return;
  const results = JSON.parse(readFileSync(sharedPath('anchors', 'ml/results.json'), 'utf8'));
  for (const [name, text, load, anchor, key] of [
    ['heart', HEART, heartDataset, 0.891, 'heart_disease_uci'],
    ['stroke', STROKE, strokeDataset, 0.837, 'stroke'],
  ] as const) {
    it(`${name}: 5-fold stratified (seed 42) mean ROC-AUC within 0.01 of ${anchor}`, () => {
      const d = load(text);
      const cv = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 });
      const aucs: number[] = [];
      for (const { train, test } of cv.split(d.y)) {
        const p = lrPipeline(d).fit(
          takeFrameRows(d.X, train),
          Float64Array.from(train, (i) => d.y[i]),
        );
        const P = p.predictProba(takeFrameRows(d.X, test));
        aucs.push(
          rocAucScore(
            Float64Array.from(test, (i) => d.y[i]),
            Float64Array.from({ length: test.length }, (_, k) => P.data[2 * k + 1]),
          ),
        );
      }
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      expect(Math.abs(mean - anchor)).toBeLessThanOrEqual(0.01);
      // The folds are scikit-learn's (same StratifiedKFold shuffle), so each fold's AUC matches too.
      const anchorFolds: number[] = results.baselines[key].models.LogisticRegression.roc_auc.folds;
      aucs.forEach((a, k) => expect(Math.abs(a - anchorFolds[k])).toBeLessThanOrEqual(1e-3));
    });
  }
});
