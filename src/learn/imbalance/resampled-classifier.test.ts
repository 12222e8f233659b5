import { describe, expect, it } from 'vitest';
import { blobs, NearestCentroid } from '../../../test/support/learn/nearest-centroid.js';
import { crossValidate } from '../model-selection/cross-validate.js';
import { StratifiedKFold } from '../model-selection/stratified-k-fold.js';
import { ResampledClassifier } from './resampled-classifier.js';

describe('ResampledClassifier', () => {
  const { X, y } = blobs(300, 3, 1.2, 12, 0.1);

  it('fits the estimator on SMOTE-balanced data and predicts with it', () => {
    const inner = new NearestCentroid();
    const clf = new ResampledClassifier({ estimator: inner, smote: { seed: 3 } }).fit(X, y);
    const pos = y.filter((v) => v === 1).length;
    expect(clf.nSynthetic_).toBe(300 - 2 * pos);
    expect(inner.fitCount).toBe(1);
    expect(Array.from(clf.predict(X))).toEqual(Array.from(inner.predict(X)));
    expect(clf.toJSON().type).toBe('NearestCentroid');
  });

  it('resamples only training folds in cross-validation and clones per fold', () => {
    const clf = new ResampledClassifier({ estimator: new NearestCentroid(), smote: { seed: 1, kNeighbors: 3 } });
    const r = crossValidate(clf, X, y, {
      cv: new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 }),
      scoring: ['recall'],
      returnEstimator: true,
    });
    expect(r.folds.reduce((s, f) => s + f.testSize, 0)).toBe(300);
    for (const f of r.folds) expect((f.estimator as ResampledClassifier).nSynthetic_).toBeGreaterThan(0);
    expect(clf.nSynthetic_).toBeUndefined();
  });

  it('routes nested params and rejects unknown ones', () => {
    const clf = new ResampledClassifier({ estimator: new NearestCentroid() });
    clf.setParams({ estimator__temperature: 2, smote__kNeighbors: 4 });
    expect(clf.getParams().estimator__temperature).toBe(2);
    expect(clf.getParams().smote__kNeighbors).toBe(4);
    expect(() => clf.setParams({ smote__kNeighbors: 0 })).toThrow(/kNeighbors must be an integer >= 1/);
    expect(() => clf.setParams({ depth: 3 })).toThrow(
      "Invalid parameter 'depth' for estimator ResampledClassifier(). Valid parameters are: ['estimator', 'smote'].",
    );
  });
});
