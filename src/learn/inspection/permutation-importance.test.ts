import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import type { Classifier, SerializedComponent } from '../core/estimator.js';
import { categoricalColumn, frame, numericColumn, type Frame } from '../core/frame.js';
import { matrix, type Matrix } from '../core/matrix.js';
import { permutationImportance } from './permutation-importance.js';

/** A fixed (already "fitted") logistic scorer, replicable in Python. */
class FixedLogistic implements Classifier<Matrix> {
  readonly classes_ = Float64Array.from([0, 1]);
  constructor(
    readonly w: number[],
    readonly b: number,
  ) {}
  fit(): this {
    return this;
  }
  predictProba(X: Matrix): Matrix {
    const out = matrix(X.nRows, 2);
    for (let i = 0; i < X.nRows; i++) {
      let z = this.b;
      for (let j = 0; j < X.nCols; j++) z += this.w[j] * X.data[i * X.nCols + j];
      const p = 1 / (1 + Math.exp(-z));
      out.data[i * 2] = 1 - p;
      out.data[i * 2 + 1] = p;
    }
    return out;
  }
  predict(X: Matrix): Float64Array {
    const P = this.predictProba(X);
    return Float64Array.from({ length: X.nRows }, (_, i) => (P.data[i * 2 + 1] > 0.5 ? 1 : 0));
  }
  clone(): this {
    return this;
  }
  getParams() {
    return {};
  }
  setParams(): this {
    return this;
  }
  toJSON(): SerializedComponent {
    return { type: 'FixedLogistic', version: 1, params: {}, state: null };
  }
}

function data(n: number, seed: number) {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const X = matrix(n, 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) X.data[i * 3 + j] = rand() * 2 - 1;
    y[i] = 2 * X.data[i * 3] + 0.5 * X.data[i * 3 + 1] + 0.3 * (rand() - 0.5) > 0 ? 1 : 0;
  }
  return { X, y };
}

const SKLEARN = `
import json, sys
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.inspection import permutation_importance
d = json.load(sys.stdin)
class Fixed(ClassifierMixin, BaseEstimator):
    def __init__(self, w=None, b=0.0): self.w = w; self.b = b
    def fit(self, X, y): return self
    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-(np.asarray(X) @ np.array(self.w) + self.b)))
        return np.column_stack([1 - p, p])
    def predict(self, X): return (self.predict_proba(X)[:, 1] > 0.5).astype(int)
m = Fixed(d["w"], d["b"]); m.classes_ = np.array([0, 1])
X = np.array(d["X"]).reshape(-1, 3); y = np.array(d["y"])
r = permutation_importance(m, X, y, scoring=["roc_auc", "accuracy"], n_repeats=d["n"], random_state=d["seed"])
print(json.dumps({k: {"mean": v.importances_mean.tolist(), "std": v.importances_std.tolist(), "all": v.importances.ravel().tolist()} for k, v in r.items()}))
`;

describe('permutationImportance', () => {
  const { X, y } = data(300, 4);
  const model = new FixedLogistic([2, 0.5, 0], 0);

  it('ranks the informative feature first and gives the unused feature zero importance', () => {
    const r = permutationImportance(model, X, y, { scoring: 'roc_auc', nRepeats: 8, seed: 1 });
    const m = r.byScorer.roc_auc.importancesMean;
    expect(m[0]).toBeGreaterThan(m[1]);
    expect(m[1]).toBeGreaterThan(0);
    expect(m[2]).toBe(0);
    expect(r.byScorer.roc_auc.importances.nCols).toBe(8);
    expect(r.features).toEqual(['x0', 'x1', 'x2']);
  });

  it.skipIf(lacks('sklearn'))("equals scikit-learn's permutation_importance for the same model, data and seed", () => {
    const expected = runPython<Record<string, { mean: number[]; std: number[]; all: number[] }>>(SKLEARN, {
      w: model.w,
      b: model.b,
      X: Array.from(X.data),
      y: Array.from(y),
      n: 4,
      seed: 42,
    });
    const ours = permutationImportance(model, X, y, { scoring: ['roc_auc', 'accuracy'], nRepeats: 4, seed: 42 });
    for (const name of ['roc_auc', 'accuracy']) {
      Array.from(ours.byScorer[name].importances.data).forEach((v, i) =>
        expect(v).toBeCloseTo(expected[name].all[i], 12),
      );
      Array.from(ours.byScorer[name].importancesStd).forEach((v, i) =>
        expect(v).toBeCloseTo(expected[name].std[i], 12),
      );
    }
  });

  it('permutes Frame columns (numeric and categorical) by name', () => {
    class FrameModel implements Classifier<Frame> {
      readonly classes_ = Float64Array.from([0, 1]);
      fit(): this {
        return this;
      }
      predictProba(f: Frame): Matrix {
        const a = f.columns[0],
          c = f.columns[1];
        const m = matrix(f.nRows, 2);
        for (let i = 0; i < f.nRows; i++) {
          const z = (a.kind === 'numeric' ? a.values[i] : 0) + (c.kind === 'categorical' && c.codes[i] === 1 ? 0.2 : 0);
          const p = 1 / (1 + Math.exp(-4 * z));
          m.data[2 * i] = 1 - p;
          m.data[2 * i + 1] = p;
        }
        return m;
      }
      predict(f: Frame) {
        const P = this.predictProba(f);
        return Float64Array.from({ length: f.nRows }, (_, i) => (P.data[2 * i + 1] > 0.5 ? 1 : 0));
      }
      clone(): this {
        return this;
      }
      getParams() {
        return {};
      }
      setParams(): this {
        return this;
      }
      toJSON(): SerializedComponent {
        return { type: 'FrameModel', version: 1, params: {}, state: null };
      }
    }
    const f = frame([
      numericColumn(
        'a',
        Array.from({ length: 300 }, (_, i) => X.data[i * 3]),
      ),
      categoricalColumn(
        'c',
        Array.from({ length: 300 }, (_, i) => (y[i] ? 'yes' : 'no')),
      ),
      numericColumn(
        'noise',
        Array.from({ length: 300 }, (_, i) => X.data[i * 3 + 2]),
      ),
    ]);
    const r = permutationImportance(new FrameModel(), f, y, { scoring: 'roc_auc', nRepeats: 3, seed: 0 });
    expect(r.features).toEqual(['a', 'c', 'noise']);
    const m = r.byScorer.roc_auc.importancesMean;
    expect(m[0]).toBeGreaterThan(0.1);
    expect(m[1]).toBeGreaterThan(0);
    expect(m[2]).toBe(0);
  });

  it('explains bad input', () => {
    expect(() => permutationImportance(model, X, y, { nRepeats: 0 })).toThrow(/nRepeats must be an integer >= 1/);
    expect(() => permutationImportance(model, X, y.subarray(1))).toThrow(/X has 300 rows but y has 299/);
  });
});
