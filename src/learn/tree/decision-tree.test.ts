import { describe, expect, it } from 'vitest';
import { fromRows, matrix } from '../core/matrix.js';
import { restoreComponent } from '../core/serialization.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { ANCHOR_FOLDS_PY, toAnchorFold, type AnchorFoldJson } from '../../../test/support/learn/anchor-folds.js';
import { DecisionTreeClassifier } from './decision-tree.js';
import { numpyRandint31 } from './sklearn-rng.js';
import { sharedDataDir } from '../../../test/support/shared.js';

const DATA_DIR = sharedDataDir();
const sk = !lacks('sklearn');
const anchors = sk && !lacks('shared-data');

describe('DecisionTreeClassifier', () => {
  it('fits a separable problem exactly and predicts classes_ labels', () => {
    const X = fromRows([
      [0, 1],
      [1, 1],
      [2, 0],
      [3, 0],
      [4, 1],
      [5, 0],
    ]);
    const y = [3, 3, 3, 7, 7, 7];
    const m = new DecisionTreeClassifier({ seed: 1 }).fit(X, y);
    expect(Array.from(m.classes_!)).toEqual([3, 7]);
    expect(Array.from(m.predict(X))).toEqual(y);
    expect(m.tree_!.nodeCount).toBe(3);
    expect(m.tree_!.feature[0]).toBe(0);
    expect(m.tree_!.threshold[0]).toBe(2.5);
    expect(Array.from(m.featureImportances_!)).toEqual([1, 0]);
  });

  it('respects maxDepth and minSamplesLeaf', () => {
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push([i, (i * 7) % 5]);
      y.push(i % 3 === 0 ? 1 : 0);
    }
    const X = fromRows(rows);
    const d1 = new DecisionTreeClassifier({ maxDepth: 1 }).fit(X, y);
    expect(d1.tree_!.nodeCount).toBeLessThanOrEqual(3);
    const leaf = new DecisionTreeClassifier({ minSamplesLeaf: 5 }).fit(X, y);
    const t = leaf.tree_!;
    for (let i = 0; i < t.nodeCount; i++) if (t.feature[i] < 0) expect(t.nNodeSamples[i]).toBeGreaterThanOrEqual(5);
  });

  it('routes NaN left without crashing', () => {
    const X = fromRows([[NaN], [1], [2], [3]]);
    const m = new DecisionTreeClassifier().fit(X, [0, 0, 1, 1]);
    expect(Array.from(m.predict(fromRows([[NaN], [1.2], [2.8]])))).toEqual([0, 0, 1]);
  });

  it('validates params naming the param', () => {
    const X = fromRows([[0], [1]]);
    expect(() => new DecisionTreeClassifier({ maxDepth: 0 }).fit(X, [0, 1])).toThrow(/maxDepth/);
    expect(() => new DecisionTreeClassifier({ maxFeatures: 'half' as never }).fit(X, [0, 1])).toThrow(/maxFeatures/);
    expect(() => new DecisionTreeClassifier({ minSamplesSplit: 1 }).fit(X, [0, 1])).toThrow(/minSamplesSplit/);
    expect(() => new DecisionTreeClassifier({ classWeight: { 5: 1 } }).fit(X, [0, 1])).toThrow(/classWeight/);
    expect(() => new DecisionTreeClassifier().predict(X)).toThrow(/not fitted/);
  });

  it('class weights and sample weights change the split like duplicated rows', () => {
    const X = fromRows([[0], [1], [2], [3], [4]]);
    const y = [0, 1, 0, 1, 1];
    const dup = new DecisionTreeClassifier().fit(fromRows([[0], [0], [1], [2], [2], [3], [4]]), [0, 0, 1, 0, 0, 1, 1]);
    const w = new DecisionTreeClassifier().fit(X, y, { sampleWeight: Float64Array.from([2, 1, 2, 1, 1]) });
    expect(Array.from(w.tree_!.threshold)).toEqual(Array.from(dup.tree_!.threshold));
    const bal = new DecisionTreeClassifier({ classWeight: 'balanced', maxDepth: 1 }).fit(X, y);
    expect(bal.tree_!.value[0]).toBeCloseTo(2.5); // 2 rows * 5 / (2 * 2)
  });

  it('grows the same tree with packed small-integer weights and with general float weights', () => {
    // weights 1 take the packed path (weight in the list key), 16 and 0.5 the general one; scaling
    // every weight by a power of two scales every proxy exactly, so the splits must not change
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 900; i++) {
      const a = Math.sin(i * 0.37) * 3,
        b = Math.cos(i * 1.3) + (i % 7) / 10,
        c = i % 3;
      rows.push([a, b, c, a * b]);
      y.push(a + b > 0.5 ? (c === 2 ? 2 : 1) : 0);
    }
    const X = fromRows(rows);
    for (const labels of [y, y.map((v) => (v > 0 ? 1 : 0))]) {
      // three classes, and the two-class gini fast path
      const grow = (w?: number) =>
        new DecisionTreeClassifier({ maxFeatures: 2, seed: 3 }).fit(
          X,
          labels,
          w === undefined ? {} : { sampleWeight: new Float64Array(X.nRows).fill(w) },
        ).tree_!;
      const base = grow();
      expect(base.nodeCount).toBeGreaterThan(15);
      for (const w of [16, 0.5]) {
        const t = grow(w);
        expect(Array.from(t.feature)).toEqual(Array.from(base.feature));
        expect(Array.from(t.threshold)).toEqual(Array.from(base.threshold));
        expect(Array.from(t.value)).toEqual(Array.from(base.value, (v) => v * w));
      }
    }
  });

  it('JSON round-trips to identical predictions and clone is unfitted', () => {
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = Math.sin(i) * 3,
        b = Math.cos(i * 1.3);
      rows.push([a, b, a * b]);
      y.push(a + b > 0.5 ? 1 : 0);
    }
    const X = fromRows(rows);
    const m = new DecisionTreeClassifier({ maxFeatures: 'sqrt', seed: 5 }).fit(X, y);
    const back = restoreComponent<DecisionTreeClassifier>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predictProba(X).data).toEqual(m.predictProba(X).data);
    expect(JSON.stringify(new DecisionTreeClassifier({ maxFeatures: 'sqrt', seed: 5 }).fit(X, y).toJSON())).toBe(
      JSON.stringify(m.toJSON()),
    );
    expect(m.clone().tree_).toBeUndefined();
    expect(m.clone().getParams()).toEqual(m.getParams());
  });

  it.skipIf(!sk)('reproduces numpy RandomState(seed).randint(0, 2**31-1)', () => {
    const seeds = [0, 1, 42, 2024, 4294967295];
    const py = runPython<number[]>(
      'import json,sys,numpy as np\nprint(json.dumps([int(np.random.RandomState(s).randint(0, 2**31-1)) for s in json.load(sys.stdin)]))',
      seeds,
    );
    expect(seeds.map(numpyRandint31)).toEqual(py);
  });

  it.skipIf(!anchors).each(['heart', 'stroke'])(
    'grows the same trees as scikit-learn on the %s anchor folds (gini, seed 42)',
    (dataset) => {
      const folds = runPython<AnchorFoldJson[]>(ANCHOR_FOLDS_PY, { data_dir: DATA_DIR, dataset, model: 'dt' }).map(
        toAnchorFold,
      );
      for (const f of folds) {
        const m = new DecisionTreeClassifier({ seed: 42 }).fit(f.Xtr, f.ytr);
        expect(m.tree_!.nodeCount).toBe(f.sk!.nodeCount);
        expect(Array.from(m.predict(f.Xte))).toEqual(f.sk!.pred);
        expect(Array.from(m.predictProba(f.Xte).data.filter((_, k) => k % 2 === 1))).toEqual(f.sk!.proba);
        const feat = Array.from(m.tree_!.feature).map((v) => (v < 0 ? -2 : v));
        expect(feat).toEqual(f.sk!.feature);
        expect(Array.from(m.tree_!.threshold)).toEqual(f.sk!.threshold);
      }
    },
  );

  it.skipIf(!anchors)('matches scikit-learn with entropy, minSamplesLeaf 2, seed 7', () => {
    const folds = runPython<AnchorFoldJson[]>(ANCHOR_FOLDS_PY, {
      data_dir: DATA_DIR,
      dataset: 'heart',
      model: 'dt_entropy',
    }).map(toAnchorFold);
    for (const f of folds) {
      const m = new DecisionTreeClassifier({ criterion: 'entropy', minSamplesLeaf: 2, seed: 7 }).fit(f.Xtr, f.ytr);
      expect(Array.from(m.predict(f.Xte))).toEqual(f.sk!.pred);
      expect(m.tree_!.nodeCount).toBe(f.sk!.nodeCount);
    }
  });

  it('handles a single class', () => {
    const m = new DecisionTreeClassifier().fit(matrix(3, 1, Float64Array.from([1, 2, 3])), [4, 4, 4]);
    expect(Array.from(m.predict(fromRows([[0]])))).toEqual([4]);
    expect(m.predictProba(fromRows([[0]])).data[0]).toBe(1);
  });
});
