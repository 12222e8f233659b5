// Distances between binned distributions, on Evidently's binning (get_binned_data): numeric features
// with more than 20 distinct reference values get Sturges' equal-width bins over both samples
// together, everything else one bin per category; empty bins are filled with a small share so
// logarithms stay finite. Jensen–Shannon distance (scipy.spatial.distance.jensenshannon) and PSI.
import {
  type CategoricalSample,
  type Category,
  categoryCounts,
  isCodedSample,
  sampleSize,
} from './categorical-tests.js';

/** numpy.histogram_bin_edges(values, bins='sturges'). */
export function sturgesEdges(values: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / (Math.log2(values.length) + 1);
  const bins = width ? Math.ceil((hi - lo) / width) : 1;
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = lo + k * step;
  edges[bins] = hi;
  return edges;
}

/** numpy.histogram(values, edges): bin k holds edges[k] ≤ v < edges[k+1], the last bin closed. */
export function histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= edges[0] && v <= edges[bins])) continue;
    // the first k with edges[k] > v, minus one
    let lo = 0;
    let hi = bins + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] > v) hi = mid;
      else lo = mid + 1;
    }
    counts[Math.min(lo - 1, bins - 1)]++;
  }
  return counts;
}

export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
  /** Bin edges for numeric binning, else the categories in bin order. */
  edges: Float64Array | null;
  categories: Category[] | null;
}

/** Evidently's numeric binning applies above this many distinct reference values. */
export const BINNING_MIN_DISTINCT = 20;

function fillZeros(shares: Float64Array): void {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  const fill = min <= 0.0001 ? min / 1e6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** Whether `values` hold more than `max` distinct values (stops counting there). */
function moreDistinctThan(values: ArrayLike<number>, max: number): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    seen.add(values[i]);
    if (seen.size > max) return true;
  }
  return false;
}

function asFloat64(x: ArrayLike<number>): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/** get_binned_data(reference, current, numeric ? 'num' : 'cat', feel_zeroes=True). */
export function binnedShares(reference: CategoricalSample, current: CategoricalSample, numeric: boolean): BinnedShares {
  let ref: Float64Array;
  let cur: Float64Array;
  let edges: Float64Array | null = null;
  let categories: Category[] | null = null;
  if (
    numeric &&
    !isCodedSample(reference) &&
    !isCodedSample(current) &&
    moreDistinctThan(reference as ArrayLike<number>, BINNING_MIN_DISTINCT)
  ) {
    const r = asFloat64(reference as ArrayLike<number>);
    const c = asFloat64(current as ArrayLike<number>);
    const pooled = new Float64Array(r.length + c.length);
    pooled.set(r);
    pooled.set(c, r.length);
    edges = sturgesEdges(pooled);
    ref = histogramCounts(r, edges).map((n) => n / r.length);
    cur = histogramCounts(c, edges).map((n) => n / c.length);
  } else {
    const counts = categoryCounts(reference, current);
    categories = counts.categories;
    const nRef = sampleSize(reference);
    const nCur = sampleSize(current);
    ref = counts.reference.map((n) => n / nRef);
    cur = counts.current.map((n) => n / nCur);
  }
  fillZeros(ref);
  fillZeros(cur);
  return { reference: ref, current: cur, edges, categories };
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q) (natural log): both normalised to sum 1 first. */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  return Math.sqrt((left + right) / 2);
}

/** Population stability index Σ (ref − cur)·ln(ref / cur) over the bins. */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) psi += (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
  return psi;
}
