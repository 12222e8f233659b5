// Evidently's tests for categorical features (and numeric ones with ≤ 5 distinct values): the
// chi-squared goodness-of-fit of the current counts against the reference proportions, and the
// two-proportion z-test it uses when only two categories occur.
import { chi2Sf, normalCdf } from './special-functions.js';

export type Category = string | number;

export function valueCounts(values: readonly Category[]): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** The categories seen in either sample, as Evidently's get_unique_not_nan_values_list_from_series. */
export function unionKeys(reference: readonly Category[], current: readonly Category[]): Category[] {
  return [...new Set<Category>([...reference, ...current])];
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
export function chiSquareTest(reference: readonly Category[], current: readonly Category[]): ChiSquareResult {
  if (reference.length === 0 || current.length === 0)
    throw new RangeError('chiSquareTest: both samples must be non-empty');
  const keys = unionKeys(reference, current);
  const ref = valueCounts(reference);
  const cur = valueCounts(current);
  const kNorm = current.length / reference.length;
  let statistic = 0;
  for (const key of keys) {
    const expected = (ref.get(key) ?? 0) * kNorm;
    const observed = cur.get(key) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  const dof = keys.length - 1;
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
export function proportionsZTest(reference: readonly Category[], current: readonly Category[]): ZTestResult {
  if (reference.length === 0 || current.length === 0)
    throw new RangeError('proportionsZTest: both samples must be non-empty');
  const refKeys = new Set(reference);
  const curKeys = new Set(current);
  if (refKeys.size === 1 && curKeys.size === 1 && [...refKeys][0] === [...curKeys][0])
    return { statistic: 0, pvalue: 1 };
  const first = unionKeys(reference, current).sort(compareKeys)[0];
  const n1 = reference.length;
  const n2 = current.length;
  let s1 = 0;
  let s2 = 0;
  for (const v of reference) if (v !== first) s1++;
  for (const v of current) if (v !== first) s2++;
  const p1 = s1 / n1;
  const p2 = s2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pvalue: 2 * (1 - normalCdf(Math.abs(z))) };
}
