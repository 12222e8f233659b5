// Turns a loaded model's reference (its bounded training sample, or — for packages saved before the
// sample existed — its profile) and a window of logged records into the columns the drift engine tests.
import type { Frame } from '../learn/core/frame.js';
import type { LoadedModel } from '../models/package/load-model.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../models/package/reference-profile.js';
import type { DriftColumn, FeatureDrift, FeatureKind, StatTestChoice } from './drift.js';
import { DEFAULT_THRESHOLDS, isDrifted } from './drift.js';
import { histogramCounts, jensenShannonDistance, populationStabilityIndex } from './stats/binned-distances.js';
import type { Category } from './stats/categorical-tests.js';

/** The current window's values per input column, missing ones dropped (as Evidently does). */
export function frameColumns(frame: Frame): Map<string, Float64Array | string[]> {
  const out = new Map<string, Float64Array | string[]>();
  for (const c of frame.columns) {
    if (c.kind === 'numeric')
      out.set(
        c.name,
        c.values.filter((v) => Number.isFinite(v)),
      );
    else {
      const vals: string[] = [];
      for (const code of c.codes) if (code >= 0) vals.push(c.categories[code]);
      out.set(c.name, vals);
    }
  }
  return out;
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
export function referenceColumns(model: LoadedModel, current: Map<string, Float64Array | string[]>): ReferenceColumns {
  const names = model.inputSchema.columns.map((c) => c.name);
  const sample = model.referenceSample;
  if (sample) {
    const columns = names.map((name): DriftColumn => {
      const kind = kindOf(model, name);
      const raw = (sample.columns[name] ?? []).filter((v) => v !== null);
      const reference =
        kind === 'numeric' ? Float64Array.from(raw as number[]) : (raw.map((v) => String(v)) as Category[]);
      return { name, kind, reference, current: current.get(name) ?? (kind === 'numeric' ? new Float64Array() : []) };
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
      columns.push({ name, kind: 'categorical', reference, current: current.get(name) ?? [] });
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
