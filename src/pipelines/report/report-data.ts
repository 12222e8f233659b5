// What every report output shares: the experiment, its runs ranked by the chosen metric, the best
// run, the class balance the runs record, and the metric columns worth showing.
import type { Experiment, Run } from '../../tracking/entities.js';
import type { CollectedRuns, ReportRun } from './collect-runs.js';
import { type Ranked, metricValue, rankRuns } from './rank-runs.js';

/** Where a run may record the share of class 1 in its data (tags or metrics, first match wins). */
export const POSITIVE_RATE_KEYS = [
  'positive_rate',
  'dataset.positive_rate',
  'data.positive_rate',
  'cairn.positive_rate',
];
/** Metrics shown beside the ranking metric when runs have them, in this order. */
export const KEY_METRICS = ['accuracy', 'precision_1', 'recall_1', 'f1_1', 'roc_auc', 'pr_auc'];
const MAX_METRIC_COLUMNS = 7;

export interface Imbalance {
  /** Share of class 1, when a run records it. */
  positiveRate?: number;
  /** Where the rate came from, e.g. "tag positive_rate of run forest". */
  source?: string;
  /** Some run logs a PR-AUC metric. */
  hasPrAuc: boolean;
}

export interface ReportData {
  experiment: Experiment;
  filter?: string;
  generatedAt: Date;
  runs: ReportRun[];
  ranking: Ranked<ReportRun>;
  best: ReportRun & { value: number };
  imbalance: Imbalance;
  metricColumns: string[];
  /** A run's display name: its name, with the short id added when another run has the same name. */
  label(run: Run): string;
}

export const runLabel = (run: Run): string => run.info.runName || run.info.runId.slice(0, 8);

/** Legends and axes key on names, so runs sharing a name get their short id appended. */
function uniqueLabels(runs: readonly ReportRun[]): (run: Run) => string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(runLabel(r.run), (counts.get(runLabel(r.run)) ?? 0) + 1);
  return (run) => {
    const name = runLabel(run);
    return (counts.get(name) ?? 0) > 1 ? `${name} (${run.info.runId.slice(0, 8)})` : name;
  };
}

function positiveRateOf(item: ReportRun): { rate: number; source: string } | undefined {
  const name = runLabel(item.run);
  for (const key of POSITIVE_RATE_KEYS) {
    const tag = item.run.data.tags.find((t) => t.key === key);
    const fromTag = tag === undefined ? Number.NaN : Number(tag.value);
    if (fromTag >= 0 && fromTag <= 1) return { rate: fromTag, source: `tag ${key} of run ${name}` };
    const fromMetric = metricValue(item.run, key);
    if (fromMetric !== undefined && fromMetric >= 0 && fromMetric <= 1)
      return { rate: fromMetric, source: `metric ${key} of run ${name}` };
  }
  if (item.pr.ok) return { rate: item.pr.value.positive_rate, source: `plots/pr_curve.json of run ${name}` };
  return undefined;
}

function imbalanceOf(best: ReportRun, runs: readonly ReportRun[]): Imbalance {
  const hasPrAuc = runs.some((r) => r.run.data.metrics.some((m) => /(^|_)(pr_auc|average_precision)($|_)/.test(m.key)));
  const found = positiveRateOf(best) ?? runs.map(positiveRateOf).find((x) => x !== undefined);
  return { positiveRate: found?.rate, source: found?.source, hasPrAuc };
}

function metricColumnsOf(runs: readonly ReportRun[], metric: string): string[] {
  const present = [...new Set(runs.flatMap((r) => r.run.data.metrics.map((m) => m.key)))].sort();
  const cols = [metric, ...KEY_METRICS.filter((k) => k !== metric && present.includes(k))];
  for (const k of present) if (cols.length < MAX_METRIC_COLUMNS && !cols.includes(k)) cols.push(k);
  return cols.slice(0, MAX_METRIC_COLUMNS);
}

export function buildReportData(
  collected: CollectedRuns,
  options: { metric: string; filter?: string; now?: Date },
): ReportData {
  const ranking = rankRuns(collected.runs, options.metric);
  const best = ranking.ranked[0];
  return {
    experiment: collected.experiment,
    filter: options.filter || undefined,
    generatedAt: options.now ?? new Date(),
    runs: collected.runs,
    ranking,
    best,
    imbalance: imbalanceOf(best, collected.runs),
    metricColumns: metricColumnsOf(collected.runs, options.metric),
    label: uniqueLabels(collected.runs),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A plain-words note on class balance, or undefined when the runs record nothing about it. */
export function imbalanceSentence(data: ReportData): string | undefined {
  const { positiveRate: rate, source, hasPrAuc } = data.imbalance;
  if (rate === undefined) {
    if (!hasPrAuc) return undefined;
    return (
      'The runs log PR-AUC but not the share of positives: a classifier with no skill scores a PR-AUC equal to that share ' +
      '(not 0.5), so read PR-AUC against it, and prefer it, recall_1 and precision_1 to accuracy when positives are rare.'
    );
  }
  const minority = Math.min(rate, 1 - rate);
  if (minority < 0.2) {
    const byAccuracy = /(^|_)accuracy($|_)/.test(data.ranking.metric)
      ? ` This report ranks by ${data.ranking.metric}, which rewards predicting the majority class here; rank by f1_1 or pr_auc instead (--metric).`
      : '';
    return (
      `Class 1 is ${pct(rate)} of the data (${source}): the classes are imbalanced, and a model that always predicts ` +
      `class ${rate < 0.5 ? 0 : 1} scores ${pct(Math.max(rate, 1 - rate))} accuracy while finding no ${rate < 0.5 ? 'positive' : 'negative'}. ` +
      `Judge the runs by recall_1, precision_1, f1_1 and PR-AUC (whose no-skill baseline is ${rate.toFixed(3)}), not by accuracy.${byAccuracy}`
    );
  }
  return (
    `Class 1 is ${pct(rate)} of the data (${source}): the classes are reasonably balanced, so accuracy is meaningful, ` +
    `read together with recall_1 and precision_1 (a no-skill classifier's PR-AUC here is ${rate.toFixed(3)}).`
  );
}

/** A metric value for tables: 4 decimals for fractions, else up to 6 significant digits. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6 ? String(Number(v.toPrecision(6))) : String(Number(v.toFixed(4)));
}
