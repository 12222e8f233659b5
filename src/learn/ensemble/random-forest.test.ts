import { describe, expect, it } from 'vitest';
import { fromRows, matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { restoreComponent } from '../core/serialization.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import {
  ANCHOR_AUC,
  ANCHOR_FOLDS_PY,
  ROC_AUC_PY,
  toAnchorFold,
  type AnchorFoldJson,
} from '../../../test/support/learn/anchor-folds.js';
import { DecisionTreeClassifier } from '../tree/decision-tree.js';
import { RandomForestClassifier } from './random-forest.js';
import { sharedDataDir } from '../../../test/support/shared.js';

const DATA_DIR = sharedDataDir();
const sk = !lacks('sklearn', 'shared-data');

function synthetic(seed: number, n: number) {
  const rng = new Rng(seed);
  const X = matrix(n, 6);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 6; j++) X.data[i * 6 + j] = j < 3 ? rng.normal() : Math.floor(rng.random() * 3);
    y[i] = X.data[i * 6] + 0.5 * X.data[i * 6 + 3] + 0.3 * rng.normal() > 0.6 ? 1 : 0;
  }
  return { X, y };
}

describe('RandomForestClassifier', () => {
  const { X, y } = synthetic(1, 600);

  it('gives byte-identical models for nJobs 1 and 2 (trees built on worker threads)', () => {
    const a = new RandomForestClassifier({ nEstimators: 24, seed: 7, nJobs: 1 }).fit(X, y);
    const b = new RandomForestClassifier({ nEstimators: 24, seed: 7, nJobs: 2 }).fit(X, y);
    const c = new RandomForestClassifier({ nEstimators: 24, seed: 7, nJobs: 3 }).fit(X, y);
    const ja = JSON.stringify(a.toJSON());
    expect(JSON.stringify({ ...b.toJSON(), params: a.params })).toBe(ja);
    expect(JSON.stringify({ ...c.toJSON(), params: a.params })).toBe(ja);
    const d = new RandomForestClassifier({ nEstimators: 24, seed: 8, nJobs: 1 }).fit(X, y);
    expect(JSON.stringify({ ...d.toJSON(), params: a.params })).not.toBe(ja);
  });

  it('same seed gives byte-identical JSON; JSON round-trip gives bit-identical probabilities', () => {
    const a = new RandomForestClassifier({ nEstimators: 30, seed: 3 }).fit(X, y);
    const b = new RandomForestClassifier({ nEstimators: 30, seed: 3 }).fit(X, y);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    const back = restoreComponent<RandomForestClassifier>(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back.predictProba(X).data).toEqual(a.predictProba(X).data);
    expect(back.featureImportances_).toEqual(a.featureImportances_);
  });

  it('large batches predicted on worker threads equal the in-thread path bit for bit', () => {
    const m = new RandomForestClassifier({ nEstimators: 10, seed: 2, nJobs: 2 }).fit(X, y);
    const big = synthetic(9, 420_000); // rows x trees above the threshold for worker prediction
    const onWorkers = m.predictProba(big.X).data;
    const inThread = m.setParams({ nJobs: 1 }).predictProba(big.X).data;
    expect(onWorkers.length).toBe(inThread.length);
    let same = true;
    for (let i = 0; i < inThread.length; i++)
      if (onWorkers[i] !== inThread[i]) {
        same = false;
        break;
      }
    expect(same).toBe(true);
  });

  it('predictProbaRowInto equals the batch path bit for bit and learns the signal', () => {
    const m = new RandomForestClassifier({ nEstimators: 40, seed: 1, nJobs: 1 }).fit(X, y);
    const batch = m.predictProba(X);
    const out = new Float64Array(2);
    let correct = 0;
    for (let i = 0; i < X.nRows; i++) {
      m.predictProbaRowInto(X.data, out, i * X.nCols);
      expect(out[0]).toBe(batch.data[2 * i]);
      expect(out[1]).toBe(batch.data[2 * i + 1]);
      if ((out[1] > 0.5 ? 1 : 0) === y[i]) correct++;
    }
    expect(correct / X.nRows).toBeGreaterThan(0.95);
    const imp = m.featureImportances_!;
    expect(imp[0]).toBe(Math.max(...imp));
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('without bootstrap and with all features each tree is DecisionTreeClassifier with its tree seed', () => {
    const m = new RandomForestClassifier({
      nEstimators: 3,
      bootstrap: false,
      maxFeatures: null,
      seed: 5,
      nJobs: 2,
    }).fit(X, y);
    expect(Array.from(m.predict(X))).toEqual(Array.from(y));
    const rng = new Rng(5);
    const trees = [0, 1, 2].map(() => new DecisionTreeClassifier({ seed: rng.nextUint32() }).fit(X, y));
    const { X: Xt } = synthetic(2, 300);
    const out = new Float64Array(2),
      buf = new Float64Array(2);
    let disagreements = 0;
    for (let i = 0; i < Xt.nRows; i++) {
      m.predictProbaRowInto(Xt.data, out, i * Xt.nCols);
      let p1 = 0;
      for (const t of trees) p1 += t.predictProbaRowInto(Xt.data, buf, i * Xt.nCols)[1];
      expect(out[1]).toBe(p1 / 3);
      if (out[1] > 0 && out[1] < 1) disagreements++;
    }
    expect(disagreements).toBeGreaterThan(0); // the trees differ (feature order), so the check has teeth
  });

  it('validates params', () => {
    const X2 = fromRows([[0], [1]]);
    expect(() => new RandomForestClassifier({ nEstimators: 0 }).fit(X2, [0, 1])).toThrow(/nEstimators/);
    expect(() => new RandomForestClassifier({ nJobs: 0 }).fit(X2, [0, 1])).toThrow(/nJobs/);
    expect(() => new RandomForestClassifier({ maxFeatures: 5 }).fit(X2, [0, 1])).toThrow(/maxFeatures/);
    expect(() => new RandomForestClassifier().predict(X2)).toThrow(/not fitted/);
  });

  for (const dataset of ['heart', 'stroke'] as const) {
    it.skipIf(!sk)(
      `5-fold ROC-AUC on ${dataset} is within 0.01 of scikit-learn's anchor`,
      () => {
        const folds = runPython<AnchorFoldJson[]>(ANCHOR_FOLDS_PY, { data_dir: DATA_DIR, dataset, model: null }).map(
          toAnchorFold,
        );
        const preds = folds.map((f) => {
          const m = new RandomForestClassifier({ nEstimators: 100, seed: 42 }).fit(f.Xtr, f.ytr);
          const p = m.predictProba(f.Xte);
          return { y: Array.from(f.yte), p: Array.from(p.data.filter((_, k) => k % 2 === 1)) };
        });
        const aucs = runPython<number[]>(ROC_AUC_PY, { folds: preds });
        const mean = aucs.reduce((s, v) => s + v, 0) / aucs.length;
        console.log(`RF ${dataset} ROC-AUC ${mean.toFixed(4)} (anchor ${ANCHOR_AUC[dataset].rf})`);
        expect(Math.abs(mean - ANCHOR_AUC[dataset].rf)).toBeLessThanOrEqual(0.01);
      },
      120_000,
    );
  }
});
