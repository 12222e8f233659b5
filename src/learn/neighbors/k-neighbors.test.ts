import { describe, expect, it } from 'vitest';
import { fromRows, matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { restoreComponent } from '../core/serialization.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { KNeighborsClassifier, type KNeighborsParams } from './k-neighbors.js';

const sk = !lacks('sklearn');
const ALGOS = ['brute', 'kd_tree', 'ball_tree'] as const;
const METRICS: { metric: KNeighborsParams['metric']; p?: number }[] = [
  { metric: 'euclidean' },
  { metric: 'manhattan' },
  { metric: 'chebyshev' },
  { metric: 'minkowski', p: 3 },
  { metric: 'minkowski' },
];

function randomData(seed: number, n: number, d: number, nClasses: number, grid = 0) {
  const rng = new Rng(seed);
  const X = matrix(n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = grid ? Math.floor(rng.random() * grid) : rng.normal();
      X.data[i * d + j] = v;
      s += v * (j + 1);
    }
    y[i] = (Math.abs(Math.floor(s * 3)) + (rng.random() < 0.2 ? 1 : 0)) % nClasses;
  }
  return { X, y };
}

describe('KNeighborsClassifier', () => {
  it('finds the same neighbours with every algorithm, including ties (grid data)', () => {
    const { X, y } = randomData(3, 400, 3, 3, 4);
    const { X: Q } = randomData(4, 60, 3, 3, 4);
    for (const m of METRICS) {
      for (const weights of ['uniform', 'distance'] as const) {
        const ref = new KNeighborsClassifier({ nNeighbors: 7, algorithm: 'brute', weights, ...m }).fit(X, y);
        const refN = ref.kneighbors(Q);
        const refP = ref.predictProba(Q);
        for (const algorithm of ['kd_tree', 'ball_tree'] as const) {
          for (const leafSize of [1, 5, 40]) {
            const k = new KNeighborsClassifier({ nNeighbors: 7, algorithm, weights, leafSize, ...m }).fit(X, y);
            expect(Array.from(k.kneighbors(Q).indices)).toEqual(Array.from(refN.indices));
            expect(k.kneighbors(Q).distances.data).toEqual(refN.distances.data);
            expect(k.predictProba(Q).data).toEqual(refP.data);
          }
        }
      }
    }
  });

  it('ties are ordered by training index', () => {
    const X = fromRows([[1], [0], [1], [-1], [0]]);
    const m = new KNeighborsClassifier({ nNeighbors: 4, algorithm: 'kd_tree', leafSize: 1 }).fit(X, [0, 1, 0, 1, 1]);
    expect(Array.from(m.kneighbors(fromRows([[0]])).indices)).toEqual([1, 4, 0, 2]);
  });

  it('distance weights give all weight to exact matches', () => {
    const X = fromRows([[0], [0], [1], [2]]);
    const m = new KNeighborsClassifier({ nNeighbors: 3, weights: 'distance' }).fit(X, [1, 2, 3, 3]);
    expect(Array.from(m.predictProba(fromRows([[0]])).data)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(m.predict(fromRows([[0]])))).toEqual([1]);
  });

  it('validates params and input', () => {
    const X = fromRows([[0], [1]]);
    expect(() => new KNeighborsClassifier({ nNeighbors: 3 }).fit(X, [0, 1])).toThrow(/nNeighbors/);
    expect(() => new KNeighborsClassifier({ metric: 'cosine' as never, nNeighbors: 1 }).fit(X, [0, 1])).toThrow(
      /metric/,
    );
    expect(() => new KNeighborsClassifier({ metric: 'minkowski', p: 0.5, nNeighbors: 1 }).fit(X, [0, 1])).toThrow(
      /p must/,
    );
    expect(() => new KNeighborsClassifier({ algorithm: 'lsh' as never, nNeighbors: 1 }).fit(X, [0, 1])).toThrow(
      /algorithm/,
    );
    expect(() => new KNeighborsClassifier({ nNeighbors: 1 }).fit(fromRows([[NaN], [1]]), [0, 1])).toThrow(/impute/);
  });

  it('JSON round-trips to identical probabilities', () => {
    const { X, y } = randomData(9, 200, 4, 2);
    const m = new KNeighborsClassifier({
      nNeighbors: 6,
      weights: 'distance',
      algorithm: 'ball_tree',
      metric: 'manhattan',
    }).fit(X, y);
    const back = restoreComponent<KNeighborsClassifier>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predictProba(X).data).toEqual(m.predictProba(X).data);
    expect(m.clone().classes_).toBeUndefined();
  });

  it.skipIf(!sk)('matches scikit-learn kneighbors and predict_proba for every metric x algorithm x weights', () => {
    const { X, y } = randomData(11, 300, 4, 3);
    const { X: Q } = randomData(12, 80, 4, 3);
    const configs: Record<string, unknown>[] = [];
    for (const m of METRICS)
      for (const algorithm of ALGOS)
        for (const weights of ['uniform', 'distance']) configs.push({ ...m, algorithm, weights });
    const py = runPython<{ ind: number[][]; dist: number[][]; proba: number[][]; selfInd: number[][] }[]>(
      String.raw`
import json, sys, numpy as np
from sklearn.neighbors import KNeighborsClassifier
inp = json.load(sys.stdin)
X = np.array(inp["X"]).reshape(-1, 4); y = np.array(inp["y"]); Q = np.array(inp["Q"]).reshape(-1, 4)
out = []
for c in inp["configs"]:
    kw = {"metric": c["metric"], "algorithm": c["algorithm"], "weights": c["weights"], "n_neighbors": 7}
    if "p" in c: kw["p"] = c["p"]
    m = KNeighborsClassifier(**kw).fit(X, y)
    d, i = m.kneighbors(Q)
    out.append({"ind": i.tolist(), "dist": d.tolist(), "proba": m.predict_proba(Q).tolist(), "selfInd": m.kneighbors()[1].tolist()})
print(json.dumps(out))
`,
      { X: Array.from(X.data), y: Array.from(y), Q: Array.from(Q.data), configs },
    );
    configs.forEach((c, n) => {
      const m = new KNeighborsClassifier({ nNeighbors: 7, ...(c as KNeighborsParams) }).fit(X, y);
      const res = m.kneighbors(Q);
      expect(Array.from(res.indices), JSON.stringify(c)).toEqual(py[n].ind.flat());
      const dist = py[n].dist.flat();
      res.distances.data.forEach((v, k) => expect(v).toBeCloseTo(dist[k], 10));
      const proba = py[n].proba.flat();
      m.predictProba(Q).data.forEach((v, k) => expect(v).toBeCloseTo(proba[k], 12));
      expect(Array.from(m.kneighbors().indices)).toEqual(py[n].selfInd.flat());
    });
  });
});
