// Two-sample Kolmogorov–Smirnov test as SciPy's ks_2samp(method='auto', alternative='two-sided'):
// exact p-value (Hodges' lattice-path count, Viehmann's stable recursion) when both samples have
// ≤ 10,000 values, Kolmogorov's distribution at n·m/(n+m) otherwise. Evidently's `ks` stattest.
import { kolmogorovSf } from './kolmogorov.js';

/** SciPy's MAX_AUTO_N: 'auto' attempts the exact p-value when max(n1, n2) is at most this. */
export const KS_MAX_EXACT_N = 10_000;

export interface KsResult {
  statistic: number;
  pvalue: number;
  method: 'exact' | 'asymp';
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** sup |F1 − F2| over the pooled values, both ECDFs right-continuous; inputs sorted ascending. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** P(D_{n,n} ≥ h/n) for equal sample sizes (alternating binomial sum in Horner form). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let a = 1;
    for (let j = 0; j < h; j++) a = ((n - k * h - j) * a) / (n + k * h + j + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of the lattice paths from (0,0) to (m,n) that touch |x/m − y/n| ≥ h/lcm(m,n): one column
 * of the path-count matrix at a time, holding 1 − (share inside) so small p-values keep precision.
 */
function probOutsideLattice(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

function exactPvalue(n1: number, n2: number, d: number): { ok: boolean; d: number; p: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const dd = h / lcm;
  if (h === 0) return { ok: true, d: dd, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideLattice(n1, n2, g, h);
  return { ok: Number.isFinite(p) && p >= 0 && p <= 1, d: dd, p };
}

/** The values ascending, in a new array (slice, not Float64Array.from's slower copy, when already typed). */
export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return (x instanceof Float64Array ? x.slice() : Float64Array.from(x)).sort();
}

/** ks_2samp(reference, current) with SciPy's default method 'auto'. Both samples non-empty, no NaN. */
export function ks2Samp(reference: ArrayLike<number>, current: ArrayLike<number>): KsResult {
  const a = sortedCopy(reference);
  const b = sortedCopy(current);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2Samp: both samples must be non-empty');
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactPvalue(n1, n2, d);
    // SciPy returns the statistic rounded to the lattice (h / lcm) on the exact path
    if (exact.ok) return { statistic: exact.d, pvalue: exact.p, method: 'exact' };
    d = exact.d;
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pvalue: kolmogorovSf(roundHalfEven(en), d), method: 'asymp' };
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
