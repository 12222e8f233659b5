// Synthetic traffic for a scoring endpoint (`cairn simulate`): records drawn from the training data or
// from the model's reference profile, optionally shifted, posted to `/predict`, and ground truth posted
// to `/feedback` — so the whole loop (serving, prediction log, drift, live accuracy, alerts) can be shown
// and tested without real patients. Every random draw is made up front from one seeded generator, in row
// order, so the same seed sends the same records and labels whatever the concurrency.
import type { Frame } from '../learn/core/frame.js';
import { Rng } from '../learn/core/random.js';
import type {
  CategoricalFeatureProfile,
  NumericFeatureProfile,
  ReferenceProfile,
} from '../models/package/reference-profile.js';

/** Bad simulation input (a shift, a feature name, a flag value): the CLI prints it and exits with status 2. */
export class SimulationInputError extends Error {}

export type Cell = string | number | null;
export type SimRecord = Record<string, Cell>;

export interface FeatureShift {
  feature: string;
  op: '+' | '-' | '*';
  amount: number;
}

const SHIFT_RE = /^([^=\s]+)=([+\-*])((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;

/** Parses `age=+10,chol=*1.3,trestbps=-5` (add, subtract, multiply) into shifts. */
export function parseShifts(text: string): FeatureShift[] {
  const out: FeatureShift[] = [];
  for (const raw of text.split(',')) {
    const item = raw.replace(/\s+/g, '');
    if (item === '') continue;
    const m = SHIFT_RE.exec(item);
    if (!m)
      throw new SimulationInputError(
        `--shift: "${raw.trim()}" is not FEATURE=+N, FEATURE=-N or FEATURE=*N (example: age=+10,chol=*1.3)`,
      );
    if (out.some((s) => s.feature === m[1]))
      throw new SimulationInputError(`--shift: feature "${m[1]}" is shifted twice; give each feature once`);
    out.push({ feature: m[1], op: m[2] as FeatureShift['op'], amount: Number(m[3]) });
  }
  if (out.length === 0) throw new SimulationInputError('--shift: no shift given (example: age=+10,chol=*1.3)');
  return out;
}

/** Refuses a shift of a feature the model does not have, or of a categorical one, naming the numeric features. */
export function checkShifts(
  shifts: readonly FeatureShift[],
  numeric: readonly string[],
  categorical: readonly string[],
) {
  for (const s of shifts) {
    if (numeric.includes(s.feature)) continue;
    const known = `the model's numeric features are: ${numeric.join(', ') || '(none)'}`;
    if (categorical.includes(s.feature))
      throw new SimulationInputError(`--shift: "${s.feature}" is categorical and cannot be shifted; ${known}`);
    throw new SimulationInputError(`--shift: the model has no feature "${s.feature}"; ${known}`);
  }
}

export function applyShift(value: number, s: FeatureShift): number {
  const v = s.op === '+' ? value + s.amount : s.op === '-' ? value - s.amount : value * s.amount;
  return Math.round(v * 1e6) / 1e6;
}

/** One record to send, with its true label when it came from labelled data. */
export interface SampledRow {
  record: SimRecord;
  label: number | null;
}

/** Draws records; `source` says where they come from (for the summary). */
export interface RowSampler {
  readonly source: 'data' | 'profile';
  sample(rng: Rng): SampledRow;
}

/** Rows of a frame (NaN and code -1 sent as null), sampled uniformly with replacement. */
export function dataSampler(frame: Frame, labels: ArrayLike<number> | null): RowSampler {
  if (frame.nRows === 0) throw new SimulationInputError('--data: the file has no data rows to sample');
  return {
    source: 'data',
    sample(rng) {
      const i = rng.int(frame.nRows);
      const record: SimRecord = {};
      for (const c of frame.columns) {
        if (c.kind === 'numeric') record[c.name] = Number.isNaN(c.values[i]) ? null : c.values[i];
        else record[c.name] = c.codes[i] < 0 ? null : c.categories[c.codes[i]];
      }
      return { record, label: labels ? labels[i] : null };
    },
  };
}

interface Knot {
  value: number;
  p: number;
}

/**
 * The numeric feature's CDF as knots from both summaries the profile keeps: its quantiles and its
 * histogram's cumulative shares at each edge. Sorted by value and made monotone, so sampling by inverse
 * CDF reproduces point masses (a run of equal quantiles) and the histogram's shape between quantiles.
 */
export function cdfKnots(f: NumericFeatureProfile): Knot[] {
  const knots: Knot[] = [];
  if (f.quantiles) f.quantiles.values.forEach((value, k) => knots.push({ value, p: f.quantiles!.probabilities[k] }));
  if (f.histogram) {
    const total = f.histogram.counts.reduce((a, b) => a + b, 0);
    let cum = 0;
    f.histogram.edges.forEach((value, k) => {
      if (total > 0) knots.push({ value, p: cum / total });
      cum += f.histogram!.counts[k] ?? 0;
    });
    // the last edge closes the range
    if (total > 0) knots[knots.length - 1].p = 1;
  }
  knots.sort((a, b) => a.value - b.value || a.p - b.p);
  const out: Knot[] = [];
  for (const k of knots) {
    const last = out[out.length - 1];
    if (last && k.p < last.p) continue; // a histogram share below an interpolated quantile: keep the order
    out.push(k);
  }
  return out;
}

function inverseCdf(knots: readonly Knot[], u: number): number {
  if (knots.length === 1) return knots[0].value;
  let lo = 0;
  while (lo < knots.length - 2 && knots[lo + 1].p < u) lo++;
  const a = knots[lo];
  const b = knots[lo + 1];
  if (b.p <= a.p) return u <= a.p ? a.value : b.value;
  const t = Math.min(1, Math.max(0, (u - a.p) / (b.p - a.p)));
  return a.value + t * (b.value - a.value);
}

/** Whether the training values look like whole numbers (every quantile and the range are integers). */
function integerValued(f: NumericFeatureProfile): boolean {
  const vals = [...(f.quantiles?.values ?? []), f.min ?? 0, f.max ?? 0];
  return vals.every((v) => Number.isInteger(v));
}

type FeatureDraw = (rng: Rng) => Cell;

function numericDraw(f: NumericFeatureProfile): FeatureDraw {
  const knots = cdfKnots(f);
  const whole = integerValued(f);
  return (rng) => {
    if (rng.random() < f.missing_share || knots.length === 0) return null;
    const v = inverseCdf(knots, rng.random());
    return whole ? Math.round(v) : Math.round(v * 1000) / 1000;
  };
}

function categoricalDraw(f: CategoricalFeatureProfile): FeatureDraw {
  const names = Object.keys(f.frequencies);
  const counts = names.map((n) => f.frequencies[n]);
  const total = counts.reduce((a, b) => a + b, 0);
  return (rng) => {
    if (rng.random() < f.missing_share || total === 0) return null;
    let u = rng.random() * total;
    for (let k = 0; k < names.length; k++) {
      u -= counts[k];
      if (u < 0) return names[k];
    }
    return names[names.length - 1];
  };
}

/**
 * Records drawn feature by feature from the reference profile's marginals (quantiles and histogram for
 * numbers, frequencies for categories, missing values at the training share). Features are drawn
 * independently: each one's distribution is the training one, their correlations are not kept.
 */
export function profileSampler(profile: ReferenceProfile, features: readonly string[]): RowSampler {
  const byName = new Map(profile.features.map((f) => [f.name, f]));
  const lacking = features.filter((n) => !byName.has(n));
  if (lacking.length > 0)
    throw new SimulationInputError(
      `the model's reference profile lacks feature(s) ${lacking.join(', ')}; give the training data with --data`,
    );
  const draws = features.map((name) => {
    const f = byName.get(name)!;
    return [name, f.type === 'double' ? numericDraw(f) : categoricalDraw(f)] as const;
  });
  return {
    source: 'profile',
    sample(rng) {
      const record: SimRecord = {};
      for (const [name, draw] of draws) record[name] = draw(rng);
      return { record, label: null };
    },
  };
}

/** A row with every random choice about it already made. */
export interface PlannedRow {
  record: SimRecord;
  /** The true label from the data, else null (drawn from the model's probability once it answers). */
  label: number | null;
  /** Uniform draw deciding a label from the model's probability. */
  uLabel: number;
  /** Whether --label-noise flips this row's label. */
  flip: boolean;
  /** Uniform draw choosing the flipped-to class when there are more than two. */
  uOther: number;
}

export interface PlanOptions {
  rows: number;
  seed: number;
  shifts?: readonly FeatureShift[];
  labelNoise?: number;
}

/** The rows a simulation sends, in order: the same seed and options always give the same plan. */
export function planSimulation(sampler: RowSampler, opts: PlanOptions): PlannedRow[] {
  const rng = new Rng(opts.seed);
  const noise = opts.labelNoise ?? 0;
  const plan: PlannedRow[] = [];
  for (let i = 0; i < opts.rows; i++) {
    const { record, label } = sampler.sample(rng);
    for (const s of opts.shifts ?? []) {
      const v = record[s.feature];
      if (typeof v === 'number') record[s.feature] = applyShift(v, s);
    }
    plan.push({ record, label, uLabel: rng.random(), flip: rng.random() < noise, uOther: rng.random() });
  }
  return plan;
}

/** The label fed back for a row: its true (or drawn) label, flipped to another class when planned. */
export function feedbackLabel(
  row: PlannedRow,
  probability: number,
  classes: readonly number[],
  positive: number,
): number {
  const others = (c: number) => classes.filter((k) => k !== c);
  let label = row.label;
  if (label === null) {
    const negatives = others(positive);
    label = row.uLabel < probability ? positive : (negatives[Math.floor(row.uOther * negatives.length)] ?? positive);
  }
  if (!row.flip) return label;
  const alt = others(label);
  return alt.length === 0 ? label : alt[Math.min(alt.length - 1, Math.floor(row.uOther * alt.length))];
}

export interface SimulationOptions {
  /** The scoring server's base URL (a trailing /predict is accepted). */
  endpoint: string;
  plan: readonly PlannedRow[];
  feedback: boolean;
  concurrency: number;
  /** The model's classes and the one whose probability /predict returns. */
  classes: readonly number[];
  positiveClass: number;
  onProgress?: (done: number, failed: number) => void;
}

export interface SimulationSummary {
  sent: number;
  succeeded: number;
  failed: number;
  feedbackSent: number;
  feedbackFailed: number;
  /** Mean P(positive class) over the answered requests (null when none was). */
  meanProbability: number | null;
  /** Share of answered predictions per predicted class. */
  classShares: Record<string, number>;
  /** Each distinct failure with how often it happened (at most 5 kinds kept). */
  errors: Array<{ message: string; count: number }>;
  seconds: number;
}

/** The endpoint's base URL, from `http://host:port`, `…/` or `…/predict`. */
export function endpointBase(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SimulationInputError(`--endpoint: "${endpoint}" is not a URL (example: http://127.0.0.1:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SimulationInputError(`--endpoint: "${endpoint}" must be an http:// or https:// URL`);
  return url.href.replace(/\/+$/, '').replace(/\/predict$/, '');
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { message: text.slice(0, 200) };
  }
  return { status: res.status, json };
}

function failureText(status: number, json: any): string {
  const code = json?.error_code ? `${json.error_code}: ` : '';
  return `HTTP ${status} ${code}${json?.message ?? ''}`.trim();
}

/** Posts every planned row to /predict (and its label to /feedback), `concurrency` requests at a time. */
export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  const base = endpointBase(opts.endpoint);
  const started = performance.now();
  const errors = new Map<string, number>();
  const noteError = (message: string) => {
    if (errors.has(message) || errors.size < 5) errors.set(message, (errors.get(message) ?? 0) + 1);
  };
  const s = { sent: 0, succeeded: 0, failed: 0, feedbackSent: 0, feedbackFailed: 0 };
  let probabilitySum = 0;
  const byClass = new Map<string, number>();

  const sendRow = async (row: PlannedRow): Promise<void> => {
    s.sent++;
    let answer: { status: number; json: any };
    try {
      answer = await postJson(`${base}/predict`, row.record);
    } catch (err) {
      s.failed++;
      noteError(`cannot reach ${base}/predict: ${(err as Error).cause ?? (err as Error).message}`);
      return;
    }
    const p = answer.json;
    if (answer.status !== 200 || typeof p?.probability !== 'number') {
      s.failed++;
      noteError(failureText(answer.status, p));
      return;
    }
    s.succeeded++;
    probabilitySum += p.probability;
    byClass.set(String(p.prediction), (byClass.get(String(p.prediction)) ?? 0) + 1);
    if (!opts.feedback || typeof p.request_id !== 'string') return;
    const label = feedbackLabel(row, p.probability, opts.classes, opts.positiveClass);
    try {
      const fb = await postJson(`${base}/feedback`, { request_id: p.request_id, label });
      if (fb.status >= 200 && fb.status < 300) s.feedbackSent++;
      else {
        s.feedbackFailed++;
        noteError(`feedback: ${failureText(fb.status, fb.json)}`);
      }
    } catch (err) {
      s.feedbackFailed++;
      noteError(`feedback: cannot reach ${base}/feedback: ${(err as Error).cause ?? (err as Error).message}`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < opts.plan.length) {
      const row = opts.plan[next++];
      await sendRow(row);
      opts.onProgress?.(s.sent, s.failed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.plan.length)) }, worker));

  const classShares: Record<string, number> = {};
  for (const [k, n] of [...byClass].sort(([a], [b]) => Number(a) - Number(b))) classShares[k] = n / s.succeeded;
  return {
    ...s,
    meanProbability: s.succeeded > 0 ? probabilitySum / s.succeeded : null,
    classShares,
    errors: [...errors].map(([message, count]) => ({ message, count })),
    seconds: (performance.now() - started) / 1000,
  };
}
