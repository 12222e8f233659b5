// Evidently's tests for categorical features (and numeric ones with ≤ 5 distinct values): the
// chi-squared goodness-of-fit of the current counts against the reference proportions, and the
// two-proportion z-test it uses when only two categories occur.
import { chi2Sf, normalCdf } from './special-functions.js';

export type Category = string | number;

/**
 * A categorical sample as codes (all ≥ 0) into a dictionary. The reference and current samples of a
 * column share one dictionary (the same array), so counting them is a bincount, not a Map of strings.
 */
export interface CodedSample {
  readonly codes: Int32Array;
  readonly categories: readonly Category[];
}

/** A categorical test's input: plain values, numbers (a numeric column with few values) or codes. */
export type CategoricalSample = readonly Category[] | Float64Array | CodedSample;

export function isCodedSample(x: CategoricalSample): x is CodedSample {
  return !Array.isArray(x) && !(x instanceof Float64Array);
}

export function sampleSize(x: CategoricalSample): number {
  return isCodedSample(x) ? x.codes.length : x.length;
}

function plainValues(x: CategoricalSample): ArrayLike<Category> {
  if (!isCodedSample(x)) return x;
  const out = new Array<Category>(x.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = x.categories[x.codes[i]];
  return out;
}

export function valueCounts(values: ArrayLike<Category>): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  return counts;
}

/** The categories seen in either sample, as Evidently's get_unique_not_nan_values_list_from_series. */
export function unionKeys(reference: ArrayLike<Category>, current: ArrayLike<Category>): Category[] {
  const keys = new Set<Category>();
  for (let i = 0; i < reference.length; i++) keys.add(reference[i]);
  for (let i = 0; i < current.length; i++) keys.add(current[i]);
  return [...keys];
}

/** The categories of both samples in first-seen order (reference first) and each sample's count of each. */
export interface CategoryCounts {
  categories: Category[];
  reference: Float64Array;
  current: Float64Array;
}

function bincount(codes: Int32Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < codes.length; i++) counts[codes[i]]++;
  return counts;
}

/** unionKeys with valueCounts of each side; a bincount when both sides are codes over one dictionary. */
export function categoryCounts(reference: CategoricalSample, current: CategoricalSample): CategoryCounts {
  if (isCodedSample(reference) && isCodedSample(current) && reference.categories === current.categories) {
    const k = reference.categories.length;
    const rc = bincount(reference.codes, k);
    const cc = bincount(current.codes, k);
    // first-seen order over reference then current, as unionKeys
    const order: number[] = [];
    const seen = new Uint8Array(k);
    for (const codes of [reference.codes, current.codes])
      for (let i = 0; i < codes.length && order.length < k; i++)
        if (!seen[codes[i]]) {
          seen[codes[i]] = 1;
          order.push(codes[i]);
        }
    return {
      categories: order.map((c) => reference.categories[c]),
      reference: Float64Array.from(order, (c) => rc[c]),
      current: Float64Array.from(order, (c) => cc[c]),
    };
  }
  const rv = plainValues(reference);
  const cv = plainValues(current);
  const categories = unionKeys(rv, cv);
  const rc = valueCounts(rv);
  const cc = valueCounts(cv);
  return {
    categories,
    reference: Float64Array.from(categories, (c) => rc.get(c) ?? 0),
    current: Float64Array.from(categories, (c) => cc.get(c) ?? 0),
  };
}

export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  dof: number;
}

/**
 * scipy.stats.chisquare(f_obs = current counts, f_exp = reference counts · n_cur / n_ref) over the
 * union of categories, as Evidently's `chisquare` stattest. A category absent from the reference has
 * an expected count of 0, so the statistic is infinite and the p-value 0, as in SciPy.
 */
export function chiSquareTest(reference: CategoricalSample, current: CategoricalSample): ChiSquareResult {
  const nRef = sampleSize(reference);
  const nCur = sampleSize(current);
  if (nRef === 0 || nCur === 0) throw new RangeError('chiSquareTest: both samples must be non-empty');
  const counts = categoryCounts(reference, current);
  const kNorm = nCur / nRef;
  let statistic = 0;
  for (let k = 0; k < counts.categories.length; k++) {
    const expected = counts.reference[k] * kNorm;
    const observed = counts.current[k];
    statistic += (observed - expected) ** 2 / expected;
  }
  const dof = counts.categories.length - 1;
  return { statistic, pvalue: dof > 0 ? chi2Sf(statistic, dof) : Number.NaN, dof };
}

function compareKeys(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export interface ZTestResult {
  statistic: number;
  pvalue: number;
}

/**
 * Evidently's `z` stattest: the two-proportion z-test on "is not the smallest category", p-value
 * 2·(1 − Φ(|z|)); 1 when both samples hold the same single value.
 */
export function proportionsZTest(reference: CategoricalSample, current: CategoricalSample): ZTestResult {
  const n1 = sampleSize(reference);
  const n2 = sampleSize(current);
  if (n1 === 0 || n2 === 0) throw new RangeError('proportionsZTest: both samples must be non-empty');
  const counts = categoryCounts(reference, current);
  const { categories } = counts;
  let refKinds = 0;
  let curKinds = 0;
  for (let k = 0; k < categories.length; k++) {
    if (counts.reference[k] > 0) refKinds++;
    if (counts.current[k] > 0) curKinds++;
  }
  // the same single value on both sides: one category in all
  if (refKinds === 1 && curKinds === 1 && categories.length === 1) return { statistic: 0, pvalue: 1 };
  let first = 0;
  for (let k = 1; k < categories.length; k++) if (compareKeys(categories[k], categories[first]) < 0) first = k;
  const s1 = n1 - counts.reference[first];
  const s2 = n2 - counts.current[first];
  const p1 = s1 / n1;
  const p2 = s2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pvalue: 2 * (1 - normalCdf(Math.abs(z))) };
}
