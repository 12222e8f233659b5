// What `cairn train` produces: one ModelSummary per model family (what is stored as its run's metrics,
// and all that summaries, --json and registration need), a ModelResult when the model was trained in
// this process (its predictions and importances too, for evaluation plots), and the TrainResult.
import type { MeanStd } from '../learn/model-selection/cross-validate.js';
import type { Pipeline } from '../learn/pipeline.js';
import type { Evaluation, MetricName, MetricSet, ThresholdChoice } from './evaluate.js';
import type { FeatureImportance } from './feature-importance.js';
import type { ImbalanceHandling, ModelFamily } from './model-families.js';
import type { TuningOutcome } from './tuning-hook.js';

export interface ModelSummary {
  family: ModelFamily;
  runId: string;
  runName: string;
  cv: Record<MetricName, MeanStd>;
  holdout: MetricSet;
  threshold: ThresholdChoice;
  imbalance: ImbalanceHandling;
  /** True for the run of a tuned model (the best trial's params fitted on the training split). */
  tuned?: boolean;
}

/** A model trained in this process: its summary plus everything evaluation plots need. */
export interface ModelResult extends ModelSummary, Omit<Evaluation, 'fitted' | 'cv' | 'holdout' | 'threshold'> {
  fitted: Pipeline;
  featureImportance: FeatureImportance;
  params: Record<string, string>;
}

export interface DatasetSummary {
  name: string;
  file: string;
  digest: string;
  /** Rows used (after rows with no target were dropped). */
  rows: number;
  fileRows: number;
  positives: number;
  target: string;
  positiveRule: string;
  numeric: string[];
  categorical: string[];
  inferred: Array<{ column: string; kind: string }>;
  notes: string[];
}

export interface TrainResult {
  dataset: DatasetSummary;
  experimentId: string;
  experimentName: string;
  /** The metric (CV mean) the best model is chosen by. */
  selectionMetric: MetricName;
  imbalanced: boolean;
  cvFolds: number;
  seed: number;
  trainRows: number;
  holdoutRows: number;
  models: ModelSummary[];
  best: ModelSummary;
  /** True when the runs were found in the store (quickstart re-run) instead of trained now. */
  reused: boolean;
  /** The search over the best family's params, when tuning was asked for. */
  tuning?: TuningOutcome;
}

/** Best by the selection metric's CV mean (ties: the earlier family in the order trained). */
export function pickBest(models: ModelSummary[], metric: MetricName): ModelSummary {
  let best = models[0];
  for (const m of models) if (m.cv[metric].mean > best.cv[metric].mean) best = m;
  return best;
}
