// Turns a loaded model's reference (its bounded training sample, or — for packages saved before the
// sample existed — its profile) and a window of logged records into the columns the drift engine tests.
import type { Frame } from '../learn/core/frame.js';
import type { LoadedModel } from '../models/package/load-model.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../models/package/reference-profile.js';
import type { DriftColumn, FeatureDrift, FeatureKind, StatTestChoice } from './drift.js';
import { DEFAULT_THRESHOLDS, isDrifted } from './drift.js';
import { histogramCounts, jensenShannonDistance, populationStabilityIndex } from './stats/binned-distances.js';
import type { Category, CodedSample } from './stats/categorical-tests.js';

/** A window column as the drift engine takes it: numbers, or codes into the frame's categories. */
export type CurrentColumn = Float64Array | CodedSample;

/** The current window's values per input column, missing ones dropped (as Evidently does). */
export function frameColumns(frame: Frame): Map<string, CurrentColumn> {
  const out = new Map<string, CurrentColumn>();
  for (const c of frame.columns) {
    // loops, not TypedArray#filter, which is slow on 100k-row windows; no copy when nothing is missing
    if (c.kind === 'numeric') {
      const v = c.values;
      let n = 0;
      for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) n++;
      if (n === v.length) out.set(c.name, v);
      else {
        const kept = new Float64Array(n);
        for (let i = 0, j = 0; i < v.length; i++) if (Number.isFinite(v[i])) kept[j++] = v[i];
        out.set(c.name, kept);
      }
    } else {
      const codes = c.codes;
      let n = 0;
      for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) n++;
      if (n === codes.length) out.set(c.name, { codes, categories: c.categories });
      else {
        const kept = new Int32Array(n);
        for (let i = 0, j = 0; i < codes.length; i++) if (codes[i] >= 0) kept[j++] = codes[i];
        out.set(c.name, { codes: kept, categories: c.categories });
      }
    }
  }
  return out;
}

/**
 * The reference values `raw` as codes over the current column's dictionary, extended by the values
 * only the reference has; both sides then share the extended dictionary (counted by bincount).
 */
function sharedCodes(raw: readonly string[], current: CodedSample): { reference: CodedSample; current: CodedSample } {
  const categories: Category[] = [...current.categories];
  const index = new Map<Category, number>();
  for (let k = 0; k < categories.length; k++) if (!index.has(categories[k])) index.set(categories[k], k);
  const codes = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    let code = index.get(raw[i]);
    if (code === undefined) {
      code = categories.length;
      categories.push(raw[i]);
      index.set(raw[i], code);
    }
    codes[i] = code;
  }
  return { reference: { codes, categories }, current: { codes: current.codes, categories } };
}

function categoricalPair(
  raw: readonly string[],
  current: CurrentColumn | undefined,
): { reference: CodedSample | Category[]; current: CodedSample | Category[] } {
  if (current === undefined) return { reference: [...raw], current: [] };
  if (current instanceof Float64Array) return { reference: [...raw], current: Array.from(current) };
  return sharedCodes(raw, current);
}

export interface ReferenceColumns {
  /** Columns with raw reference values (from the sample, or categories expanded from the profile). */
  columns: DriftColumn[];
  /** Numeric columns only the profile's histogram describes (no reference sample). */
  histogramOnly: { name: string; profile: NumericFeatureProfile; current: Float64Array }[];
  source: 'sample' | 'profile';
  referenceRows: number;
  /** Says plainly what the reference is, for the output. */
  note: string;
}

function kindOf(model: LoadedModel, name: string): FeatureKind {
  const col = model.inputSchema.columns.find((c) => c.name === name);
  return col?.kind === 'numeric' ? 'numeric' : 'categorical';
}

/** The reference columns of `model` paired with the window's values. */
export function referenceColumns(model: LoadedModel, current: Map<string, CurrentColumn>): ReferenceColumns {
  const names = model.inputSchema.columns.map((c) => c.name);
  const sample = model.referenceSample;
  if (sample) {
    const columns = names.map((name): DriftColumn => {
      const kind = kindOf(model, name);
      const raw = (sample.columns[name] ?? []).filter((v) => v !== null);
      if (kind === 'categorical') return { name, kind, ...categoricalPair(raw.map(String), current.get(name)) };
      const cur = current.get(name);
      return { name, kind, reference: Float64Array.from(raw as number[]), current: cur ?? new Float64Array() };
    });
    const how = sample.sampling === 'all' ? 'all' : `a uniform sample (seed ${sample.seed}) of`;
    return {
      columns,
      histogramOnly: [],
      source: 'sample',
      referenceRows: sample.n_rows,
      note: `reference: ${how} ${sample.n_source_rows} training rows (${sample.n_rows} kept in the package)`,
    };
  }
  const profile = model.referenceProfile;
  if (!profile)
    throw new Error(
      'the model package has neither a reference sample nor a reference profile: save it with its training frame',
    );
  const columns: DriftColumn[] = [];
  const histogramOnly: ReferenceColumns['histogramOnly'] = [];
  for (const name of names) {
    const f = profile.features.find((p) => p.name === name);
    if (!f) continue;
    if (f.type === 'string') {
      // the category counts are the reference sample itself, up to order
      const reference: string[] = [];
      for (const [cat, n] of Object.entries((f as CategoricalFeatureProfile).frequencies))
        for (let i = 0; i < n; i++) reference.push(cat);
      columns.push({ name, kind: 'categorical', ...categoricalPair(reference, current.get(name)) });
    } else if (f.histogram) {
      histogramOnly.push({ name, profile: f, current: (current.get(name) as Float64Array) ?? new Float64Array() });
    }
  }
  return {
    columns,
    histogramOnly,
    source: 'profile',
    referenceRows: profile.n_rows,
    note:
      'reference: the profile only (this package predates the reference sample): categorical features are ' +
      'tested exactly from their counts, numeric ones by Jensen–Shannon distance and PSI on the profile’s ' +
      '10-bin histogram (values outside the training range in a bin of their own)',
  };
}

/** Drift of a numeric feature known only by its profile histogram (no reference sample). */
export function histogramDrift(
  name: string,
  profile: NumericFeatureProfile,
  current: Float64Array,
  choice?: StatTestChoice,
): FeatureDrift {
  const hist = profile.histogram!;
  const edges = Float64Array.from(hist.edges);
  const inRange = histogramCounts(current, edges);
  let below = 0;
  let above = 0;
  for (const v of current) {
    if (v < edges[0]) below++;
    else if (v > edges[edges.length - 1]) above++;
  }
  const refTotal = hist.counts.reduce((a, b) => a + b, 0);
  const ref = Float64Array.from([0, ...hist.counts, 0], (n) => n / refTotal);
  const cur = Float64Array.from([below, ...inRange, above], (n) => n / Math.max(1, current.length));
  for (const shares of [ref, cur]) {
    let min = Infinity;
    for (const s of shares) if (s > 0 && s < min) min = s;
    const fill = min <= 0.0001 ? min / 1e6 : 0.0001;
    for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
  }
  if (choice && choice.method !== 'psi' && choice.method !== 'jensenshannon')
    throw new Error(`--stattest ${name}=${choice.method} needs the reference sample, which this package lacks`);
  const method = choice?.method ?? 'jensenshannon';
  const threshold = choice?.threshold ?? DEFAULT_THRESHOLDS[method];
  const psi = populationStabilityIndex(ref, cur);
  const score = current.length === 0 ? Number.NaN : method === 'psi' ? psi : jensenShannonDistance(ref, cur);
  let sum = 0;
  for (const v of current) sum += v;
  const labels = ['below', ...hist.counts.map((_, k) => `${hist.edges[k]}–${hist.edges[k + 1]}`), 'above'];
  return {
    feature: name,
    kind: 'numeric',
    method,
    threshold,
    score,
    drifted: isDrifted(method, score, threshold),
    psi: current.length === 0 ? Number.NaN : psi,
    nReference: refTotal,
    nCurrent: current.length,
    referenceMean: profile.mean,
    currentMean: current.length ? sum / current.length : null,
    bins: { labels, reference: Array.from(ref), current: Array.from(cur) },
    note: 'profile histogram (no reference sample)',
  };
}
