// Stratified k-fold splitting with scikit-learn's exact fold assignment (`_make_test_folds`),
// including its numpy RandomState shuffle, so Cairn's folds equal scikit-learn's for the same seed.
import type { Labels } from '../core/estimator.js';
import { NumpyRandomState } from './numpy-random-state.js';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Anything that yields train/test index splits for labels y (a CV splitter). */
export interface CrossValidator {
  split(y: Labels): Iterable<Split>;
  readonly nSplits: number;
}

export interface StratifiedKFoldParams {
  nSplits?: number;
  shuffle?: boolean;
  /** Seed for the shuffle (numpy RandomState semantics); 0 when omitted. Ignored without shuffle. */
  seed?: number;
}

export class StratifiedKFold implements CrossValidator {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number;

  constructor(readonly params: StratifiedKFoldParams = {}) {
    this.nSplits = params.nSplits ?? 5;
    this.shuffle = params.shuffle ?? false;
    this.seed = params.seed ?? 0;
    if (!Number.isInteger(this.nSplits) || this.nSplits < 2) {
      throw new RangeError(`StratifiedKFold: nSplits must be an integer >= 2, got ${params.nSplits}`);
    }
  }

  /** The test fold (0..nSplits-1) of every sample. */
  testFolds(y: Labels): Int32Array {
    const n = y.length;
    if (n < this.nSplits) {
      throw new RangeError(`StratifiedKFold: nSplits=${this.nSplits} is greater than the number of samples ${n}`);
    }
    const encoded = encodeByFirstAppearance(y);
    const nClasses = encoded.nClasses;
    const counts = new Int32Array(nClasses);
    for (let i = 0; i < n; i++) counts[encoded.codes[i]]++;
    if (counts.every((c) => c < this.nSplits)) {
      throw new RangeError(
        `StratifiedKFold: nSplits=${this.nSplits} cannot be greater than the number of members in each class (largest class has ${Math.max(...counts)})`,
      );
    }
    // allocation[f][k]: samples of class k in fold f, from dealing the sorted codes round-robin.
    const allocation: Int32Array[] = Array.from({ length: this.nSplits }, () => new Int32Array(nClasses));
    let pos = 0;
    for (let k = 0; k < nClasses; k++) {
      for (let c = 0; c < counts[k]; c++, pos++) allocation[pos % this.nSplits][k]++;
    }
    const rng = this.shuffle ? new NumpyRandomState(this.seed) : null;
    const folds = new Int32Array(n);
    for (let k = 0; k < nClasses; k++) {
      const foldsForClass = new Int32Array(counts[k]);
      let p = 0;
      for (let f = 0; f < this.nSplits; f++) for (let c = 0; c < allocation[f][k]; c++) foldsForClass[p++] = f;
      if (rng) rng.shuffle(foldsForClass);
      p = 0;
      for (let i = 0; i < n; i++) if (encoded.codes[i] === k) folds[i] = foldsForClass[p++];
    }
    return folds;
  }

  *split(y: Labels): Generator<Split> {
    const folds = this.testFolds(y);
    for (let f = 0; f < this.nSplits; f++) yield splitForFold(folds, f);
  }
}

/** Train/test indices (each ascending) for test fold `f` of a fold assignment. */
export function splitForFold(folds: Int32Array, f: number): Split {
  let nTest = 0;
  for (let i = 0; i < folds.length; i++) if (folds[i] === f) nTest++;
  const test = new Int32Array(nTest);
  const train = new Int32Array(folds.length - nTest);
  let a = 0,
    b = 0;
  for (let i = 0; i < folds.length; i++) {
    if (folds[i] === f) test[a++] = i;
    else train[b++] = i;
  }
  return { train, test };
}

/** Class codes in order of first appearance, as scikit-learn's `_make_test_folds` encodes them. */
export function encodeByFirstAppearance(y: Labels): { codes: Int32Array; classes: number[]; nClasses: number } {
  const index = new Map<number, number>();
  const classes: number[] = [];
  const codes = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v)) throw new RangeError(`labels: y[${i}] is NaN; labels must be numbers`);
    let c = index.get(v);
    if (c === undefined) {
      c = classes.length;
      classes.push(v);
      index.set(v, c);
    }
    codes[i] = c;
  }
  return { codes, classes, nClasses: classes.length };
}
