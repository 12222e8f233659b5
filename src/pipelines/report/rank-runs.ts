// Orders runs by one metric (its latest value) and says which way is better.
import type { Run } from '../../tracking/entities.js';
import { ReportInputError } from './collect-runs.js';

export type Direction = 'higher' | 'lower';

// Error-like metric names, smaller is better; everything else (accuracy, f1, AUC, …) larger is better.
const LOWER_IS_BETTER =
  /(^|[_.\-/])(loss|log_?loss|error|err|mse|rmse|mae|mape|brier(_score)?|deviance|fpr|fnr)([_.\-/]|$)/i;

export function metricDirection(metric: string): Direction {
  return LOWER_IS_BETTER.test(metric) ? 'lower' : 'higher';
}

export function metricValue(run: Run, key: string): number | undefined {
  const m = run.data.metrics.find((x) => x.key === key);
  return m === undefined || Number.isNaN(m.value) ? undefined : m.value;
}

export interface Ranked<T extends { run: Run }> {
  metric: string;
  direction: Direction;
  /** Runs with the metric, best first (ties keep the earlier run first). */
  ranked: Array<T & { value: number }>;
  /** Runs without the metric (or with NaN), in their original order. */
  missing: T[];
}

export function rankRuns<T extends { run: Run }>(
  items: readonly T[],
  metric: string,
  direction = metricDirection(metric),
): Ranked<T> {
  const ranked: Array<T & { value: number }> = [];
  const missing: T[] = [];
  for (const item of items) {
    const value = metricValue(item.run, metric);
    if (value === undefined) missing.push(item);
    else ranked.push({ ...item, value });
  }
  if (ranked.length === 0) {
    const keys = [...new Set(items.flatMap((i) => i.run.data.metrics.map((m) => m.key)))].sort();
    const listed = keys.length ? `metrics logged: ${keys.join(', ')}` : 'the runs have no metrics';
    throw new ReportInputError(
      items.length === 0
        ? `--metric: no runs to rank by '${metric}' (the experiment has no runs matching the filter).`
        : `--metric: no run has the metric '${metric}'; ${listed}.`,
    );
  }
  const sign = direction === 'higher' ? -1 : 1;
  // Array.prototype.sort is stable, so equal values keep the runs' order.
  ranked.sort((a, b) => sign * (a.value - b.value));
  return { metric, direction, ranked, missing };
}
