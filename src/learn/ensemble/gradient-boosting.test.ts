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
import { GradientBoostingClassifier } from './gradient-boosting.js';
import { binMatrix, computeCuts } from './hist-binning.js';
import { ensemblePool, MAX_WORKERS } from './ensemble-pool.js';
import { histHelperTaskCount } from './hist-helper.js';
import { sharedDataDir } from '../../../test/support/shared.js';

const DATA_DIR = sharedDataDir();
const sk = !lacks('sklearn', 'xgboost', 'shared-data');

function synthetic(seed: number, n: number, nClasses = 2, missing = 0) {
  const rng = new Rng(seed);
  const X = matrix(n, 5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++)
      X.data[i * 5 + j] = rng.random() < missing ? NaN : j < 3 ? rng.normal() : Math.floor(rng.random() * 4);
    const s = (X.data[i * 5] || 0) + 0.7 * (X.data[i * 5 + 1] || 0) + 0.4 * rng.normal();
    y[i] = nClasses === 2 ? (s > 0.3 ? 1 : 0) : s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
  }
  return { X, y };
}

function auc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let pos = 0,
    neg = 0,
    wins = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++) {
      if (y[i] === 1 && y[j] === 0) wins += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  for (let i = 0; i < y.length; i++)
    if (y[i] === 1) pos++;
    else neg++;
  return wins / (pos * neg);
}

describe('GradientBoostingClassifier', () => {
  it('bins like XGBoost: distinct values become bins, NaN gets its own bin', () => {
    const X = fromRows([[1], [2], [2], [NaN], [5]]);
    const cuts = computeCuts(X, 256);
    expect(Array.from(cuts.cuts)).toEqual([2, 5, Math.fround(5 + 5 + 1e-5)]);
    expect(Array.from(binMatrix(X, cuts))).toEqual([0, 1, 1, 3, 2]);
    const many = matrix(
      1000,
      1,
      Float64Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(computeCuts(many, 16).cuts.length).toBeLessThanOrEqual(15);
  });

  it('learns a binary problem, row and batch predictions agree bit for bit', () => {
    const { X, y } = synthetic(1, 800);
    const m = new GradientBoostingClassifier({ nEstimators: 30, seed: 1 }).fit(X, y);
    const P = m.predictProba(X);
    const out = new Float64Array(2);
    for (let i = 0; i < X.nRows; i++) {
      m.predictProbaRowInto(X.data, out, i * 5);
      expect(out[1]).toBe(P.data[2 * i + 1]);
    }
    expect(
      auc(
        y,
        P.data.filter((_, k) => k % 2 === 1),
      ),
    ).toBeGreaterThan(0.95);
    const imp = m.featureImportances_!;
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(imp[0] + imp[1]).toBeGreaterThan(0.6);
  });

  it('learns a default direction for missing values', () => {
    // y is 1 exactly when feature 0 is missing: only the default direction can express it
    const rng = new Rng(5);
    const X = matrix(400, 2);
    const y = new Float64Array(400);
    for (let i = 0; i < 400; i++) {
      const miss = rng.random() < 0.3;
      X.data[2 * i] = miss ? NaN : rng.normal();
      X.data[2 * i + 1] = rng.normal();
      y[i] = miss ? 1 : 0;
    }
    const m = new GradientBoostingClassifier({ nEstimators: 10 }).fit(X, y);
    expect(Array.from(m.predict(X))).toEqual(Array.from(y));
  });

  it('handles three classes with softmax', () => {
    const { X, y } = synthetic(2, 900, 3);
    const m = new GradientBoostingClassifier({ nEstimators: 20, maxDepth: 3 }).fit(X, y);
    expect(m.booster_!.nTrees).toBe(60);
    const P = m.predictProba(X);
    for (let i = 0; i < X.nRows; i++) expect(P.data[3 * i] + P.data[3 * i + 1] + P.data[3 * i + 2]).toBeCloseTo(1, 12);
    const acc = m.predict(X).reduce((s, v, i) => s + (v === y[i] ? 1 : 0), 0) / X.nRows;
    expect(acc).toBeGreaterThan(0.85);
  });

  it('early stopping keeps the best iteration', () => {
    const { X, y } = synthetic(3, 600, 2, 0.1);
    const { X: Xv, y: yv } = synthetic(4, 300, 2, 0.1);
    const m = new GradientBoostingClassifier({ nEstimators: 300, learningRate: 0.5, earlyStoppingRounds: 5 }).fit(
      X,
      y,
      { evalSet: { X: Xv, y: yv } },
    );
    const ev = m.evalsResult_!;
    expect(ev.length).toBeLessThan(300);
    expect(m.bestIteration_).toBe(ev.indexOf(Math.min(...ev)));
    expect(ev.length - 1 - m.bestIteration_!).toBe(5);
    expect(m.booster_!.nTrees).toBe(m.bestIteration_! + 1);
  });

  it('subsample, colsample and seed: same seed same JSON; JSON round-trip bit-identical', () => {
    const { X, y } = synthetic(6, 500, 2, 0.05);
    const p = { nEstimators: 25, subsample: 0.7, colsampleByTree: 0.6, seed: 9 };
    const a = new GradientBoostingClassifier(p).fit(X, y);
    const b = new GradientBoostingClassifier(p).fit(X, y);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    const c = new GradientBoostingClassifier({ ...p, seed: 10 }).fit(X, y);
    expect(JSON.stringify({ ...c.toJSON(), params: p })).not.toBe(JSON.stringify(a.toJSON()));
    const back = restoreComponent<GradientBoostingClassifier>(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back.predictProba(X).data).toEqual(a.predictProba(X).data);
  });

  it('large fits are bit-identical with and without the histogram helper thread', async () => {
    for (let t = 0; t < 400 && !ensemblePool.ready(1); t++) await new Promise((r) => setTimeout(r, 50));
    expect(ensemblePool.ready(1)).toBe(true);
    const { X, y } = synthetic(11, 30_000, 2, 0.05);
    const { X: X3, y: y3 } = synthetic(12, 24_000, 3, 0.05);
    const helperTasks0 = histHelperTaskCount();
    const sampleWeight = Float64Array.from(y, (_, i) => 0.5 + (i % 3));
    const cases = [
      { X, y, p: { nEstimators: 6, maxDepth: 7, seed: 3 } },
      { X, y, p: { nEstimators: 4, subsample: 0.8, colsampleByTree: 0.6, seed: 4 }, options: { sampleWeight } },
      { X: X3, y: y3, p: { nEstimators: 3, maxDepth: 5, subsample: 0.9, seed: 5 } },
    ];
    for (const { X: Xc, y: yc, p, options } of cases) {
      // maxWorkers 0: no helper can be had, every task runs on the fitting thread
      const json = (workers: number): string => {
        ensemblePool.maxWorkers = workers;
        try {
          return JSON.stringify(new GradientBoostingClassifier(p).fit(Xc, yc, options).toJSON());
        } finally {
          ensemblePool.maxWorkers = MAX_WORKERS;
        }
      };
      expect(json(MAX_WORKERS)).toBe(json(0));
    }
    expect(histHelperTaskCount()).toBeGreaterThan(helperTasks0);
  }, 60_000);

  it('validates params', () => {
    const X = fromRows([[0], [1]]);
    expect(() => new GradientBoostingClassifier({ maxBin: 300 }).fit(X, [0, 1])).toThrow(/maxBin/);
    expect(() => new GradientBoostingClassifier({ subsample: 0 }).fit(X, [0, 1])).toThrow(/subsample/);
    expect(() => new GradientBoostingClassifier({ learningRate: -1 }).fit(X, [0, 1])).toThrow(/learningRate/);
    expect(() => new GradientBoostingClassifier({ earlyStoppingRounds: 3 }).fit(X, [0, 1])).toThrow(/evalSet/);
    expect(() => new GradientBoostingClassifier({ baseScore: 1 }).fit(X, [0, 1])).toThrow(/baseScore/);
  });

  for (const dataset of ['heart', 'stroke'] as const) {
    it.skipIf(!sk)(
      `5-fold ROC-AUC on ${dataset} is within 0.01 of XGBoost's anchor`,
      () => {
        const folds = runPython<AnchorFoldJson[]>(ANCHOR_FOLDS_PY, { data_dir: DATA_DIR, dataset, model: 'xgb' }).map(
          toAnchorFold,
        );
        const preds = folds.map((f) => {
          const m = new GradientBoostingClassifier({ nEstimators: 100, maxDepth: 6, learningRate: 0.3, seed: 42 }).fit(
            f.Xtr,
            f.ytr,
          );
          return { y: Array.from(f.yte), p: Array.from(m.predictProba(f.Xte).data.filter((_, k) => k % 2 === 1)) };
        });
        const aucs = runPython<number[]>(ROC_AUC_PY, { folds: preds });
        const xgb = runPython<number[]>(ROC_AUC_PY, {
          folds: folds.map((f) => ({ y: Array.from(f.yte), p: f.sk!.proba })),
        });
        const mean = aucs.reduce((s, v) => s + v, 0) / aucs.length;
        const xgbMean = xgb.reduce((s, v) => s + v, 0) / xgb.length;
        console.log(
          `GBM ${dataset} ROC-AUC ${mean.toFixed(4)} (XGBoost here ${xgbMean.toFixed(4)}, anchor ${ANCHOR_AUC[dataset].xgb})`,
        );
        expect(Math.abs(mean - ANCHOR_AUC[dataset].xgb)).toBeLessThanOrEqual(0.01);
      },
      120_000,
    );
  }
});
