// Measures a deployed scoring endpoint as the reference projects' script did: each labelled row is sent
// alone to `POST /predict` (so the latency is per sample, HTTP included), the answers are scored with the
// pipelines' metric set (no second implementation), and every failed request is counted with its reason.
// Nothing is logged here: the CLI logs the result as a run.
import { performance } from 'node:perf_hooks';
import { Rng } from '../learn/core/random.js';
import { quantile } from '../models/package/reference-profile.js';
import { metricSet, type MetricSet } from '../pipelines/evaluate.js';

/** One row sent to the endpoint: the record (target removed) and its true class (1 = positive). */
export interface LabelledRecord {
  /** 0-based data row of the file (after rows without a target were dropped). */
  row: number;
  record: Record<string, unknown>;
  label: 0 | 1;
}

/** Requests that failed the same way (HTTP status and error code, or a network error). */
export interface FailureGroup {
  /** HTTP status; null when no answer came (connection refused, timeout, a malformed body). */
  status: number | null;
  errorCode: string | null;
  count: number;
  /** The first failure's message and data row, to look at. */
  message: string;
  firstRow: number;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** A served model version the answers named, with how many answers it gave. */
export interface ServedVersion {
  name: string;
  version: string;
  count: number;
}

export interface EndpointEvaluation {
  endpoint: string;
  requests: number;
  succeeded: number;
  failed: number;
  failures: FailureGroup[];
  /** Metrics over the answered rows (accuracy, precision_1, recall_1, f1_1, roc_auc, pr_auc); null when none was. */
  metrics: MetricSet | null;
  /** Milliseconds per request, answered ones only; null when none was. */
  latencyMs: LatencySummary | null;
  /** The model name/version each answer reported (more than one when the endpoint swapped meanwhile). */
  models: ServedVersion[];
  /** Positives among the answered rows. */
  positives: number;
  wallSeconds: number;
}

export interface EvaluateEndpointOptions {
  /** Requests in flight at once (default 1: one sample at a time, as the reference script). */
  concurrency?: number;
  /** Per-request timeout, ms (default 30 s). */
  timeoutMs?: number;
  /** Called after each request. */
  onProgress?: (done: number, total: number) => void;
}

/** `n` distinct row positions out of `total`, chosen with the seed, in file order. */
export function sampleRows(total: number, n: number, seed: number): number[] {
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  const rng = new Rng(seed);
  const idx = Array.from({ length: total }, (_, i) => i);
  // partial Fisher–Yates: the first n slots end up a uniform sample without replacement
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(total - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n).sort((a, b) => a - b);
}

type Outcome =
  | { ok: true; prediction: number; probability: number; name: string; version: string; ms: number }
  | { ok: false; status: number | null; errorCode: string | null; message: string };

/** The endpoint's base URL with the path of /predict (a URL already ending in /predict is kept). */
export function predictUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return /\/predict$/.test(base) ? base : `${base}/predict`;
}

async function sendOne(url: string, record: Record<string, unknown>, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.message ?? e.message);
    return { ok: false, status: null, errorCode: e.cause?.code ?? null, message: why };
  }
  const ms = performance.now() - started;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, status: res.status, errorCode: null, message: `not JSON: ${text.slice(0, 120)}` };
  }
  const b = body as Record<string, unknown>;
  if (!res.ok)
    return {
      ok: false,
      status: res.status,
      errorCode: typeof b?.error_code === 'string' ? b.error_code : null,
      message: typeof b?.message === 'string' ? b.message : text.slice(0, 200),
    };
  const one = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined;
  if (!one || typeof one.prediction !== 'number' || typeof one.probability !== 'number')
    return {
      ok: false,
      status: res.status,
      errorCode: null,
      message: `the answer has no numeric prediction and probability: ${text.slice(0, 120)}`,
    };
  return {
    ok: true,
    prediction: one.prediction,
    probability: one.probability,
    name: String(one.model_name ?? ''),
    version: String(one.model_version ?? ''),
    ms,
  };
}

function summarise(latencies: number[]): LatencySummary | null {
  if (latencies.length === 0) return null;
  const sorted = Float64Array.from(latencies).sort();
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    max: sorted[sorted.length - 1],
  };
}

/**
 * Sends each record alone to the endpoint's /predict, `concurrency` at a time, and scores the answers
 * against the labels. A failed request (an error status, no answer, a malformed answer) is counted in
 * `failed` and grouped by reason; the metrics cover the answered rows only.
 */
export async function evaluateEndpoint(
  endpoint: string,
  rows: readonly LabelledRecord[],
  options: EvaluateEndpointOptions = {},
): Promise<EndpointEvaluation> {
  const url = predictUrl(endpoint);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const outcomes: Outcome[] = new Array(rows.length);
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      outcomes[i] = await sendOne(url, rows[i].record, timeoutMs);
      options.onProgress?.(++done, rows.length);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 1, rows.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  const wallSeconds = (performance.now() - t0) / 1000;

  const yTrue: number[] = [];
  const proba: number[] = [];
  const pred: number[] = [];
  const latencies: number[] = [];
  const groups = new Map<string, FailureGroup>();
  const models = new Map<string, ServedVersion>();
  outcomes.forEach((o, i) => {
    if (o.ok) {
      yTrue.push(rows[i].label);
      proba.push(o.probability);
      pred.push(o.prediction === 1 ? 1 : 0);
      latencies.push(o.ms);
      const key = `${o.name}\u0000${o.version}`;
      const m = models.get(key) ?? { name: o.name, version: o.version, count: 0 };
      m.count++;
      models.set(key, m);
      return;
    }
    const key = `${o.status}\u0000${o.errorCode}`;
    const g = groups.get(key);
    if (g) g.count++;
    else
      groups.set(key, {
        status: o.status,
        errorCode: o.errorCode,
        count: 1,
        message: o.message,
        firstRow: rows[i].row,
      });
  });
  const failed = rows.length - yTrue.length;
  return {
    endpoint: url,
    requests: rows.length,
    succeeded: yTrue.length,
    failed,
    failures: [...groups.values()].sort((a, b) => b.count - a.count),
    metrics:
      yTrue.length === 0
        ? null
        : metricSet(Float64Array.from(yTrue), Float64Array.from(proba), Float64Array.from(pred)),
    latencyMs: summarise(latencies),
    models: [...models.values()],
    positives: yTrue.reduce((a, b) => a + b, 0),
    wallSeconds,
  };
}
