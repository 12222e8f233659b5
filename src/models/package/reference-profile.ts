// The reference profile: per-feature distributions of the training data, the target's class
// balance and the training predictions' P(class 1) — what drift monitoring compares live data to.
import type { Column, Frame } from '../../learn/core/frame.js';

export const REFERENCE_PROFILE_FORMAT_VERSION = 1;
/** Quantile probabilities every numeric feature (and the prediction) is summarised at. */
export const PROFILE_QUANTILES = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1] as const;
/** Equal-width bins over the training range, as numpy.histogram(values, bins=10). */
export const PROFILE_HISTOGRAM_BINS = 10;

export interface Histogram {
  /** bins + 1 increasing edges; bin k is [edges[k], edges[k+1]), the last bin closed. */
  edges: number[];
  counts: number[];
}

export interface Quantiles {
  probabilities: number[];
  values: number[];
}

interface FeatureBase {
  name: string;
  /** Rows in the training data (missing included). */
  count: number;
  missing: number;
  missing_share: number;
}

export interface NumericFeatureProfile extends FeatureBase {
  type: 'double';
  /** Statistics of the non-missing finite values; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (ddof = 1, as pandas); null with fewer than 2 values. */
  std: number | null;
  quantiles: Quantiles | null;
  histogram: Histogram | null;
}

export interface CategoricalFeatureProfile extends FeatureBase {
  type: 'string';
  /** Non-missing rows per category seen in training, categories sorted by code point. */
  frequencies: Record<string, number>;
}

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

export interface TargetProfile {
  classes: number[];
  counts: number[];
  shares: number[];
}

export interface PredictionProfile {
  /** The class whose probability is profiled (1 when present, else the last class). */
  positive_class: number;
  mean: number;
  quantiles: Quantiles;
  /** Fixed edges 0, 0.1, …, 1. */
  histogram: Histogram;
}

export interface ReferenceProfile {
  format_version: number;
  n_rows: number;
  features: FeatureProfile[];
  target: TargetProfile | null;
  prediction: PredictionProfile | null;
}

/** numpy.quantile's default ('linear'): sorted[(n-1)·p] interpolated between neighbours. */
export function quantile(sorted: Float64Array, p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return lo === hi ? sorted[lo] : sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** numpy.histogram(values, bins, range=(lo, hi)): equal-width bins, the last one closed. */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): Histogram {
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? hi : lo + k * step));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let k = Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
    if (v < edges[k]) k--;
    else if (k < bins - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { edges, counts };
}

function numericProfile(name: string, values: Float64Array): NumericFeatureProfile {
  const finite = values.filter((v) => Number.isFinite(v));
  const missing = values.length - finite.length;
  const base = {
    name,
    type: 'double' as const,
    count: values.length,
    missing,
    missing_share: values.length ? missing / values.length : 0,
  };
  if (finite.length === 0)
    return { ...base, min: null, max: null, mean: null, std: null, quantiles: null, histogram: null };
  const sorted = Float64Array.from(finite).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / sorted.length;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  return {
    ...base,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean,
    std: sorted.length > 1 ? Math.sqrt(ss / (sorted.length - 1)) : null,
    quantiles: { probabilities: [...PROFILE_QUANTILES], values: PROFILE_QUANTILES.map((p) => quantile(sorted, p)) },
    histogram: histogram(sorted, PROFILE_HISTOGRAM_BINS, sorted[0], sorted[sorted.length - 1]),
  };
}

function categoricalProfile(c: Extract<Column, { kind: 'categorical' }>): CategoricalFeatureProfile {
  const counts = new Array<number>(c.categories.length).fill(0);
  let missing = 0;
  for (const code of c.codes) {
    if (code < 0) missing++;
    else counts[code]++;
  }
  const frequencies: Record<string, number> = {};
  const order = c.categories
    .map((_, k) => k)
    .filter((k) => counts[k] > 0)
    .sort((a, b) => (c.categories[a] < c.categories[b] ? -1 : c.categories[a] > c.categories[b] ? 1 : 0));
  for (const k of order) frequencies[c.categories[k]] = counts[k];
  const n = c.codes.length;
  return { name: c.name, type: 'string', count: n, missing, missing_share: n ? missing / n : 0, frequencies };
}

export interface ProfileInput {
  frame: Frame;
  target?: ArrayLike<number>;
  /** P(positive class) per training row, with the class it is for. */
  prediction?: { positiveClass: number; probabilities: ArrayLike<number> };
}

export function buildReferenceProfile(input: ProfileInput): ReferenceProfile {
  const { frame } = input;
  const features = frame.columns.map((c) =>
    c.kind === 'numeric' ? numericProfile(c.name, c.values) : categoricalProfile(c),
  );
  let target: TargetProfile | null = null;
  if (input.target) {
    if (input.target.length !== frame.nRows)
      throw new RangeError(`trainingTarget has ${input.target.length} values, the training frame ${frame.nRows} rows`);
    const tally = new Map<number, number>();
    for (let i = 0; i < input.target.length; i++) tally.set(input.target[i], (tally.get(input.target[i]) ?? 0) + 1);
    const classes = [...tally.keys()].sort((a, b) => a - b);
    const counts = classes.map((k) => tally.get(k)!);
    target = { classes, counts, shares: counts.map((n) => n / input.target!.length) };
  }
  let prediction: PredictionProfile | null = null;
  if (input.prediction) {
    const p = Float64Array.from(input.prediction.probabilities);
    const sorted = Float64Array.from(p).sort();
    let sum = 0;
    for (const v of p) sum += v;
    prediction = {
      positive_class: input.prediction.positiveClass,
      mean: p.length ? sum / p.length : 0,
      quantiles: { probabilities: [...PROFILE_QUANTILES], values: PROFILE_QUANTILES.map((q) => quantile(sorted, q)) },
      histogram: histogram(p, PROFILE_HISTOGRAM_BINS, 0, 1),
    };
  }
  return { format_version: REFERENCE_PROFILE_FORMAT_VERSION, n_rows: frame.nRows, features, target, prediction };
}
