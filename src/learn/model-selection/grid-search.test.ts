import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { Rng } from '../core/random.js';
import { crossValidate } from './cross-validate.js';
import { GridSearch } from './grid-search.js';
import type { ParamGrid } from './param-grid.js';
import { expandGrid, logUniform, randInt, sampleParams, uniform } from './param-grid.js';
import { RandomSearch } from './random-search.js';
import { rankDescending } from './search-cv.js';
import { StratifiedKFold } from './stratified-k-fold.js';
import { blobs, NearestCentroid } from '../../../test/support/learn/nearest-centroid.js';

describe('expandGrid', () => {
  it.skipIf(lacks('sklearn'))('enumerates in scikit-learn ParameterGrid order', () => {
    const grid: ParamGrid[] = [{ b: [1, 2], a: ['x', 'y', 'z'], c: [true] }, { d: [0.5, 1.5] }];
    const expected = runPython<Record<string, unknown>[]>(
      'import json,sys\nfrom sklearn.model_selection import ParameterGrid\nprint(json.dumps(list(ParameterGrid(json.load(sys.stdin)))))',
      grid,
    );
    expect(expandGrid(grid)).toEqual(expected);
  });
  it('rejects empty value lists', () => {
    expect(() => expandGrid({ a: [] })).toThrow(/"a" must be a non-empty array/);
  });
});

describe('GridSearch', () => {
  const { X, y } = blobs(240, 3, 1.5, 5);
  const cv = new StratifiedKFold({ nSplits: 4, shuffle: true, seed: 42 });
  const grid = { features: [[1], [2], [0], [1, 2], [0, 1, 2]], temperature: [0.5, 2] };

  it('picks the candidate with the best mean CV score, ranks and refits it', () => {
    const gs = new GridSearch(new NearestCentroid(), grid, { cv, scoring: ['roc_auc', 'accuracy'] }).fit(X, y);
    const candidates = expandGrid(grid);
    const manual = candidates.map(
      (p) => crossValidate(new NearestCentroid().setParams(p), X, y, { cv, scoring: 'roc_auc' }).summary.roc_auc.mean,
    );
    const best = manual.indexOf(Math.max(...manual));
    expect(gs.result_!.bestIndex).toBe(best);
    expect(gs.bestScore).toBe(manual[best]);
    expect(gs.bestParams.features).toContain(0); // only feature 0 carries signal
    expect(Array.from(gs.cvResults.meanTestScore.roc_auc)).toEqual(manual);
    expect(gs.cvResults.rankTestScore.roc_auc[best]).toBe(1);
    expect(gs.cvResults.splitTestScores.roc_auc.length).toBe(4);
    const be = gs.bestEstimator as NearestCentroid;
    expect(be.fitCount).toBe(1);
    expect(be.params).toEqual({ ...gs.bestParams });
    expect(gs.predict(X).length).toBe(240);
  });

  it('refits on a chosen metric, or not at all', () => {
    const gs = new GridSearch(new NearestCentroid(), grid, {
      cv,
      scoring: ['roc_auc', 'accuracy'],
      refit: 'accuracy',
    }).fit(X, y);
    const acc = gs.cvResults.meanTestScore.accuracy;
    expect(gs.bestScore).toBe(Math.max(...acc));
    const noRefit = new GridSearch(new NearestCentroid(), grid, { cv, refit: false }).fit(X, y);
    expect(() => noRefit.bestEstimator).toThrow(/refit was false/);
    expect(() => new GridSearch(new NearestCentroid(), grid, { refit: 'f1' }).fit(X, y)).toThrow(
      /refit "f1" is not one of the scorers/,
    );
  });

  it('ranks ties with the minimum rank', () => {
    expect(Array.from(rankDescending(Float64Array.from([0.5, 0.9, 0.5, NaN, 0.9])))).toEqual([3, 1, 3, 5, 1]);
  });
});

describe('RandomSearch', () => {
  const { X, y } = blobs(160, 3, 1.5, 8);

  it('samples lists without replacement from the grid when every entry is a list', () => {
    const c = sampleParams({ a: [1, 2, 3], b: ['x', 'y'] }, 6, new Rng(1));
    expect(new Set(c.map((p) => JSON.stringify(p))).size).toBe(6);
    expect(sampleParams({ a: [1, 2] }, 10, new Rng(1)).length).toBe(2);
  });

  it('draws from distributions within their bounds, deterministically for a seed', () => {
    const d = { t: uniform(0.1, 3), l: logUniform(1e-3, 10), k: randInt(1, 4), f: [[0], [1]] };
    const a = sampleParams(d, 50, new Rng(3));
    expect(sampleParams(d, 50, new Rng(3))).toEqual(a);
    for (const p of a) {
      expect(p.t as number).toBeGreaterThanOrEqual(0.1);
      expect(p.t as number).toBeLessThan(3);
      expect(p.l as number).toBeGreaterThanOrEqual(1e-3);
      expect(p.l as number).toBeLessThan(10);
      expect([1, 2, 3]).toContain(p.k);
    }
    expect(() => uniform(2, 1)).toThrow(/high \(1\) must exceed low \(2\)/);
  });

  it('evaluates nIter candidates and picks the best', () => {
    const rs = new RandomSearch(
      new NearestCentroid(),
      { temperature: uniform(0.1, 3), features: [[0], [1], [2]] },
      { nIter: 6, seed: 2, cv: 3, scoring: 'roc_auc' },
    ).fit(X, y);
    expect(rs.cvResults.params.length).toBe(6);
    expect(rs.cvResults.params).toEqual(rs.candidates());
    expect(rs.bestScore).toBe(Math.max(...rs.cvResults.meanTestScore.roc_auc));
  });
});
