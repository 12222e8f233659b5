import { describe, expect, it } from 'vitest';
import { matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { restoreComponent } from '../core/serialization.js';
import { KNeighborsClassifier, type KNeighborsParams } from './k-neighbors.js';

const METRICS: { metric: KNeighborsParams['metric']; p?: number }[] = [
  { metric: 'euclidean' },
  { metric: 'manhattan' },
  { metric: 'chebyshev' },
  { metric: 'minkowski', p: 3 },
];

/** Rows like the anchor data: a few continuous columns (some rounded, so ties) and one-hot blocks. */
function mixedData(seed: number, n: number) {
  const rng = new Rng(seed);
  const blocks = [2, 3, 4];
  const d = 3 + blocks.reduce((a, b) => a + b, 0);
  const X = matrix(n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    X.data[o] = Math.round(rng.normal() * 4) / 4;
    X.data[o + 1] = rng.normal();
    X.data[o + 2] = rng.random() < 0.1 ? 3 : -0.3;
    let c = o + 3;
    for (const b of blocks) {
      X.data[c + Math.floor(rng.random() * b)] = 1;
      c += b;
    }
    y[i] = (X.data[o] > 0 ? 1 : 0) + (rng.random() < 0.3 ? 1 : 0);
  }
  return { X, y };
}

describe('brute-force scan grouped by low-cardinality columns', () => {
  it('finds exactly the kd-tree neighbours, distances and probabilities for every metric', () => {
    const { X, y } = mixedData(5, 900);
    const { X: Q } = mixedData(6, 150);
    for (const m of METRICS) {
      for (const k of [1, 7, 30]) {
        const brute = new KNeighborsClassifier({ nNeighbors: k, algorithm: 'brute', weights: 'distance', ...m }).fit(
          X,
          y,
        );
        const tree = new KNeighborsClassifier({ nNeighbors: k, algorithm: 'kd_tree', weights: 'distance', ...m }).fit(
          X,
          y,
        );
        const a = brute.kneighbors(Q),
          b = tree.kneighbors(Q);
        expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
        expect(a.distances.data).toEqual(b.distances.data);
        expect(brute.predictProba(Q).data).toEqual(tree.predictProba(Q).data);
        expect(Array.from(brute.kneighbors().indices)).toEqual(Array.from(tree.kneighbors().indices));
      }
    }
  });

  it('keeps the lower index among rows at the same distance (duplicated training rows)', () => {
    const { X, y } = mixedData(7, 200);
    const X2 = matrix(400, X.nCols);
    X2.data.set(X.data);
    X2.data.set(X.data, X.data.length); // row i and row i + 200 are identical
    const y2 = Float64Array.from([...y, ...y]);
    const m = new KNeighborsClassifier({ nNeighbors: 6, algorithm: 'brute' }).fit(X2, y2);
    const { indices } = m.kneighbors(X);
    for (let i = 0; i < 200; i++) {
      const row = Array.from(indices.subarray(i * 6, i * 6 + 6));
      for (let j = 0; j < 6; j += 2) expect(row[j + 1]).toBe(row[j] + 200);
    }
  });

  it('rebuilds the scan when loaded from JSON', () => {
    const { X, y } = mixedData(8, 500);
    const { X: Q } = mixedData(9, 100);
    const m = new KNeighborsClassifier({ nNeighbors: 5, algorithm: 'brute' }).fit(X, y);
    const back = restoreComponent<KNeighborsClassifier>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predictProba(Q).data).toEqual(m.predictProba(Q).data);
    expect(Array.from(back.kneighbors(Q).indices)).toEqual(Array.from(m.kneighbors(Q).indices));
  });
});
