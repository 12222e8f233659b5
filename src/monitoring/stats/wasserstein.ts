// First Wasserstein distance between two samples (scipy.stats.wasserstein_distance) and Evidently's
// `wasserstein` stattest: the distance divided by the reference's population standard deviation.
import { sortedCopy } from './ks-test.js';

/** ∫ |F_u − F_v| over the pooled support, both ECDFs right-continuous. */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = sortedCopy(u);
  const b = sortedCopy(v);
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let k = 0; k < all.length - 1; k++) {
    while (i < a.length && a[i] <= all[k]) i++;
    while (j < b.length && b[j] <= all[k]) j++;
    sum += Math.abs(i / a.length - j / b.length) * (all[k + 1] - all[k]);
  }
  return sum;
}

/** numpy.std (ddof = 0). */
export function populationStd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) ** 2;
  return Math.sqrt(ss / x.length);
}

/** Evidently's normed Wasserstein distance: W1(ref, cur) / max(std(ref), 0.001). */
export function wassersteinDistanceNorm(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wassersteinDistance(reference, current) / Math.max(populationStd(reference), 0.001);
}
