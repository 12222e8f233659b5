// The drift engine: per feature, the test Evidently picks by default (or the one configured), PSI on
// Evidently's binning, data set drift when at least half the features drift; the same machinery for
// the prediction (P(class 1)) and, once labels exist, the target.
import { InvalidParameter } from '../core/errors.js';
import { binnedShares, jensenShannonDistance, populationStabilityIndex } from './stats/binned-distances.js';
import {
  type CategoricalSample,
  type Category,
  type CodedSample,
  categoryCounts,
  chiSquareTest,
  isCodedSample,
  proportionsZTest,
  sampleSize,
} from './stats/categorical-tests.js';
import { ks2Samp } from './stats/ks-test.js';
import { wassersteinDistanceNorm } from './stats/wasserstein.js';

export type StatTestName = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon' | 'psi';
export const STAT_TESTS: readonly StatTestName[] = ['ks', 'wasserstein', 'chisquare', 'z', 'jensenshannon', 'psi'];
/** Tests whose score is a p-value (drift below the threshold); the others are distances (drift at or above). */
const P_VALUE_TESTS = new Set<StatTestName>(['ks', 'chisquare', 'z']);
/** Evidently's default thresholds. */
export const DEFAULT_THRESHOLDS: Record<StatTestName, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};
/** Evidently's size split: at most this many reference rows → tests with p-values, more → distances. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Evidently's `drift_share`: the data set drifts when this share of its features does. */
export const DEFAULT_DRIFT_SHARE = 0.5;
/** A numeric column with at most this many distinct values is tested as categorical (Evidently). */
const NUMERIC_AS_CATEGORY_MAX_DISTINCT = 5;

export type FeatureKind = 'numeric' | 'categorical';

export interface StatTestChoice {
  method: StatTestName;
  threshold?: number;
}

/**
 * One column to test: its values with missing ones already dropped. A categorical column's samples are
 * plain values or, faster, codes over one dictionary shared by reference and current.
 */
export interface DriftColumn {
  name: string;
  kind: FeatureKind;
  reference: Float64Array | Category[] | CodedSample;
  current: Float64Array | Category[] | CodedSample;
}

export interface FeatureDrift {
  feature: string;
  kind: FeatureKind;
  method: StatTestName;
  threshold: number;
  /** p-value (ks, chisquare, z) or distance (wasserstein, jensenshannon, psi); NaN when not computed. */
  score: number;
  drifted: boolean;
  psi: number;
  nReference: number;
  nCurrent: number;
  /** Means of the non-missing values, numeric features only. */
  referenceMean: number | null;
  currentMean: number | null;
  /** Reference and current shares per bin (Evidently's binning), for the report's histograms. */
  bins: { labels: string[]; reference: number[]; current: number[] };
  /** Why the score is NaN, or how the reference was reconstructed. */
  note?: string;
}

/** The number of distinct values in both samples together, counted up to `max + 1` only. */
function distinctCount(a: CategoricalSample, b: CategoricalSample, max: number): number {
  if (isCodedSample(a) && isCodedSample(b)) return categoryCounts(a, b).categories.length;
  const s = new Set<Category>();
  for (const x of [a, b] as ArrayLike<Category>[]) for (let i = 0; i < x.length && s.size <= max; i++) s.add(x[i]);
  return s.size;
}

/** Evidently's _get_default_stattest for a 'num' or 'cat' column. */
export function defaultStatTest(col: DriftColumn): StatTestName {
  // only compared with 5 and 2 below, so counting stops above 5
  const nValues = distinctCount(col.reference, col.current, NUMERIC_AS_CATEGORY_MAX_DISTINCT);
  const small = sampleSize(col.reference) <= SMALL_REFERENCE_ROWS;
  if (col.kind === 'numeric' && nValues > NUMERIC_AS_CATEGORY_MAX_DISTINCT) return small ? 'ks' : 'wasserstein';
  if (!small) return 'jensenshannon';
  return nValues > 2 ? 'chisquare' : 'z';
}

function mean(x: DriftColumn['reference']): number | null {
  if (isCodedSample(x) || x.length === 0) return null;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s / x.length;
}

function formatEdge(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

function runTest(method: StatTestName, col: DriftColumn): number {
  const numeric = col.kind === 'numeric';
  switch (method) {
    case 'ks':
    case 'wasserstein':
      if (!numeric) throw new InvalidParameter(`--stattest ${col.name}=${method}: ${method} needs a numeric feature`);
      return method === 'ks'
        ? ks2Samp(col.reference as Float64Array, col.current as Float64Array).pvalue
        : wassersteinDistanceNorm(col.reference as Float64Array, col.current as Float64Array);
    case 'chisquare':
      return chiSquareTest(col.reference, col.current).pvalue;
    case 'z':
      return proportionsZTest(col.reference, col.current).pvalue;
    case 'jensenshannon': {
      const b = binnedShares(col.reference, col.current, numeric);
      return jensenShannonDistance(b.reference, b.current);
    }
    case 'psi': {
      const b = binnedShares(col.reference, col.current, numeric);
      return populationStabilityIndex(b.reference, b.current);
    }
  }
}

export function isDrifted(method: StatTestName, score: number, threshold: number): boolean {
  if (Number.isNaN(score)) return false;
  return P_VALUE_TESTS.has(method) ? score < threshold : score >= threshold;
}

/** Tests one column; `choice` overrides Evidently's default test and threshold. */
export function columnDrift(col: DriftColumn, choice?: StatTestChoice): FeatureDrift {
  const numeric = col.kind === 'numeric';
  const base = {
    feature: col.name,
    kind: col.kind,
    nReference: sampleSize(col.reference),
    nCurrent: sampleSize(col.current),
    referenceMean: numeric ? mean(col.reference) : null,
    currentMean: numeric ? mean(col.current) : null,
  };
  if (base.nReference === 0 || base.nCurrent === 0) {
    const method = choice?.method ?? (numeric ? 'ks' : 'chisquare');
    return {
      ...base,
      method,
      threshold: choice?.threshold ?? DEFAULT_THRESHOLDS[method],
      score: Number.NaN,
      drifted: false,
      psi: Number.NaN,
      bins: { labels: [], reference: [], current: [] },
      note: `no non-missing ${base.nReference === 0 ? 'reference' : 'current'} values`,
    };
  }
  const method = choice?.method ?? defaultStatTest(col);
  const threshold = choice?.threshold ?? DEFAULT_THRESHOLDS[method];
  const score = runTest(method, col);
  const b = binnedShares(col.reference, col.current, numeric);
  const edges = b.edges;
  const labels = edges
    ? Array.from({ length: edges.length - 1 }, (_, k) => `${formatEdge(edges[k])}–${formatEdge(edges[k + 1])}`)
    : b.categories!.map(String);
  return {
    ...base,
    method,
    threshold,
    score,
    drifted: isDrifted(method, score, threshold),
    psi: populationStabilityIndex(b.reference, b.current),
    bins: { labels, reference: Array.from(b.reference), current: Array.from(b.current) },
  };
}

export interface DatasetDrift {
  features: FeatureDrift[];
  /** Features with a score (a feature without values on either side is left out). */
  nTested: number;
  nDrifted: number;
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

/** Every column, and data set drift as Evidently's DatasetDriftMetric: drifted share ≥ `driftShare`. */
export function datasetDrift(
  columns: readonly DriftColumn[],
  choices: ReadonlyMap<string, StatTestChoice> = new Map(),
  driftShare = DEFAULT_DRIFT_SHARE,
): DatasetDrift {
  for (const name of choices.keys()) {
    if (!columns.some((c) => c.name === name))
      throw new InvalidParameter(
        `--stattest names '${name}', which is not a feature of the model (${columns.map((c) => c.name).join(', ')})`,
      );
  }
  const features = columns.map((c) => columnDrift(c, choices.get(c.name)));
  const tested = features.filter((f) => !Number.isNaN(f.score));
  const nDrifted = tested.filter((f) => f.drifted).length;
  const share = tested.length ? nDrifted / tested.length : 0;
  return {
    features,
    nTested: tested.length,
    nDrifted,
    share,
    driftShare,
    datasetDrift: tested.length > 0 && share >= driftShare,
  };
}

/** `age=psi:0.2`, `sex=chisquare` → per-feature choices; bad input names the part and the rule. */
export function parseStatTestOptions(specs: readonly string[]): Map<string, StatTestChoice> {
  const out = new Map<string, StatTestChoice>();
  for (const spec of specs) {
    for (const part of spec.split(',')) {
      const m = /^([^=]+)=([a-z]+)(?::([^:]+))?$/.exec(part.trim());
      if (!m) throw new InvalidParameter(`--stattest '${part}' must be FEATURE=METHOD[:THRESHOLD], e.g. age=psi:0.2`);
      const method = m[2] as StatTestName;
      if (!STAT_TESTS.includes(method))
        throw new InvalidParameter(`--stattest '${part}': method must be one of ${STAT_TESTS.join(', ')}`);
      let threshold: number | undefined;
      if (m[3] !== undefined) {
        threshold = Number(m[3]);
        if (!Number.isFinite(threshold) || threshold <= 0)
          throw new InvalidParameter(`--stattest '${part}': the threshold must be a positive number`);
      }
      out.set(m[1].trim(), { method, threshold });
    }
  }
  return out;
}
