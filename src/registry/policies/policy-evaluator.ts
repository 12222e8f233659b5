// Evaluates a parsed promotion policy against a candidate version's metrics (and, for mustBeat,
// the current holder's): pure, one result per criterion, so a refusal can list every failure.
import type { MetricRequirement, PolicyOperator, PromotionPolicy } from './promotion-policy.js';

/** A model version as the evaluator sees it: its number and its source run's latest metric values. */
export interface PolicySubject {
  version: string;
  runId: string | null;
  metrics: ReadonlyMap<string, number>;
}

export interface CriterionResult {
  kind: 'require' | 'mustBeat';
  /** Human-readable, e.g. `accuracy >= 0.91` or `roc_auc > Production (v3) + 0`. */
  criterion: string;
  metric: string;
  passed: boolean;
  /** The candidate's value; null when its run has no such metric. */
  value: number | null;
  op?: PolicyOperator;
  threshold?: number;
  /** mustBeat only: the holder compared against (null when nobody holds the target). */
  currentVersion?: string | null;
  currentValue?: number | null;
  by?: number;
  /** Why it failed or passed without a comparison. */
  detail?: string;
}

export interface PolicyResult {
  name: string;
  version: string;
  target: string;
  passed: boolean;
  policy: PromotionPolicy | null;
  criteria: CriterionResult[];
}

const COMPARE: Record<PolicyOperator, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
};

function missing(subject: PolicySubject, metric: string): string {
  return subject.runId
    ? `metric '${metric}' is missing on run ${subject.runId} of version ${subject.version}`
    : `version ${subject.version} has no source run, so metric '${metric}' is missing`;
}

function evaluateRequirement(req: MetricRequirement, candidate: PolicySubject): CriterionResult {
  const value = candidate.metrics.get(req.metric);
  const base = {
    kind: 'require' as const,
    criterion: `${req.metric} ${req.op} ${req.threshold}`,
    metric: req.metric,
    op: req.op,
    threshold: req.threshold,
  };
  if (value === undefined) return { ...base, passed: false, value: null, detail: missing(candidate, req.metric) };
  // NaN compares false with everything, so a NaN metric fails every requirement.
  return { ...base, passed: COMPARE[req.op](value, req.threshold), value };
}

/**
 * `current` is the version holding `policy.mustBeat.current` (other than the candidate), or null
 * when nobody does — then mustBeat passes. A holder without the metric cannot be beaten or lost
 * to, so it passes too (with a detail saying so).
 */
export function evaluatePolicy(
  name: string,
  policy: PromotionPolicy,
  candidate: PolicySubject,
  current: PolicySubject | null,
): PolicyResult {
  const criteria = policy.require.map((r) => evaluateRequirement(r, candidate));
  const mb = policy.mustBeat;
  if (mb) {
    const value = candidate.metrics.get(mb.metric) ?? null;
    const holder = current ? `${mb.current} (v${current.version})` : mb.current;
    const base = {
      kind: 'mustBeat' as const,
      criterion: `${mb.metric} > ${holder} + ${mb.by}`,
      metric: mb.metric,
      value,
      by: mb.by,
    };
    if (!current) {
      criteria.push({
        ...base,
        passed: true,
        currentVersion: null,
        currentValue: null,
        detail: `no version holds ${mb.current}`,
      });
    } else {
      const currentValue = current.metrics.get(mb.metric) ?? null;
      if (value === null) {
        criteria.push({
          ...base,
          passed: false,
          currentVersion: current.version,
          currentValue,
          detail: missing(candidate, mb.metric),
        });
      } else if (currentValue === null) {
        criteria.push({
          ...base,
          passed: true,
          currentVersion: current.version,
          currentValue,
          detail: `the holder of ${mb.current} (v${current.version}) has no '${mb.metric}'`,
        });
      } else {
        criteria.push({ ...base, passed: value - currentValue > mb.by, currentVersion: current.version, currentValue });
      }
    }
  }
  return {
    name,
    version: candidate.version,
    target: policy.target,
    passed: criteria.every((c) => c.passed),
    policy,
    criteria,
  };
}

function show(v: number | null | undefined): string {
  return v === null || v === undefined ? 'missing' : String(v);
}

/** One line per failing criterion with the values seen, for refusal messages. */
export function describeFailures(result: PolicyResult): string {
  return result.criteria
    .filter((c) => !c.passed)
    .map((c) => {
      if (c.kind === 'require')
        return c.value === null ? `${c.criterion}: ${c.detail}` : `${c.criterion}: got ${c.value}`;
      if (c.value === null) return `${c.criterion}: ${c.detail}`;
      return `${c.criterion}: got ${c.value} vs ${show(c.currentValue)} (difference ${c.value - (c.currentValue ?? 0)}, must exceed ${c.by})`;
    })
    .join('; ');
}
