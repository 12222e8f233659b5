import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { trainTestSplit } from './train-test-split.js';

describe('trainTestSplit', () => {
  const y = Float64Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 1 : i % 3 === 0 ? 2 : 0));

  it('keeps class proportions when stratified', () => {
    const { train, test } = trainTestSplit(y, { testSize: 0.2, stratify: y, seed: 4 });
    expect(test.length).toBe(200);
    expect(train.length).toBe(800);
    const share = (idx: Int32Array, k: number) => idx.filter((i) => y[i] === k).length / idx.length;
    for (const k of [0, 1, 2]) {
      const overall = y.filter((v) => v === k).length / y.length;
      expect(Math.abs(share(test, k) - overall)).toBeLessThan(1 / 200 + 1e-12);
      expect(Math.abs(share(train, k) - overall)).toBeLessThan(1 / 800 + 1e-12);
    }
  });

  it('partitions the rows, sorted, deterministically for a seed', () => {
    const a = trainTestSplit(1000, { testSize: 0.3, seed: 9 });
    const b = trainTestSplit(1000, { testSize: 0.3, seed: 9 });
    const c = trainTestSplit(1000, { testSize: 0.3, seed: 10 });
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    const all = [...a.train, ...a.test].sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...a.test]).toEqual([...a.test].sort((p, q) => p - q));
    expect(a.test.length).toBe(300);
  });

  it('accepts an absolute test size and no shuffle', () => {
    const { train, test } = trainTestSplit(10, { testSize: 3, shuffle: false });
    expect(Array.from(test)).toEqual([7, 8, 9]);
    expect(train.length).toBe(7);
  });

  it('explains bad input', () => {
    expect(() => trainTestSplit(10, { testSize: 1.5 })).toThrow(/testSize must be a fraction/);
    expect(() => trainTestSplit(10, { testSize: 10 })).toThrow(/no training rows/);
    expect(() => trainTestSplit(10, { stratify: [0, 1] })).toThrow(/stratify has 2 labels/);
    expect(() => trainTestSplit([0, 1, 0, 1], { testSize: 1, stratify: [0, 1, 0, 1] })).toThrow(
      /test size 1 should be >= the number of classes 2/,
    );
  });

  it.skipIf(lacks('sklearn'))("gives scikit-learn's train_test_split rows and order, stratified or not", () => {
    const yy = Array.from({ length: 303 }, (_, i) => (i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0));
    const cases = [
      { testSize: 0.2, seed: 42, stratify: true },
      { testSize: 0.25, seed: 0, stratify: true },
      { testSize: 50, seed: 7, stratify: true },
      { testSize: 0.3, seed: 42, stratify: false },
    ];
    const expected = runPython<number[][][]>(
      `
import json, sys
import numpy as np
from sklearn.model_selection import train_test_split
d = json.load(sys.stdin)
y = np.array(d["y"]); idx = np.arange(len(y))
out = []
for c in d["cases"]:
    tr, te = train_test_split(idx, test_size=c["testSize"], random_state=c["seed"], stratify=y if c["stratify"] else None)
    out.append([tr.tolist(), te.tolist()])
print(json.dumps(out))
`,
      { y: yy, cases },
    );
    cases.forEach((c, k) => {
      const s = trainTestSplit(yy, {
        testSize: c.testSize,
        seed: c.seed,
        stratify: c.stratify ? yy : undefined,
        order: 'shuffled',
      });
      expect(Array.from(s.train)).toEqual(expected[k][0]);
      expect(Array.from(s.test)).toEqual(expected[k][1]);
    });
  });
});
