import { describe, expect, it } from 'vitest';
import { categoricalColumn, frame, numericColumn } from '../core/frame.js';
import { takeRows } from '../core/matrix.js';
import { accuracyScore } from '../metrics/classification.js';
import { rocAucScore } from '../metrics/ranking.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { crossValidate, scoreAll, takeLabels, takeSamples } from './cross-validate.js';
import type { Scorer } from './scoring.js';
import { resolveScorer } from './scoring.js';
import { StratifiedKFold } from './stratified-k-fold.js';
import { blobs, FrameNearestCentroid, NearestCentroid } from '../../../test/support/learn/nearest-centroid.js';

describe('crossValidate', () => {
  const { X, y } = blobs(200, 3, 1.2, 17);

  it('matches a hand-run fold loop: per-fold scores, mean and population std', () => {
    const cv = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 });
    const r = crossValidate(new NearestCentroid(), X, y, { cv, scoring: ['accuracy', 'roc_auc'] });
    const acc: number[] = [];
    const auc: number[] = [];
    for (const { train, test } of cv.split(y)) {
      const m = new NearestCentroid().fit(takeRows(X, train), takeLabels(y, train));
      const yt = takeLabels(y, test);
      acc.push(accuracyScore(yt, m.predict(takeRows(X, test))));
      const P = m.predictProba(takeRows(X, test));
      auc.push(
        rocAucScore(
          yt,
          Float64Array.from({ length: P.nRows }, (_, i) => P.data[i * 2 + 1]),
        ),
      );
    }
    expect(Array.from(r.testScores.accuracy)).toEqual(acc);
    expect(Array.from(r.testScores.roc_auc)).toEqual(auc);
    const mean = acc.reduce((a, b) => a + b) / 5;
    const std = Math.sqrt(acc.reduce((s, v) => s + (v - mean) ** 2, 0) / 5);
    expect(r.summary.accuracy.mean).toBeCloseTo(mean, 14);
    expect(r.summary.accuracy.std).toBeCloseTo(std, 14);
    expect(r.summary.accuracy.std).toBeGreaterThan(0);
    expect(r.fitTime.length).toBe(5);
    expect(r.fitTime.every((t) => t >= 0)).toBe(true);
  });

  it('clones per fold, leaving the given estimator unfitted', () => {
    const est = new NearestCentroid();
    const folds: number[] = [];
    const r = crossValidate(est, X, y, {
      cv: 4,
      scoring: 'accuracy',
      returnTrainScore: true,
      returnEstimator: true,
      onFold: (f) => folds.push(f.fold),
    });
    expect(est.fitCount).toBe(0);
    expect(folds).toEqual([0, 1, 2, 3]);
    expect(r.trainScores!.accuracy.length).toBe(4);
    expect(r.folds.every((f) => (f.estimator as NearestCentroid).fitCount === 1)).toBe(true);
    expect(r.folds.reduce((s, f) => s + f.testSize, 0)).toBe(200);
  });

  it('accepts metric functions and scorer objects', () => {
    const custom: Scorer = { name: 'errors', score: (p) => -p.labels().filter((v, i) => v !== p.yTrue[i]).length };
    function accuracy(yt: ArrayLike<number>, yp: Float64Array) {
      return accuracyScore(yt, yp);
    }
    const r = crossValidate(new NearestCentroid(), X, y, { cv: 5, scoring: [accuracy, custom] });
    r.folds.forEach((f) => expect(f.test.errors).toBeCloseTo(-(1 - f.test.accuracy) * f.testSize, 9));
  });

  it('takes Frames as well as Matrices', () => {
    const f = frame([
      numericColumn(
        'a',
        Array.from({ length: 200 }, (_, i) => X.data[i * 3]),
      ),
      categoricalColumn(
        'c',
        Array.from({ length: 200 }, (_, i) => (i % 2 ? 'x' : 'y')),
      ),
      numericColumn(
        'b',
        Array.from({ length: 200 }, (_, i) => X.data[i * 3 + 1]),
      ),
    ]);
    const sub = takeSamples(f, [3, 1]);
    expect(sub.nRows).toBe(2);
    const rf = crossValidate(new FrameNearestCentroid(), f, y, { cv: 5, scoring: 'accuracy' });
    const rm = crossValidate(new NearestCentroid({ features: [0, 1] }), X, y, { cv: 5, scoring: 'accuracy' });
    expect(Array.from(rf.testScores.accuracy)).toEqual(Array.from(rm.testScores.accuracy));
  });

  it('explains bad input', () => {
    expect(() => crossValidate(new NearestCentroid(), X, y.subarray(0, 10))).toThrow(/X has 200 rows but y has 10/);
    expect(() => resolveScorer('nope')).toThrow(/unknown scorer "nope"/);
    expect(() => crossValidate(new NearestCentroid(), X, y, { scoring: ['accuracy', 'accuracy'] })).toThrow(
      /appears twice/,
    );
  });
});

describe('named scorers', () => {
  it.skipIf(lacks('sklearn'))("agree with scikit-learn's get_scorer on the same predictions", () => {
    const { X, y } = blobs(120, 2, 0.8, 99);
    const m = new NearestCentroid({ temperature: 3 }).fit(X, y);
    const names = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'average_precision', 'neg_log_loss'];
    const ours = scoreAll(
      names.map((n) => resolveScorer(n)),
      m,
      X,
      y,
    );
    const P = m.predictProba(X);
    const expected = runPython<Record<string, number>>(
      `
import json, sys
import numpy as np
from sklearn import metrics
d = json.load(sys.stdin)
y = np.array(d["y"]); p = np.array(d["p"]).reshape(-1, 2); pred = np.array(d["pred"])
print(json.dumps({
  "accuracy": metrics.accuracy_score(y, pred), "precision": metrics.precision_score(y, pred, zero_division=0),
  "recall": metrics.recall_score(y, pred), "f1": metrics.f1_score(y, pred), "roc_auc": metrics.roc_auc_score(y, p[:, 1]),
  "average_precision": metrics.average_precision_score(y, p[:, 1]), "neg_log_loss": -metrics.log_loss(y, p, labels=[0, 1])}))
`,
      { y: Array.from(y), p: Array.from(P.data), pred: Array.from(m.predict(X)) },
    );
    for (const n of names) expect(ours[n]).toBeCloseTo(expected[n], 12);
  });
});
