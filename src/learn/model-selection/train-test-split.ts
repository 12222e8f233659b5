// Seeded train/test split of row indices, optionally stratified, with scikit-learn's exact
// algorithm (ShuffleSplit / StratifiedShuffleSplit over numpy's RandomState): the same seed
// puts the same rows in the test set as train_test_split(..., random_state=seed).
import type { Labels } from '../core/estimator.js';
import { NumpyRandomState } from './numpy-random-state.js';
import type { Split } from './stratified-k-fold.js';

export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) or an absolute number of test rows (integer >= 1). Default 0.25. */
  testSize?: number;
  /** Labels to stratify on (the same y, usually); when given, class proportions are kept. */
  stratify?: Labels;
  /** numpy RandomState seed, integer in [0, 2^32). Default 0. */
  seed?: number;
  /** Shuffle before splitting (default true); without shuffle the last rows are the test set. */
  shuffle?: boolean;
  /** 'sorted' (default): ascending indices; 'shuffled': scikit-learn's returned row order. */
  order?: 'sorted' | 'shuffled';
}

/** Splits `n` rows (or the rows of labels `y`) into train and test index sets. */
export function trainTestSplit(nOrY: number | Labels, options: TrainTestSplitOptions = {}): Split {
  const n = typeof nOrY === 'number' ? nOrY : nOrY.length;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`trainTestSplit: need at least 2 rows, got ${n}`);
  const { nTest, nTrain } = splitSizes(options.testSize ?? 0.25, n);
  const shuffle = options.shuffle ?? true;
  const stratify = options.stratify;
  if (stratify && stratify.length !== n) {
    throw new RangeError(`trainTestSplit: stratify has ${stratify.length} labels but there are ${n} rows`);
  }
  let split: Split;
  if (!shuffle) {
    if (stratify) throw new RangeError('trainTestSplit: stratify requires shuffle = true');
    split = {
      train: Int32Array.from({ length: nTrain }, (_, i) => i),
      test: Int32Array.from({ length: nTest }, (_, i) => nTrain + i),
    };
  } else {
    const rng = new NumpyRandomState(options.seed ?? 0);
    split = stratify ? stratifiedShuffleSplit(stratify, nTrain, nTest, rng) : shuffleSplit(n, nTrain, nTest, rng);
  }
  if ((options.order ?? 'sorted') === 'sorted') {
    split.train.sort();
    split.test.sort();
  }
  return split;
}

/** scikit-learn's _validate_shuffle_split: ceil for the test size, floor for the train size. */
function splitSizes(testSize: number, n: number): { nTest: number; nTrain: number } {
  let nTest: number, nTrain: number;
  if (testSize > 0 && testSize < 1) {
    nTest = Math.ceil(testSize * n);
    nTrain = Math.floor((1 - testSize) * n);
  } else if (Number.isInteger(testSize) && testSize >= 1) {
    nTest = testSize;
    nTrain = n - testSize;
  } else {
    throw new RangeError(`trainTestSplit: testSize must be a fraction in (0, 1) or an integer >= 1, got ${testSize}`);
  }
  if (nTrain < 1) throw new RangeError(`trainTestSplit: testSize leaves no training rows (${nTest} of ${n} in test)`);
  return { nTest, nTrain };
}

function permutation(n: number, rng: NumpyRandomState): Int32Array {
  return rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
}

function shuffleSplit(n: number, nTrain: number, nTest: number, rng: NumpyRandomState): Split {
  const p = permutation(n, rng);
  return { test: p.slice(0, nTest), train: p.slice(nTest, nTest + nTrain) };
}

function stratifiedShuffleSplit(y: Labels, nTrain: number, nTest: number, rng: NumpyRandomState): Split {
  const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
  const index = new Map(classes.map((c, k) => [c, k]));
  const members: number[][] = classes.map(() => []);
  for (let i = 0; i < y.length; i++) members[index.get(y[i])!].push(i);
  const counts = members.map((m) => m.length);
  if (nTrain < classes.length)
    throw new RangeError(
      `trainTestSplit: the train size ${nTrain} should be >= the number of classes ${classes.length}`,
    );
  if (nTest < classes.length)
    throw new RangeError(`trainTestSplit: the test size ${nTest} should be >= the number of classes ${classes.length}`);
  if (counts.some((c) => c < 2))
    throw new RangeError(
      'trainTestSplit: the least populated class in stratify has only 1 member; every class needs at least 2',
    );
  const nI = approximateMode(counts, nTrain, rng);
  const tI = approximateMode(
    counts.map((c, k) => c - nI[k]),
    nTest,
    rng,
  );
  const train: number[] = [],
    test: number[] = [];
  members.forEach((m, k) => {
    const p = permutation(m.length, rng);
    for (let j = 0; j < nI[k]; j++) train.push(m[p[j]]);
    for (let j = nI[k]; j < nI[k] + tI[k]; j++) test.push(m[p[j]]);
  });
  const trainOut = Int32Array.from(permutation(train.length, rng), (j) => train[j]);
  const testOut = Int32Array.from(permutation(test.length, rng), (j) => test[j]);
  return { train: trainOut, test: testOut };
}

/**
 * scikit-learn's _approximate_mode: floors of the proportional allocation, then the leftover
 * draws go to the largest remainders, ties broken by rng.choice (a permutation prefix).
 */
function approximateMode(counts: number[], nDraws: number, rng: NumpyRandomState): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let need = nDraws - floored.reduce((a, b) => a + b, 0);
  if (need > 0) {
    const remainder = continuous.map((c, k) => c - floored[k]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const v of values) {
      const inds = remainder.flatMap((r, k) => (r === v ? [k] : []));
      const addNow = Math.min(inds.length, need);
      const chosen = permutation(inds.length, rng).subarray(0, addNow);
      for (const c of chosen) floored[inds[c]]++;
      need -= addNow;
      if (need === 0) break;
    }
  }
  return floored;
}
