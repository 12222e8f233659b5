import { describe, expect, it } from 'vitest';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { NumpyRandomState } from './numpy-random-state.js';
import { StratifiedKFold } from './stratified-k-fold.js';

function labels(counts: number[], seed: number): Float64Array {
  const y = counts.flatMap((c, k) => Array<number>(c).fill(k));
  let s = seed;
  for (let i = y.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [y[i], y[j]] = [y[j], y[i]];
  }
  return Float64Array.from(y);
}

const SKLEARN_FOLDS = `
import json, sys
import numpy as np
from sklearn.model_selection import StratifiedKFold
cases = json.load(sys.stdin)
out = []
for c in cases:
    y = np.array(c["y"])
    kw = dict(n_splits=c["k"], shuffle=c["shuffle"])
    if c["shuffle"]: kw["random_state"] = c["seed"]
    out.append([[tr.tolist(), te.tolist()] for tr, te in StratifiedKFold(**kw).split(np.zeros(len(y)), y)])
print(json.dumps(out))
`;

describe('NumpyRandomState', () => {
  it('reproduces MT19937 init_genrand(5489) reference outputs', () => {
    const r = new NumpyRandomState(5489);
    // First outputs of the reference mt19937ar.c with the default seed.
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([3499211612, 581869302, 3890346734]);
  });
  it('rejects seeds numpy would reject', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/seed/);
    expect(() => new NumpyRandomState(1.5)).toThrow(/seed/);
  });
});

describe('StratifiedKFold', () => {
  const y = labels([300, 60, 17], 7);

  it('yields disjoint test folds that cover every row once, train = complement', () => {
    const seen = new Int32Array(y.length);
    for (const { train, test } of new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 3 }).split(y)) {
      expect(train.length + test.length).toBe(y.length);
      const inTest = new Set(test);
      for (const i of train) expect(inTest.has(i)).toBe(false);
      for (const i of test) seen[i]++;
    }
    expect([...seen].every((c) => c === 1)).toBe(true);
  });

  it('keeps class proportions in every fold (within one sample per class)', () => {
    for (const { test } of new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 1 }).split(y)) {
      const counts = [0, 0, 0];
      for (const i of test) counts[y[i]]++;
      expect(Math.abs(counts[0] - 60)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[1] - 12)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[2] - 17 / 5)).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 }).testFolds(y);
    const b = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 }).testFolds(y);
    const c = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 43 }).testFolds(y);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('rejects bad parameters with the rule', () => {
    expect(() => new StratifiedKFold({ nSplits: 1 })).toThrow(/nSplits must be an integer >= 2/);
    expect(() => new StratifiedKFold({ nSplits: 5 }).testFolds([0, 1, 0, 1])).toThrow(
      /greater than the number of samples/,
    );
    expect(() => new StratifiedKFold({ nSplits: 3 }).testFolds([0, 0, 1, 1])).toThrow(
      /number of members in each class/,
    );
  });

  it.skipIf(lacks('sklearn'))("gives exactly scikit-learn's folds (shuffled with seeds, and unshuffled)", () => {
    const stroke = labels([4861, 249], 11);
    const uci = labels([411, 509], 5);
    const cases = [
      { y: Array.from(uci), k: 5, shuffle: true, seed: 42 },
      { y: Array.from(stroke), k: 5, shuffle: true, seed: 42 },
      { y: Array.from(y), k: 4, shuffle: true, seed: 0 },
      { y: Array.from(labels([9, 30, 4], 2)).map((v) => [7, -1, 3][v]), k: 3, shuffle: true, seed: 123456789 },
      { y: Array.from(y), k: 5, shuffle: false, seed: 0 },
    ];
    const expected = runPython<number[][][][]>(SKLEARN_FOLDS, cases);
    cases.forEach((c, ci) => {
      const ours = [...new StratifiedKFold({ nSplits: c.k, shuffle: c.shuffle, seed: c.seed }).split(c.y)];
      expect(ours.length).toBe(c.k);
      ours.forEach((s, f) => {
        expect(Array.from(s.train)).toEqual(expected[ci][f][0]);
        expect(Array.from(s.test)).toEqual(expected[ci][f][1]);
      });
    });
  });
});

describe.skipIf(lacks('sklearn'))('NumpyRandomState vs numpy', () => {
  it('randint and random_sample draw what numpy draws', () => {
    const r = new NumpyRandomState(2024);
    const ours = [r.randint(7), r.randint(1000), r.randint(2 ** 31), r.randomSample(), r.randomSample(), r.randint(3)];
    const np = runPython<number[]>(`
import json
import numpy as np
r = np.random.RandomState(2024)
print(json.dumps([int(r.randint(7)), int(r.randint(1000)), int(r.randint(2**31)), r.random_sample(), r.uniform(), int(r.randint(3))]))
`);
    expect(ours).toEqual(np);
  });
});
