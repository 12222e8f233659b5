import { describe, expect, it } from 'vitest';
import { f1Score, precisionScore, recallScore } from '../metrics/classification.js';
import { applyThreshold, tuneThreshold } from './threshold.js';

function scored(n: number, seed: number) {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const y = new Float64Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rand() < 0.2 ? 1 : 0;
    score[i] = Math.round((rand() * 0.7 + (y[i] ? 0.3 : 0)) * 1000) / 1000; // ties on purpose
  }
  return { y, score };
}

describe('tuneThreshold', () => {
  const { y, score } = scored(800, 9);

  it('hits a recall target with the highest such threshold', () => {
    const r = tuneThreshold(y, score, { target: { recall: 0.9 } });
    const pred = applyThreshold(score, r.threshold);
    expect(recallScore(y, pred)).toBeGreaterThanOrEqual(0.9);
    expect(r.recall).toBe(recallScore(y, pred));
    expect(r.precision).toBe(precisionScore(y, pred));
    expect(r.targetMet).toBe(true);
    // Any higher distinct score as threshold drops below the target.
    const higher = [...new Set(score)].filter((t) => t > r.threshold).sort((a, b) => a - b)[0];
    expect(recallScore(y, applyThreshold(score, higher))).toBeLessThan(0.9);
  });

  it('maximises F1 over all thresholds', () => {
    const r = tuneThreshold(y, score, { target: 'max_f1' });
    const pred = applyThreshold(score, r.threshold);
    expect(r.f1).toBeCloseTo(f1Score(y, pred), 12);
    for (const t of new Set(score)) expect(f1Score(y, applyThreshold(score, t))).toBeLessThanOrEqual(r.f1 + 1e-12);
    expect(r.tp + r.fp + r.tn + r.fn).toBe(800);
  });

  it('meets a precision target with the most recall', () => {
    const r = tuneThreshold(y, score, { target: { precision: 0.8 } });
    expect(precisionScore(y, applyThreshold(score, r.threshold))).toBeGreaterThanOrEqual(0.8);
    const lower = [...new Set(score)].filter((t) => t < r.threshold);
    for (const t of lower) {
      const p = precisionScore(y, applyThreshold(score, t));
      if (p >= 0.8) expect(recallScore(y, applyThreshold(score, t))).toBeLessThanOrEqual(r.recall);
    }
  });

  it('explains bad targets', () => {
    expect(() => tuneThreshold(y, score, { target: { recall: 1.2 } })).toThrow(/target recall must be in \(0, 1\]/);
    expect(() => tuneThreshold([0, 0], [0.1, 0.2], { target: 'max_f1' })).toThrow(/no positive/);
    expect(() => tuneThreshold(y, score, { target: 'best' as never })).toThrow(/target must be/);
  });
});
