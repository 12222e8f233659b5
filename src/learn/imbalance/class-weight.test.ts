import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { computeClassWeight, computeSampleWeight } from './class-weight.js';

describe('computeClassWeight', () => {
  const y = [0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 2, 0];

  it('balanced: n_samples / (n_classes * count)', () => {
    const { classes, weights } = computeClassWeight('balanced', y);
    expect(Array.from(classes)).toEqual([0, 1, 2]);
    expect(Array.from(weights)).toEqual([12 / (3 * 8), 12 / (3 * 2), 12 / (3 * 2)]);
    expect(Array.from(computeSampleWeight('balanced', [1, 0, 0, 0]))).toEqual([2, 4 / 6, 4 / 6, 4 / 6]);
  });

  it.skipIf(lacks('sklearn'))('equals scikit-learn on the stroke class balance', () => {
    const yy = Array.from({ length: 5110 }, (_, i) => (i < 249 ? 1 : 0));
    const expected = runPython<number[]>(
      'import json,sys\nimport numpy as np\nfrom sklearn.utils.class_weight import compute_class_weight\ny=np.array(json.load(sys.stdin))\nprint(json.dumps(compute_class_weight("balanced", classes=np.unique(y), y=y).tolist()))',
      yy,
    );
    const ours = Array.from(computeClassWeight('balanced', yy).weights);
    ours.forEach((w, k) => expect(w).toBeCloseTo(expected[k], 14));
  });

  it('explicit weights default to 1 and are checked', () => {
    expect(Array.from(computeClassWeight({ 1: 5 }, y).weights)).toEqual([1, 5, 1]);
    expect(Array.from(computeClassWeight(new Map([[2, 0.5]]), y).weights)).toEqual([1, 1, 0.5]);
    expect(() => computeClassWeight({ 7: 1 }, y)).toThrow(/names class 7/);
    expect(() => computeClassWeight({ 1: -1 }, y)).toThrow(/must be a finite number >= 0/);
    expect(() => computeClassWeight('balanced', y, [0, 1, 2, 3])).toThrow(/3 is not/);
    expect(() => computeClassWeight('balanced', [])).toThrow(/y is empty/);
  });
});
