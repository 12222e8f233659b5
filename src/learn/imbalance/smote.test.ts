import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { matrix } from '../core/matrix.js';
import { kNearestWithin, SMOTE } from './smote.js';

function data(seed: number) {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const n = 120,
    d = 3;
  const X = matrix(n, d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i < 20 ? 1 : 0;
    for (let j = 0; j < d; j++) X.data[i * d + j] = rand() * 10 + (y[i] ? 5 : 0);
  }
  return { X, y };
}

describe('SMOTE', () => {
  const { X, y } = data(3);

  it('balances the classes by default, keeping the original rows first', () => {
    const r = new SMOTE({ seed: 1 }).fitResample(X, y);
    expect(r.X.nRows).toBe(200);
    expect(r.y.filter((v) => v === 1).length).toBe(100);
    expect(r.y.filter((v) => v === 0).length).toBe(100);
    expect(Array.from(r.X.data.subarray(0, X.data.length))).toEqual(Array.from(X.data));
  });

  it('puts every synthetic sample on a segment between a minority sample and one of its k nearest minority neighbours', () => {
    const k = 5;
    const r = new SMOTE({ seed: 7, kNeighbors: k }).fitResample(X, y);
    const members = Array.from({ length: 20 }, (_, i) => i);
    const nn = kNearestWithin(X, members, k);
    for (let s = 0; s < 80; s++) {
      const row = 120 + s;
      const a = r.synthetic.base[s],
        b = r.synthetic.neighbor[s],
        t = r.synthetic.step[s];
      expect(y[a]).toBe(1);
      expect(y[b]).toBe(1);
      expect(a).not.toBe(b);
      expect(Array.from(nn.subarray(a * k, a * k + k))).toContain(b);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(1);
      for (let j = 0; j < 3; j++) {
        const expected = X.data[a * 3 + j] + t * (X.data[b * 3 + j] - X.data[a * 3 + j]);
        expect(r.X.data[row * 3 + j]).toBeCloseTo(expected, 12);
      }
      // Independent check: collinear with a and b, between them.
      const u = [0, 1, 2].map((j) => r.X.data[row * 3 + j] - X.data[a * 3 + j]);
      const v = [0, 1, 2].map((j) => X.data[b * 3 + j] - X.data[a * 3 + j]);
      const cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
      expect(Math.hypot(...cross)).toBeLessThan(1e-9);
    }
  });

  it('finds true nearest neighbours', () => {
    const P = matrix(4, 1, Float64Array.from([0, 1, 3, 10]));
    expect(Array.from(kNearestWithin(P, [0, 1, 2, 3], 2))).toEqual([1, 2, 0, 2, 1, 0, 2, 1]);
  });

  it('is deterministic for a seed', () => {
    const a = new SMOTE({ seed: 5 }).fitResample(X, y);
    const b = new SMOTE({ seed: 5 }).fitResample(X, y);
    const c = new SMOTE({ seed: 6 }).fitResample(X, y);
    expect(a.X.data).toEqual(b.X.data);
    expect(a.X.data).not.toEqual(c.X.data);
  });

  it('follows the sampling strategy', () => {
    expect(new SMOTE({ samplingStrategy: 0.5, seed: 1 }).fitResample(X, y).y.filter((v) => v === 1).length).toBe(50);
    expect(new SMOTE({ samplingStrategy: { 1: 30 }, seed: 1 }).fitResample(X, y).X.nRows).toBe(130);
    expect(() => new SMOTE({ samplingStrategy: 0.1 }).fitResample(X, y)).toThrow(/fewer than the 20 present/);
    expect(() => new SMOTE({ samplingStrategy: { 3: 30 } }).fitResample(X, y)).toThrow(/class 3, which is not in y/);
  });

  it('explains bad input', () => {
    expect(() => new SMOTE({ kNeighbors: 0 })).toThrow(/kNeighbors must be an integer >= 1/);
    expect(() => new SMOTE({ kNeighbors: 20 }).fitResample(X, y)).toThrow(
      /class 1 has 20 samples; kNeighbors=20 needs at least 21/,
    );
    const bad = matrix(2, 1, Float64Array.from([NaN, 1]));
    expect(() => new SMOTE().fitResample(bad, [0, 1])).toThrow(/impute missing values first/);
    expect(() => new SMOTE().fitResample(X, y.subarray(1))).toThrow(/X has 120 rows but y has 119/);
  });

  it.skipIf(lacks('imblearn'))("reproduces imbalanced-learn's SMOTE samples for a seed", () => {
    const r = new SMOTE({ seed: 42, kNeighbors: 5 }).fitResample(X, y);
    const expected = runPython<number[]>(
      `
import json, sys
import numpy as np
from imblearn.over_sampling import SMOTE
d = json.load(sys.stdin)
X = np.array(d["X"]).reshape(-1, 3); y = np.array(d["y"])
Xr, yr = SMOTE(k_neighbors=5, random_state=42).fit_resample(X, y)
print(json.dumps(Xr[len(X):].ravel().tolist()))
`,
      { X: Array.from(X.data), y: Array.from(y) },
    );
    const ours = Array.from(r.X.data.subarray(X.data.length));
    expect(ours.length).toBe(expected.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });
});
