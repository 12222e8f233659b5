import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../core/matrix.js';
import { Rng } from '../core/random.js';
import { boostLayout, predictBoostProba, predictBoostRows } from './boost-predict.js';
import { ensemblePool } from './ensemble-pool.js';
import { GradientBoostingClassifier } from './gradient-boosting.js';

function synthetic(seed: number, n: number, nClasses: number, missing: number) {
  const rng = new Rng(seed);
  const X = matrix(n, 5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++)
      X.data[i * 5 + j] = rng.random() < missing ? NaN : j < 3 ? rng.normal() : Math.floor(rng.random() * 4);
    const s =
      (X.data[i * 5] || 0) +
      0.7 * (X.data[i * 5 + 1] || 0) +
      (Number.isNaN(X.data[i * 5 + 2]) ? 0.8 : 0) +
      0.4 * rng.normal();
    y[i] = nClasses === 2 ? (s > 0.3 ? 1 : 0) : s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
  }
  return { X, y };
}

/** Every row through the model's single-row path (which walks the packed trees directly). */
function rowByRow(
  m: { predictProbaRowInto(row: ArrayLike<number>, out: Float64Array, offset?: number): unknown },
  X: Matrix,
  nc: number,
): Float64Array {
  const all = new Float64Array(X.nRows * nc),
    out = new Float64Array(nc);
  for (let i = 0; i < X.nRows; i++) {
    m.predictProbaRowInto(X.data, out, i * X.nCols);
    all.set(out, i * nc);
  }
  return all;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The layout path whatever the batch size. */
function viaLayout(m: GradientBoostingClassifier, X: Matrix, nc: number): Float64Array {
  const x32 = Float32Array.from(X.data);
  const out = new Float64Array(X.nRows * nc);
  predictBoostRows(boostLayout(m.booster_!, nc), x32, X.nCols, out, 0, X.nRows);
  return out;
}

async function workersReady(count: number): Promise<boolean> {
  for (let tries = 0; tries < 400; tries++) {
    if (ensemblePool.ready(count)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('batch prediction layouts', () => {
  it('gradient boosting: in-thread, worker-thread and single-row predictions are bit-identical (binary, missing values)', async () => {
    const { X, y } = synthetic(1, 600, 2, 0.1);
    const m = new GradientBoostingClassifier({ nEstimators: 30, seed: 1 }).fit(X, y);
    const big = synthetic(2, 80_003, 2, 0.1).X; // rows x trees large enough for two worker jobs
    const expected = rowByRow(m, big, 2);
    expect(sameBits(predictBoostProba(m.booster_!, 2, big, 1).data, expected)).toBe(true);
    expect(await workersReady(2)).toBe(true);
    expect(sameBits(predictBoostProba(m.booster_!, 2, big, 2).data, expected)).toBe(true);
    expect(sameBits(m.predictProba(big).data, expected)).toBe(true);
  });

  it('gradient boosting: three classes (softmax) agree on every path', async () => {
    const { X, y } = synthetic(3, 600, 3, 0.05);
    const m = new GradientBoostingClassifier({ nEstimators: 12, maxDepth: 4, seed: 3 }).fit(X, y);
    const big = synthetic(4, 70_005, 3, 0.05).X;
    const expected = rowByRow(m, big, 3);
    expect(sameBits(predictBoostProba(m.booster_!, 3, big, 1).data, expected)).toBe(true);
    expect(await workersReady(2)).toBe(true);
    expect(sameBits(predictBoostProba(m.booster_!, 3, big, 2).data, expected)).toBe(true);
  });

  it('gradient boosting: trees too deep to pad keep the node form and agree too', () => {
    const { X, y } = synthetic(5, 3001, 2, 0.1);
    const m = new GradientBoostingClassifier({ nEstimators: 5, maxDepth: 12, minChildWeight: 0, seed: 5 }).fit(X, y);
    expect(boostLayout(m.booster_!, 2).complete).toBe(false);
    expect(sameBits(viaLayout(m, X, 2), rowByRow(m, X, 2))).toBe(true);
    const shallow = new GradientBoostingClassifier({ nEstimators: 5, maxDepth: 3, seed: 5 }).fit(X, y);
    expect(boostLayout(shallow.booster_!, 2).complete).toBe(true);
    expect(sameBits(viaLayout(shallow, X, 2), rowByRow(shallow, X, 2))).toBe(true);
  });

  it('gradient boosting: small batches (packed trees, no layout) agree with the single-row path', () => {
    const { X, y } = synthetic(8, 600, 3, 0.1);
    const m = new GradientBoostingClassifier({ nEstimators: 9, maxDepth: 3, seed: 8 }).fit(X, y);
    const test = synthetic(9, 3005, 3, 0.1).X;
    expect(sameBits(m.predictProba(test).data, rowByRow(m, test, 3))).toBe(true);
    expect(sameBits(viaLayout(m, test, 3), rowByRow(m, test, 3))).toBe(true);
  });
});
